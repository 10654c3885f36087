from tests.fake_telegram import FakeUser
from tests.harness import Harness

ANNA = FakeUser(101, "Anna")


async def test_start_offers_awarding_bodies(bot: Harness) -> None:
    [welcome] = await bot.send(ANNA, "/start")
    assert "Welcome to Retain" in welcome.text
    assert ("Pearson BTEC", "b:pearson") in welcome.buttons
