"""Grading: which choice is right for each kind of item, and the order multiple-choice options show in."""

from __future__ import annotations

import json
import random
from decimal import Decimal, InvalidOperation

from content.drills import DrillInstance, Typed, instance
from content.schema import Answerable, ConceptCard, MetricDrill, MultipleChoice, TrueFalse


def option_order(item: MultipleChoice, prompt_id: int) -> list[int]:
    """The order a multiple-choice item's options are shown in (indexes into `item.options`).

    Derived from the prompt id, so the same prompt always shows the same order and nothing
    needs storing; 0 is the right answer.
    """
    order = list(range(len(item.options)))
    if item.shuffle:
        random.Random(prompt_id).shuffle(order)
    return order


def drill_json(drill: DrillInstance) -> str:
    """What a calculation prompt stores: the numbers drawn and the buttons shown."""
    return json.dumps({"params": drill.params, "buttons": [str(option) for option in drill.options]})


def drill_of(item: MetricDrill, params_json: str | None, prompt_id: int) -> DrillInstance:
    """The numbers and buttons a calculation prompt was served with (stored as JSON on the prompt).

    Prompts stored before buttons were kept hold only the numbers; their buttons are drawn again.
    """
    if params_json is None:
        raise ValueError(f"prompt {prompt_id} of a calculation has no numbers stored")
    stored = json.loads(params_json)
    if "params" not in stored:
        return instance(item, stored, seed=prompt_id)
    buttons = [Decimal(option) for option in stored.get("buttons", [])]
    return instance(item, stored["params"], seed=prompt_id, buttons=buttons)


def valid_choice(item: Answerable, choice: bool | int, drill: DrillInstance | None) -> bool:
    """Whether `choice` is something a button under this item could carry."""
    if isinstance(item, MultipleChoice):
        return not isinstance(choice, bool) and 0 <= choice < len(item.options)
    if drill is not None:
        return not isinstance(choice, bool) and 0 <= choice < len(drill.options)
    return isinstance(choice, bool)


def grade(item: Answerable, choice: bool | int, drill: DrillInstance | None) -> bool:
    """Whether a tapped choice is right ("knew it" counts as right for a concept card)."""
    if isinstance(item, ConceptCard):
        return bool(choice)
    if isinstance(item, TrueFalse):
        return choice == item.answer
    if isinstance(item, MultipleChoice):
        return choice == 0
    if drill is None:
        raise ValueError(f"a calculation ({item.id}) is graded against its drawn numbers")
    return choice == drill.answer_index


def stored_choice(choice: bool | int | None, typed: Typed | None) -> str | None:
    """A choice as the prompt row keeps it: "t"/"f", an option or button index, "=42.50" typed.

    A typed number keeps the places the learner gave (its unit is the drill's: others are refused).
    """
    if typed is not None:
        return f"={typed.value}"
    if isinstance(choice, bool):
        return "t" if choice else "f"
    return None if choice is None else str(choice)


def choice_of(stored: str | None) -> tuple[bool | int | None, Typed | None]:
    """The (choice, typed number) a stored choice stands for."""
    if stored is None:
        return None, None
    if stored.startswith("="):
        try:
            return None, Typed(Decimal(stored[1:]), "")
        except InvalidOperation:
            return None, None
    if stored in ("t", "f"):
        return stored == "t", None
    return int(stored), None
