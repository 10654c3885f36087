"""Metric drills: the arithmetic of each metric, fresh numbers per prompt, buttons and marking.

A drill item in YAML names a `metric` defined here, the ranges of its parameters, and templates
for the question and the worked solution. The arithmetic lives in code so that it is tested;
the wording lives in the bank so that authors own it.

Everything is exact: parameters are whole numbers, values are `Fraction`s, and an answer is
rounded once, half away from zero as examiners round, to the precision the question states.
"""

from __future__ import annotations

import math
import random
import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from content.schema import MetricDrill

Values = dict[str, Fraction]
Number = Fraction | Decimal | int
DRAW_ATTEMPTS = 200
BUTTONS = 4
SLIP_ATTEMPTS = 60  # "misread one number" recalculations tried when padding the buttons


class Undefined(ValueError):
    """The metric has no value for these numbers (e.g. no respondents)."""


class Nature(StrEnum):
    """What kind of figure a metric gives, which fixes its unit and its possible range."""

    SCORE = "score"  # NPS: a score from -100 to 100, no unit
    RATE = "rate"  # a percentage from 0 to 100
    MONEY = "money"  # an amount in pounds, never negative


UNIT_OF = {Nature.SCORE: "", Nature.RATE: "%", Nature.MONEY: "£"}
RANGE_OF: dict[Nature, tuple[int, int | None]] = {
    Nature.SCORE: (-100, 100),
    Nature.RATE: (0, 100),
    Nature.MONEY: (0, None),
}


def rounded(value: Number, decimals: int) -> Decimal:
    """`value` to `decimals` places, half away from zero (12.5 gives 13, -12.5 gives -13, 1.005 gives 1.01).

    Exact for fractions and decimals; pass a `Decimal("1.005")`, not the float 1.005, which is
    really 1.00499999...
    """
    scaled = Fraction(value) * 10**decimals
    whole = math.floor(abs(scaled) + Fraction(1, 2))
    return Decimal(whole if scaled >= 0 else -whole).scaleb(-decimals)


def _pct(part: int, whole: int, what: str) -> Fraction:
    if whole <= 0:
        raise Undefined(f"no {what}")
    return Fraction(100 * part, whole)


def _share(part: int, whole: int) -> Fraction | None:
    """A percentage for a mistake's arithmetic; None where the mistake has no value."""
    return Fraction(100 * part, whole) if whole > 0 else None


def nps(p: Mapping[str, int]) -> Values:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6); passives count in the total."""
    promoters, passives, detractors = p["promoters"], p["passives"], p["detractors"]
    respondents = promoters + passives + detractors
    promoters_pct = _pct(promoters, respondents, "respondents")
    detractors_pct = _pct(detractors, respondents, "respondents")
    return {
        "respondents": Fraction(respondents),
        "promoters_pct": promoters_pct,
        "detractors_pct": detractors_pct,
        "answer": promoters_pct - detractors_pct,
    }


def csat(p: Mapping[str, int]) -> Values:
    """CSAT: the percentage of respondents who gave a satisfied score (e.g. 4 or 5 out of 5)."""
    satisfied, other = p["satisfied"], p["unsatisfied"]
    respondents = satisfied + other
    return {"respondents": Fraction(respondents), "answer": _pct(satisfied, respondents, "respondents")}


def retention_rate(p: Mapping[str, int]) -> Values:
    """Customer retention rate: customers kept from the start, as a % of those at the start.

    Retention = (customers at the end - new customers won) / customers at the start x 100.
    """
    start, lost, new = p["start"], p["lost"], p["new"]
    if lost > start:
        raise Undefined("lost more customers than there were")
    end = start - lost + new
    kept = end - new
    return {
        "end": Fraction(end),
        "kept": Fraction(kept),
        "answer": _pct(kept, start, "customers at the start"),
    }


def churn_rate(p: Mapping[str, int]) -> Values:
    """Churn rate: customers lost in the period as a % of customers at the start."""
    start, lost = p["start"], p["lost"]
    if lost > start:
        raise Undefined("lost more customers than there were")
    return {"kept": Fraction(start - lost), "answer": _pct(lost, start, "customers at the start")}


def repeat_purchase_rate(p: Mapping[str, int]) -> Values:
    """Repeat purchase rate: customers who bought more than once, as a % of all customers."""
    repeat, once = p["repeat"], p["once"]
    customers = repeat + once
    return {"customers": Fraction(customers), "answer": _pct(repeat, customers, "customers")}


def lifetime_value(p: Mapping[str, int]) -> Values:
    """Customer lifetime value: average spend per purchase x purchases a year x years as a customer."""
    yearly = Fraction(p["spend"] * p["per_year"])
    return {"yearly": yearly, "answer": yearly * p["years"]}


def first_contact_resolution(p: Mapping[str, int]) -> Values:
    """FCR rate: contacts resolved at the first contact, as a % of all contacts handled."""
    first, later = p["first"], p["later"]
    contacts = first + later
    return {"contacts": Fraction(contacts), "answer": _pct(first, contacts, "contacts")}


def retention_profit(p: Mapping[str, int]) -> Values:
    """Profit after a retention gain, using the specifications' "5% more retention, 25-95% more profit"."""
    profit, uplift = p["profit"], p["uplift"]
    increase = Fraction(profit * uplift, 100)
    return {"increase": increase, "answer": profit + increase}


Mistakes = Callable[[Mapping[str, int], Values], Sequence[Fraction | int | None]]


@dataclass(frozen=True)
class Metric:
    """A metric drills can use: its arithmetic, what its figure is, and the mistakes learners make."""

    name: str
    label: str  # how a sentence names its figure: "NPS", "A CSAT score"
    nature: Nature
    compute: Callable[[Mapping[str, int]], Values]
    params: tuple[str, ...]
    mistakes: Mistakes  # each a value a learner gets by a real, named slip (None: no value here)

    @property
    def unit(self) -> str:
        """The unit its answers carry: "%" for a rate, "£" for money, none for a score."""
        return UNIT_OF[self.nature]

    def within_range(self, value: Decimal) -> bool:
        """Whether the figure could be this value at all (a rate of 104 % cannot)."""
        low, high = RANGE_OF[self.nature]
        return value >= low and (high is None or value <= high)


def _nps_mistakes(p: Mapping[str, int], v: Values) -> list[Fraction | int | None]:
    promoters, passives, detractors = p["promoters"], p["passives"], p["detractors"]
    voiced = promoters + detractors
    everyone = promoters + passives + detractors
    left_out = _share(promoters, voiced)
    return [
        v["promoters_pct"],  # forgot to subtract the detractors
        None if left_out is None else left_out - Fraction(100 * detractors, voiced),  # left passives out
        v["answer"] - Fraction(100 * passives, everyone),  # subtracted the passives too
        v["answer"] + Fraction(100 * passives, everyone),  # counted the passives as promoters
        -v["answer"],  # subtracted the wrong way round
        promoters - detractors,  # used the counts, not percentages
    ]


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("nps", "NPS", Nature.SCORE, nps, ("promoters", "passives", "detractors"), _nps_mistakes),
        Metric(
            "csat",
            "A CSAT score",
            Nature.RATE,
            csat,
            ("satisfied", "unsatisfied"),
            lambda p, v: [
                100 - v["answer"],  # gave the unsatisfied share
                _share(p["satisfied"], p["unsatisfied"]),  # divided by the unsatisfied, not everyone
                _share(p["unsatisfied"], p["satisfied"]),
            ],
        ),
        Metric(
            "retention_rate",
            "A retention rate",
            Nature.RATE,
            retention_rate,
            ("start", "lost", "new"),
            lambda p, v: [
                _share(int(v["end"]), p["start"]),  # kept the new customers in
                _share(p["lost"], p["start"]),  # gave the churn rate
                _share(int(v["kept"]), int(v["end"])),  # divided by the customers at the end
                _share(int(v["kept"]), p["start"] + p["new"]),  # divided by everyone served
            ],
        ),
        Metric(
            "churn_rate",
            "A churn rate",
            Nature.RATE,
            churn_rate,
            ("start", "lost"),
            lambda p, v: [
                100 - v["answer"],  # gave the retention rate
                _share(p["lost"], int(v["kept"])),  # divided by the customers who stayed
                _share(p["lost"], p["start"] + p["lost"]),  # added the lost to the start
            ],
        ),
        Metric(
            "repeat_purchase_rate",
            "A repeat purchase rate",
            Nature.RATE,
            repeat_purchase_rate,
            ("repeat", "once"),
            lambda p, v: [
                _share(p["repeat"], p["once"]),  # divided by the one-off buyers, not everyone
                100 - v["answer"],  # gave the one-off share
            ],
        ),
        Metric(
            "lifetime_value",
            "Customer lifetime value",
            Nature.MONEY,
            lifetime_value,
            ("spend", "per_year", "years"),
            lambda p, v: [
                v["yearly"],  # stopped at one year
                p["spend"] * p["years"],  # left out the visits a year
                p["spend"] * p["per_year"] + p["years"],  # added the years instead of multiplying
                v["yearly"] * (p["years"] + 1),  # counted one year too many
            ],
        ),
        Metric(
            "first_contact_resolution",
            "A first contact resolution rate",
            Nature.RATE,
            first_contact_resolution,
            ("first", "later"),
            lambda p, v: [
                _share(p["first"], p["later"]),  # divided by the unresolved, not all queries
                100 - v["answer"],  # gave the share that needed more contact
                _share(p["first"], p["first"] + 2 * p["later"]),  # counted every follow-up as a query
            ],
        ),
        Metric(
            "retention_profit",
            "The new profit",
            Nature.MONEY,
            retention_profit,
            ("profit", "uplift"),
            lambda p, v: [
                v["increase"],  # gave the increase, not the new profit
                Fraction(p["profit"] * 105, 100),  # used the 5% retention rise as the profit rise
                p["profit"] + Fraction(p["profit"] * p["uplift"], 1000),  # a decimal point slip
                p["profit"] + Fraction(p["profit"] * 95, 100) if p["uplift"] < 95 else None,  # the top
                p["profit"] + Fraction(p["profit"] * 25, 100)
                if p["uplift"] > 25
                else None,  # took the bottom
            ],
        ),
    )
}


@dataclass(frozen=True)
class DrillInstance:
    """One drill with its numbers drawn: what the learner is asked, and the checked answer."""

    params: dict[str, int]
    values: Values  # exact
    answer: Decimal  # the exact value rounded to the precision the question states
    options: list[Decimal]  # the buttons, smallest first, the answer among them
    answer_index: int

    @property
    def exact(self) -> Fraction:
        """The unrounded answer."""
        return self.values["answer"]


def placeholders(template: str) -> set[str]:
    """The {names} a template uses.

    Raises:
        ValueError: when the template's braces are malformed.
    """
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def draw_params(drill: MetricDrill, rng: random.Random) -> dict[str, int]:
    """Fresh numbers within each parameter's range."""
    return {name: rng.randint(low, high) for name, (low, high) in drill.params.items()}


_PLACES = {0: "as a whole number", 1: "to one decimal place", 2: "to two decimal places"}
_MONEY_PLACES = {0: "to the nearest pound", 1: "to the nearest 10p", 2: "to the nearest penny"}


def precision(drill: MetricDrill) -> str:
    """The precision a drill asks for, as its question states it: "to one decimal place"."""
    return (_MONEY_PLACES if drill.unit == "£" else _PLACES)[drill.decimals]


def example_answer(drill: MetricDrill) -> str:
    """A made-up answer typed the way the drill wants it ("42", "42.5", "1250")."""
    if drill.unit == "£":
        return "1250" if drill.decimals == 0 else "1250.50"
    return {0: "42", 1: "42.5", 2: "42.25"}[drill.decimals]


def _slips(metric: Metric, params: Mapping[str, int], rng: random.Random) -> list[Fraction]:
    """Answers from misreading one number of the question: plausible values near the answer."""
    found = []
    for _ in range(SLIP_ATTEMPTS):
        name = rng.choice(metric.params)
        value = params[name]
        delta = max(1, round(value * rng.uniform(0.04, 0.3)))
        slipped = {**params, name: value + rng.choice((-1, 1)) * delta}
        if slipped[name] < 0:
            continue
        try:
            found.append(metric.compute(slipped)["answer"])
        except Undefined:
            continue
    return found


def _buttons(
    metric: Metric, drill: MetricDrill, params: Mapping[str, int], values: Values, rng: random.Random
) -> list[Decimal]:
    """Four buttons: the answer and three wrong values a learner could reach, all within the metric's
    range, smallest first; the answer's place among them is uniform over draws.

    Real mistakes come first; "misread one number" slips, then near values, fill a side that has
    too few, so the answer is not given away by being the largest or the smallest.
    """
    answer = rounded(values["answer"], drill.decimals)
    step = Decimal(1).scaleb(-drill.decimals)
    low, high = RANGE_OF[metric.nature]
    room_below = int((answer - low) / step)
    room_above = BUTTONS if high is None else int((high - answer) / step)
    below_count = min(max(rng.randrange(BUTTONS), BUTTONS - 1 - room_above), room_below)
    wanted = {-1: below_count, 1: BUTTONS - 1 - below_count}
    chosen: set[Decimal] = set()

    def offer(candidates: Sequence[Number | None], side: int) -> None:
        for candidate in candidates:
            if candidate is None or sum(1 for c in chosen if (c > answer) == (side > 0)) >= wanted[side]:
                continue
            value = rounded(candidate, drill.decimals)
            if value != answer and metric.within_range(value) and (value > answer) == (side > 0):
                chosen.add(value)

    mistakes = list(metric.mistakes(params, values))
    rng.shuffle(mistakes)
    slips = _slips(metric, params, rng)
    spread = max(abs(answer) * Decimal("0.15"), 5 * step)
    for side in (-1, 1):
        offer(mistakes, side)
        offer(slips, side)
        room = room_below if side < 0 else room_above
        for _ in range(DRAW_ATTEMPTS):
            if sum(1 for c in chosen if (c > answer) == (side > 0)) >= wanted[side]:
                break
            steps = rng.randint(1, max(1, min(room, int(spread * 2 / step))))
            offer([answer + side * steps * step], side)
    return sorted([answer, *chosen])


def instance(
    drill: MetricDrill, params: Mapping[str, int], seed: int, buttons: Sequence[Decimal] | None = None
) -> DrillInstance:
    """Compute the drill for given numbers; `seed` fixes its buttons, unless the `buttons` it was
    shown with are given (so a prompt keeps the buttons it went out with).

    Raises:
        Undefined: when the metric has no value for these numbers.
    """
    metric = METRICS[drill.metric]
    values = metric.compute(dict(params))
    answer = rounded(values["answer"], drill.decimals)
    options = list(buttons) if buttons else []
    if answer not in options:
        options = _buttons(metric, drill, params, values, random.Random(seed))
    return DrillInstance(dict(params), values, answer, options, options.index(answer))


def generate(drill: MetricDrill, rng: random.Random, seed: int) -> DrillInstance:
    """Draw numbers until the metric is defined for them."""
    for _ in range(DRAW_ATTEMPTS):
        try:
            return instance(drill, draw_params(drill, rng), seed)
        except Undefined:
            continue
    raise Undefined(f"drill {drill.id}: no defined value in {DRAW_ATTEMPTS} draws; widen its ranges")


def format_number(value: Number, decimals: int, unit: str = "") -> str:
    """A number as a learner reads it: thousands separators, `decimals` places, its unit."""
    text = f"{rounded(value, decimals):,.{decimals}f}"
    if unit == "£":
        return f"-£{text[1:]}" if text.startswith("-") else f"£{text}"
    return f"{text}{unit}"


def render(template: str, drill: MetricDrill, drawn: DrillInstance) -> str:
    """Fill a question or solution template; computed values show with the drill's decimals."""
    fields: dict[str, str] = {}
    for name, value in drawn.params.items():
        fields[name] = f"{value:,}"
    fraction_places = 2 if drill.unit == "£" else 1  # pence, or one decimal place for rates
    for key, computed in drawn.values.items():
        fields[key] = format_number(computed, 0 if computed.denominator == 1 else fraction_places)
    fields["answer"] = format_number(drawn.answer, drill.decimals, drill.unit)
    return template.format(**fields)


def render_question(drill: MetricDrill, drawn: DrillInstance) -> str:
    """The question as the learner reads it, ending with the precision it wants."""
    return f"{render(drill.question, drill, drawn)} Give your answer {precision(drill)}."


@dataclass(frozen=True)
class Typed:
    """A number as the learner typed it: its value with the places they gave, and any unit."""

    value: Decimal
    unit: str  # "", "%" or "£"

    @property
    def places(self) -> int:
        """Decimal places typed ("98.10" has 2, "98" has 0)."""
        exponent = self.value.as_tuple().exponent
        return -exponent if isinstance(exponent, int) and exponent < 0 else 0


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")
_PERCENT = re.compile(r"(%|per\s*cent|percent|pct)$", re.IGNORECASE)
_POUNDS = re.compile(r"(pounds?|gbp)$", re.IGNORECASE)


def parse_answer(text: str) -> Typed | None:
    """Read a typed answer: "42", "42.0 %", "-12", "+20", "£1,250", "1250.50 pounds"; None if unreadable."""
    cleaned = text.strip().replace("\u2212", "-").lstrip("=").strip()
    unit = ""
    for pattern, name in ((_PERCENT, "%"), (_POUNDS, "£")):
        if pattern.search(cleaned):
            cleaned, unit = pattern.sub("", cleaned).strip(), name
    cleaned = cleaned.replace(" ", "")
    if "£" in cleaned:
        sign = cleaned[0] if cleaned[:1] in "+-" and cleaned[:1] else ""
        rest = cleaned[len(sign) :]
        if not rest.startswith("£") or unit == "%":
            return None
        cleaned, unit = sign + rest[1:], "£"
    if not cleaned or not _NUMBER.match(cleaned) or not any(ch.isdigit() for ch in cleaned):
        return None
    return Typed(Decimal(cleaned.replace(",", "")), unit)


class Mark(StrEnum):
    """How a typed answer to a drill is marked."""

    RIGHT = "right"  # the answer to the precision asked (or a correct, more precise one)
    NEARLY = "nearly"  # correctly rounded, but to fewer places than asked: not a wrong mark
    WRONG = "wrong"
    WRONG_UNIT = "wrong_unit"  # a unit the figure cannot have: not marked, the question stays open


def mark(drill: MetricDrill, drawn: DrillInstance, typed: Typed) -> Mark:
    """Mark a typed answer against the exact value, at the precision the question states."""
    if typed.unit and typed.unit != drill.unit:
        return Mark.WRONG_UNIT
    if typed.value == drawn.answer:
        return Mark.RIGHT
    places = typed.places
    if places > drill.decimals and abs(Fraction(typed.value) - drawn.exact) < Fraction(1, 10**places):
        return Mark.RIGHT
    if places < drill.decimals and typed.value == rounded(drawn.exact, places):
        return Mark.NEARLY
    return Mark.WRONG


def is_right(drill: MetricDrill, drawn: DrillInstance, given: Decimal | int) -> bool:
    """Whether a bare number (typed with its own places, or a button's value) is marked right."""
    return mark(drill, drawn, Typed(Decimal(given), "")) is Mark.RIGHT
