"""Coverage by specification: which items teach and which test each awarding body's marking points.

The catalogue's `specifications:` lists, per awarding body, the marking points of its
specification under the three shared learning outcomes. Items name the points they teach or
test in `covers`. A point is covered for a body when at least one teaching item (a concept card
or an exam tip) and at least one testing item (true/false, multiple choice or a drill) that
apply to that body through their `bodies` (the body itself or `all`) cover it. Items beyond
every specification never cover a point.
"""

from __future__ import annotations

from dataclasses import dataclass

from content.schema import ALL_BODIES, AnyItem, Bank, ConceptCard, ExamTip

TEACHING = (ConceptCard, ExamTip)


@dataclass(frozen=True)
class PointCoverage:
    """The items that teach and test one marking point, for its body's learners."""

    point: str
    text: str
    teaching: tuple[str, ...]
    testing: tuple[str, ...]


@dataclass(frozen=True)
class OutcomeCoverage:
    """One learning outcome of one body's specification."""

    outcome: str
    title: str
    points: tuple[PointCoverage, ...]


@dataclass(frozen=True)
class BodyCoverage:
    """One awarding body's specification, outcome by outcome."""

    body: str
    outcomes: tuple[OutcomeCoverage, ...]


@dataclass(frozen=True, order=True)
class Gap:
    """A marking point with no teaching item or no testing item for its body."""

    body: str
    point: str
    missing: str  # "teaching" or "testing"


@dataclass(frozen=True)
class Coverage:
    """The whole picture: per body, per outcome, per point; the gaps; and any `covers` that are wrong."""

    bodies: tuple[BodyCoverage, ...]
    gaps: tuple[Gap, ...]
    problems: tuple[str, ...]


def _named(item: AnyItem, body: str) -> bool:
    """Whether the item's own `bodies` include `body` (beyond-spec items name no body)."""
    return ALL_BODIES in item.bodies or body in item.bodies


def coverage(bank: Bank) -> Coverage:
    """Work out, for every body's marking points, the items that teach and test them."""
    owner = {
        point.id: spec.body
        for spec in bank.catalogue.specifications
        for outcome in spec.outcomes
        for point in outcome.points
    }
    problems = []
    seen: set[str] = set()
    for spec in bank.catalogue.specifications:
        for outcome in spec.outcomes:
            for point in outcome.points:
                if point.id in seen:
                    problems.append(f"marking point '{point.id}' is listed twice")
                seen.add(point.id)
    known_bodies = {body.id for body in bank.catalogue.awarding_bodies}
    for spec in bank.catalogue.specifications:
        if spec.body not in known_bodies:
            problems.append(f"specification for unknown awarding body '{spec.body}'")
    for item in bank.items.values():
        if item.beyond_spec and item.covers:
            problems.append(f"item '{item.id}' is beyond the specifications but covers {item.covers}")
        for point_id in item.covers:
            body = owner.get(point_id)
            if body is None:
                problems.append(f"item '{item.id}' covers '{point_id}', which no specification lists")
            elif not _named(item, body):
                problems.append(
                    f"item '{item.id}' covers '{point_id}' of {body}, but {body} learners do not meet it"
                )
    bodies = []
    gaps = []
    for spec in bank.catalogue.specifications:
        outcomes = []
        for outcome in spec.outcomes:
            points = []
            for point in outcome.points:
                covering = [
                    item
                    for item in bank.items.values()
                    if point.id in item.covers and not item.beyond_spec and _named(item, spec.body)
                ]
                teaching = tuple(item.id for item in covering if isinstance(item, TEACHING))
                testing = tuple(item.id for item in covering if not isinstance(item, TEACHING))
                points.append(PointCoverage(point.id, point.text, teaching, testing))
                if not teaching:
                    gaps.append(Gap(spec.body, point.id, "teaching"))
                if not testing:
                    gaps.append(Gap(spec.body, point.id, "testing"))
            outcomes.append(OutcomeCoverage(outcome.id, outcome.title, tuple(points)))
        bodies.append(BodyCoverage(spec.body, tuple(outcomes)))
    return Coverage(tuple(bodies), tuple(gaps), tuple(problems))
