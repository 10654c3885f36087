"""The checker's counts: items per kind, per topic area and per awarding body."""

from __future__ import annotations

from collections import Counter

from content.schema import ANY_AREA, Bank, ItemKind, TrueFalse


def summary(bank: Bank) -> str:
    """Counts per kind, per area and per awarding body, as the checker prints them."""
    items = list(bank.items.values())
    kinds = Counter(item.kind.value for item in items)
    lines = [f"{len(items)} items"]
    lines.append("by kind: " + ", ".join(f"{k.value} {kinds[k.value]}" for k in ItemKind))
    truths = [item.answer for item in items if isinstance(item, TrueFalse)]
    if truths:
        share = 100 * sum(truths) / len(truths)
        lines.append(f"true/false: {sum(truths)} true, {len(truths) - sum(truths)} false ({share:.0f}% true)")
    lines.append("by area:")
    for area in bank.areas:
        in_area = Counter(item.kind.value for item in items if item.area == area.id)
        detail = ", ".join(f"{k.value} {in_area[k.value]}" for k in ItemKind if in_area[k.value])
        lines.append(f"  {area.id:<13} {sum(in_area.values()):>4}  ({detail})")
    general = sum(1 for item in items if item.area == ANY_AREA)
    if general:
        lines.append(f"  {ANY_AREA:<13} {general:>4}  (tips for every area)")
    lines.append("by awarding body (items its learners meet, including those common to all):")
    for body in bank.catalogue.awarding_bodies:
        own = sum(1 for item in items if body.id in item.bodies)
        met = sum(1 for item in items if item.applies_to(body.id))
        lines.append(f"  {body.id:<13} {met:>4}  ({own} specific to it)")
    return "\n".join(lines)
