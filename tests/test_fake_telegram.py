"""The fake Bot API's rules: it refuses what Telegram refuses, and fails, slows or times out on demand.

Most calls go through python-telegram-bot's own `Bot`, as the bot under test makes them; a few go
as raw HTTP, for what that library would never send.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import HTTPXRequest

from tests.fake_telegram import (
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    ApiError,
    FakeTelegram,
    FakeUser,
    SentMessage,
    visible_text,
)

ANNA = FakeUser(101, "Anna")
HTML = ParseMode.HTML


@pytest.fixture
async def api(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    """python-telegram-bot's Bot, talking to the fake with a short read timeout."""
    request = HTTPXRequest(read_timeout=0.5, connect_timeout=1)
    bot = Bot(fake_telegram.token, base_url=fake_telegram.base_url, request=request)
    await bot.initialize()
    yield bot
    await bot.shutdown()


async def raw(fake: FakeTelegram, method: str, **params: Any) -> dict[str, Any]:
    """A call as plain form fields, the way any client could send it."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.base_url}{fake.token}/{method}", data=params) as response,
    ):
        body: dict[str, Any] = await response.json()
        return body


# --- HTML ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "shown"),
    [
        ("<b>bold</b> and <i>italic</i>", "bold and italic"),
        ("<strong>a</strong><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike><del>g</del>", "abcdefg"),
        ('<span class="tg-spoiler">hid</span><tg-spoiler>den</tg-spoiler>', "hidden"),
        ('<a href="https://example.com/?a=1&amp;b=2">link</a>', "link"),
        ('<pre><code class="language-python">x = 1</code></pre><code>y</code>', "x = 1y"),
        ("<blockquote>quoted</blockquote><blockquote expandable>more</blockquote>", "quotedmore"),
        ("<b>bold <i>and italic</i></b>", "bold and italic"),
        ("&lt;tag&gt; &amp; &quot;quoted&quot;", '<tag> & "quoted"'),
        ("&#65;&#x42;&#x1F600;", "AB😀"),
        ("a > b", "a > b"),
        ("<B>upper-case tags</B>", "upper-case tags"),
    ],
)
def test_html_telegram_supports_is_shown_without_its_markup(html: str, shown: str) -> None:
    assert visible_text(html) == shown


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>never closed", "can't find end tag"),
        ("<b>crossed <i>tags</b></i>", "unmatched end tag"),
        ("closed </b> only", "unexpected end tag"),
        ("<p>paragraph</p>", 'unsupported start tag "p"'),
        ("<br>", 'unsupported start tag "br"'),
        ("<span>plain span</span>", 'must have class "tg-spoiler"'),
        ("<a>no link</a>", "must have an href"),
        ("<code class='language-py'>outside pre</code>", "inside pre"),
        ("1 < 2 > 0", "empty tag name"),
        ("1 < 2", "unclosed start tag"),
        ("<b", "unclosed start tag"),
        ("Q&A", "unescaped '&'"),
        ("&nbsp;", "unsupported HTML entity"),
        ("&#0;", "invalid character reference"),
        ("&#xD800;", "invalid character reference"),
    ],
)
def test_html_telegram_cannot_parse_is_refused(html: str, reason: str) -> None:
    with pytest.raises(ApiError) as refused:
        visible_text(html)
    assert refused.value.code == 400 and refused.value.kind == "invalid"
    assert "can't parse entities" in refused.value.description and reason in refused.value.description


async def test_a_message_is_measured_by_its_visible_text(fake_telegram: FakeTelegram, api: Bot) -> None:
    # 4,096 visible characters pass however long the HTML is; one more does not.
    await api.send_message(ANNA.id, "<b>" + "&lt;" * 4096 + "</b>", parse_mode=HTML)
    await api.send_message(ANNA.id, "😀" * 4096)  # characters, not UTF-16 code units
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await api.send_message(ANNA.id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)text is empty"):
        await api.send_message(ANNA.id, "<b> </b>", parse_mode=HTML)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await api.send_message(ANNA.id, "<b>unclosed", parse_mode=HTML)
    await api.send_message(ANNA.id, "<b>unclosed")  # without parse_mode, it is plain text
    refused = [r.rejected for r in fake_telegram.calls("sendMessage")]
    assert refused == [None, None, "invalid", "invalid", "invalid", None]


async def test_captions_toasts_and_callback_data_have_their_limits(
    fake_telegram: FakeTelegram, api: Bot
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    await api.send_photo(ANNA.id, png, caption="c" * 1024)
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await api.send_photo(ANNA.id, png, caption="c" * 1025)

    query = await fake_telegram.tap(ANNA, fake_telegram.messages[(ANNA.id, 1)], "x")
    with pytest.raises(BadRequest, match=r"(?i)MESSAGE_TOO_LONG"):
        await api.answer_callback_query(query, "t" * 201)
    await api.answer_callback_query(query, "t" * 200)

    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="é" * 33)]])  # 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await api.send_message(ANNA.id, "buttons", reply_markup=too_long)
    empty_label = InlineKeyboardMarkup([[InlineKeyboardButton(" ", callback_data="go")]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_TEXT_EMPTY"):
        await api.send_message(ANNA.id, "buttons", reply_markup=empty_label)


async def test_parameters_must_have_their_types(fake_telegram: FakeTelegram) -> None:
    assert (await raw(fake_telegram, "sendMessage", chat_id="anna", text="hi"))["error_code"] == 400
    assert (await raw(fake_telegram, "sendMessage", chat_id="101"))[
        "description"
    ] == "Bad Request: text is empty"
    markup = await raw(fake_telegram, "sendMessage", chat_id="101", text="hi", reply_markup="{not json")
    assert "can't parse" in markup["description"]
    bad_bool = await raw(fake_telegram, "answerCallbackQuery", callback_query_id="q", show_alert="yes")
    assert "not a boolean" in bad_bool["description"]
    assert (await raw(fake_telegram, "sendCarrierPigeon", chat_id="101"))["error_code"] == 404
    assert (await raw(fake_telegram, "sendMessage", chat_id="@retain_class", text="hi"))["ok"] is False
    assert [r.rejected for r in fake_telegram.requests] == ["invalid"] * 5 + ["state"]  # no such chat


async def test_quiz_polls_have_telegrams_limits(api: Bot) -> None:
    async def poll(**changes: Any) -> None:
        args: dict[str, Any] = {
            "question": "Q?",
            "options": ["A", "B"],
            "type": "quiz",
            "correct_option_ids": [0],
            "is_anonymous": False,
        }
        args.update(changes)
        await api.send_poll(-100, **args)

    await poll(explanation="why\nbecause\nso", open_period=5)
    refusals: list[tuple[dict[str, Any], str]] = [
        ({"question": "q" * 301}, "too long"),
        ({"options": ["only one"]}, "options"),
        ({"options": [str(n) for n in range(13)]}, "options"),
        ({"options": ["o" * 101, "B"]}, "POLL_OPTION_INVALID"),
        ({"correct_option_ids": [2]}, "correct option"),
        ({"explanation": "e" * 201}, "too long"),
        ({"explanation": "1\n2\n3\n4"}, "line feeds"),
        ({"open_period": 4}, "open_period"),
    ]
    for changes, reason in refusals:
        with pytest.raises(BadRequest, match=f"(?i){reason}"):
            await poll(**changes)


# --- Telegram's state ------------------------------------------------------------------------


async def test_edits_need_a_message_and_a_change(fake_telegram: FakeTelegram, api: Bot) -> None:
    sent = await api.send_message(ANNA.id, "first")
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await api.edit_message_text("first", ANNA.id, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await api.edit_message_text("other", ANNA.id, sent.message_id + 1)
    with pytest.raises(BadRequest, match=r"(?i)MESSAGE_ID_INVALID"):
        await api.edit_message_text("other", inline_message_id="inline1")
    fake_telegram.delete(ANNA.id, sent.message_id)  # the user deleted it
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await api.edit_message_text("other", ANNA.id, sent.message_id)
    edits = fake_telegram.calls("editMessageText")
    assert edits[0].result.description == NOT_MODIFIED
    assert [r.rejected for r in edits] == ["state"] * 4


async def test_a_callback_query_is_answered_once_and_only_while_fresh(
    fake_telegram: FakeTelegram, api: Bot
) -> None:
    sent = await api.send_message(ANNA.id, "tap me")
    message = fake_telegram.messages[(ANNA.id, sent.message_id)]
    first = await fake_telegram.tap(ANNA, message, "x")
    assert await api.answer_callback_query(first, "done")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await api.answer_callback_query(first, "again")

    fake_telegram.query_lifetime = 0.05
    late = await fake_telegram.tap(ANNA, message, "x")
    await asyncio.sleep(0.1)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await api.answer_callback_query(late)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await api.answer_callback_query("never-sent")
    assert fake_telegram.requests[-1].result.description == QUERY_TOO_OLD
    assert fake_telegram.answer_counts() == {first: 2, late: 1, "never-sent": 1}


async def test_taps_on_deleted_and_inline_messages_look_like_telegrams(fake_telegram: FakeTelegram) -> None:
    fake_telegram.messages[(ANNA.id, 7)] = message = SentMessage(ANNA.id, 7, "prompt")
    live = fake_telegram.tap_update(ANNA, message, "v:1")["callback_query"]
    assert live["message"]["text"] == "prompt" and live["message"]["date"] > 0
    fake_telegram.delete(ANNA.id, 7)
    gone = fake_telegram.tap_update(ANNA, message, "v:1")["callback_query"]
    assert gone["message"]["date"] == 0 and gone["message"]["message_id"] == 7  # an InaccessibleMessage
    inline = fake_telegram.tap_update(ANNA, None, "v:1")["callback_query"]
    assert "message" not in inline and inline["inline_message_id"]


async def test_updates_of_types_not_asked_for_are_never_delivered(
    fake_telegram: FakeTelegram, api: Bot
) -> None:
    await fake_telegram.send_text(ANNA, "/start")
    await fake_telegram.push({"chat_member": {"chat": {"id": -1, "type": "group"}}})
    await fake_telegram.push({"message_reaction": {"chat": {"id": 1, "type": "private"}}})
    await fake_telegram.push({"poll": {"id": "p1"}})
    updates = await api.get_updates(allowed_updates=["message", "callback_query"], timeout=0)
    assert [u.message.text for u in updates if u.message] == ["/start"] and len(updates) == 1
    assert {next(k for k in u if k != "update_id") for u in fake_telegram.withheld} == {
        "chat_member",
        "message_reaction",
        "poll",
    }
    # Without allowed_updates, the last setting stays (as Telegram keeps it).
    await fake_telegram.push({"poll": {"id": "p2"}})
    assert await api.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert fake_telegram.allowed_updates == frozenset({"message", "callback_query"})


async def test_any_json_can_be_pushed_as_an_update(fake_telegram: FakeTelegram) -> None:
    await fake_telegram.push({"message": {"message_id": 1}})  # no date, no chat: malformed
    body = await raw(fake_telegram, "getUpdates", timeout="0")
    assert body["ok"] and body["result"] == [{"message": {"message_id": 1}, "update_id": 1}]


# --- faults on demand ------------------------------------------------------------------------


async def test_a_failure_for_the_next_calls_is_not_carried_out(fake_telegram: FakeTelegram, api: Bot) -> None:
    fault = fake_telegram.fail("sendMessage", 500, "Internal Server Error", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match=r"(?i)Internal Server Error"):
            await api.send_message(ANNA.id, "lost")
    await api.send_message(ANNA.id, "arrives")
    assert [m.text for m in fake_telegram.messages.values()] == ["arrives"]
    assert fault.hits == 2
    assert [r.rejected for r in fake_telegram.calls("sendMessage")] == ["injected", "injected", None]


async def test_a_share_of_calls_fails(fake_telegram: FakeTelegram, api: Bot) -> None:
    fake_telegram.fail("sendMessage", 502, "Bad Gateway", times=None, share=0.5)
    outcomes = []
    for _ in range(40):
        try:
            await api.send_message(ANNA.id, "maybe")
            outcomes.append(True)
        except NetworkError:
            outcomes.append(False)
    assert 5 < outcomes.count(False) < 35  # seeded: the same share every run


async def test_slow_answers_come_late_but_come(fake_telegram: FakeTelegram, api: Bot) -> None:
    fake_telegram.slow("sendMessage", 0.2, times=1)
    started = time.monotonic()
    await api.send_message(ANNA.id, "late")
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    await api.send_message(ANNA.id, "on time")
    assert time.monotonic() - started < 0.2


async def test_a_time_out_is_carried_out_though_the_client_gives_up(
    fake_telegram: FakeTelegram, api: Bot
) -> None:
    fake_telegram.time_out("sendMessage", hold=1.0)  # past the client's 0.5 s read timeout
    with pytest.raises(TimedOut):
        await api.send_message(ANNA.id, "delivered all the same")
    assert [m.text for m in fake_telegram.messages.values()] == ["delivered all the same"]
    await asyncio.sleep(0.6)  # let the held answer go out before the server stops


async def test_a_timed_out_answer_to_a_callback_query_still_answers_it(
    fake_telegram: FakeTelegram, api: Bot
) -> None:
    sent = await api.send_message(ANNA.id, "tap me")
    query = await fake_telegram.tap(ANNA, fake_telegram.messages[(ANNA.id, sent.message_id)], "x")
    fake_telegram.time_out("answerCallbackQuery", hold=1.0)
    with pytest.raises(TimedOut):
        await api.answer_callback_query(query, "seen")
    assert fake_telegram.queries[query].answered
    await asyncio.sleep(0.6)
