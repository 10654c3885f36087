"""Grading: which choice is right for each kind of item, and the order multiple-choice options show in."""

from __future__ import annotations

import json
import random

from content.drills import DrillInstance, instance
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


def drill_of(item: MetricDrill, params_json: str | None, prompt_id: int) -> DrillInstance:
    """The numbers a calculation prompt was served with (stored as JSON on the prompt)."""
    if params_json is None:
        raise ValueError(f"prompt {prompt_id} of a calculation has no numbers stored")
    return instance(item, json.loads(params_json), seed=prompt_id)


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


def stored_choice(choice: bool | int | None, typed: float | None) -> str | None:
    """A choice as the prompt row keeps it: "t"/"f", an option or button index, "=42.5" typed."""
    if typed is not None:
        return f"={typed!r}"
    if isinstance(choice, bool):
        return "t" if choice else "f"
    return None if choice is None else str(choice)


def choice_of(stored: str | None) -> tuple[bool | int | None, float | None]:
    """The (choice, typed number) a stored choice stands for."""
    if stored is None:
        return None, None
    if stored.startswith("="):
        return None, float(stored[1:])
    if stored in ("t", "f"):
        return stored == "t", None
    return int(stored), None
