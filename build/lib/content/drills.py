"""Metric drills: the arithmetic of each metric, fresh numbers per prompt, and answer checking.

A drill item in YAML names a `metric` defined here, the ranges of its parameters, and templates
for the question and the worked solution. The arithmetic lives in code so that it is tested;
the wording lives in the bank so that authors own it.
"""

from __future__ import annotations

import math
import random
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from content.schema import MetricDrill

Values = dict[str, float]
DRAW_ATTEMPTS = 200


class Undefined(ValueError):
    """The metric has no value for these numbers (e.g. no respondents)."""


def _pct(part: float, whole: float, what: str) -> float:
    if whole <= 0:
        raise Undefined(f"no {what}")
    return 100 * part / whole


def nps(p: Mapping[str, float]) -> Values:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6); passives count in the total."""
    promoters, passives, detractors = p["promoters"], p["passives"], p["detractors"]
    respondents = promoters + passives + detractors
    promoters_pct = _pct(promoters, respondents, "respondents")
    detractors_pct = _pct(detractors, respondents, "respondents")
    return {
        "respondents": respondents,
        "promoters_pct": promoters_pct,
        "detractors_pct": detractors_pct,
        "answer": promoters_pct - detractors_pct,
    }


def csat(p: Mapping[str, float]) -> Values:
    """CSAT: the percentage of respondents who gave a satisfied score (e.g. 4 or 5 out of 5)."""
    satisfied, other = p["satisfied"], p["unsatisfied"]
    respondents = satisfied + other
    return {"respondents": respondents, "answer": _pct(satisfied, respondents, "respondents")}


def retention_rate(p: Mapping[str, float]) -> Values:
    """Customer retention rate: customers kept from the start, as a % of those at the start.

    Retention = (customers at the end - new customers won) / customers at the start x 100.
    """
    start, lost, new = p["start"], p["lost"], p["new"]
    if lost > start:
        raise Undefined("lost more customers than there were")
    end = start - lost + new
    kept = end - new
    return {"end": end, "kept": kept, "answer": _pct(kept, start, "customers at the start")}


def churn_rate(p: Mapping[str, float]) -> Values:
    """Churn rate: customers lost in the period as a % of customers at the start."""
    start, lost = p["start"], p["lost"]
    if lost > start:
        raise Undefined("lost more customers than there were")
    return {"kept": start - lost, "answer": _pct(lost, start, "customers at the start")}


def repeat_purchase_rate(p: Mapping[str, float]) -> Values:
    """Repeat purchase rate: customers who bought more than once, as a % of all customers."""
    repeat, once = p["repeat"], p["once"]
    customers = repeat + once
    return {"customers": customers, "answer": _pct(repeat, customers, "customers")}


def lifetime_value(p: Mapping[str, float]) -> Values:
    """Customer lifetime value: average spend per purchase x purchases a year x years as a customer."""
    spend, per_year, years = p["spend"], p["per_year"], p["years"]
    yearly = spend * per_year
    return {"yearly": yearly, "answer": yearly * years}


def first_contact_resolution(p: Mapping[str, float]) -> Values:
    """FCR rate: contacts resolved at the first contact, as a % of all contacts handled."""
    first, later = p["first"], p["later"]
    contacts = first + later
    return {"contacts": contacts, "answer": _pct(first, contacts, "contacts")}


def retention_profit(p: Mapping[str, float]) -> Values:
    """Profit after a retention gain, using the specifications' "5% more retention, 25-95% more profit"."""
    profit, uplift = p["profit"], p["uplift"]
    increase = profit * uplift / 100
    return {"increase": increase, "answer": profit + increase}


@dataclass(frozen=True)
class Metric:
    """A metric drills can use: its arithmetic and the mistakes learners commonly make with it."""

    name: str
    compute: Callable[[Mapping[str, float]], Values]
    params: tuple[str, ...]
    mistakes: Callable[[Mapping[str, float], Values], list[float]]


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "nps",
            nps,
            ("promoters", "passives", "detractors"),
            lambda p, v: [
                v["promoters_pct"],  # forgot to subtract detractors
                100 * p["promoters"] / max(p["promoters"] + p["detractors"], 1)
                - 100
                * p["detractors"]
                / max(p["promoters"] + p["detractors"], 1),  # left passives out of the total
                v["promoters_pct"]
                - v["detractors_pct"]
                - 100 * p["passives"] / v["respondents"],  # subtracted passives
                p["promoters"] - p["detractors"],  # used counts, not percentages
            ],
        ),
        Metric(
            "csat",
            csat,
            ("satisfied", "unsatisfied"),
            lambda p, v: [100 - v["answer"], 100 * p["satisfied"] / max(p["unsatisfied"], 1), p["satisfied"]],
        ),
        Metric(
            "retention_rate",
            retention_rate,
            ("start", "lost", "new"),
            lambda p, v: [
                100 * v["end"] / p["start"],
                100 * p["lost"] / p["start"],
                100 * v["kept"] / v["end"],
            ],
        ),
        Metric(
            "churn_rate",
            churn_rate,
            ("start", "lost"),
            lambda p, v: [100 - v["answer"], 100 * p["lost"] / max(v["kept"], 1), p["lost"]],
        ),
        Metric(
            "repeat_purchase_rate",
            repeat_purchase_rate,
            ("repeat", "once"),
            lambda p, v: [100 * p["repeat"] / max(p["once"], 1), 100 - v["answer"], p["repeat"]],
        ),
        Metric(
            "lifetime_value",
            lifetime_value,
            ("spend", "per_year", "years"),
            lambda p, v: [v["yearly"], p["spend"] * p["years"], p["spend"] * p["per_year"] + p["years"]],
        ),
        Metric(
            "first_contact_resolution",
            first_contact_resolution,
            ("first", "later"),
            lambda p, v: [100 * p["first"] / max(p["later"], 1), 100 - v["answer"], p["first"]],
        ),
        Metric(
            "retention_profit",
            retention_profit,
            ("profit", "uplift"),
            lambda p, v: [v["increase"], p["profit"] * 1.05, p["profit"] * (1 + p["uplift"] / 1000)],
        ),
    )
}


@dataclass(frozen=True)
class DrillInstance:
    """One drill with its numbers drawn: what the learner is asked, and the checked answer."""

    params: dict[str, int]
    values: Values
    answer: float
    options: list[float]  # four buttons, the answer among them, in display order
    answer_index: int


def placeholders(template: str) -> set[str]:
    """The {names} a template uses.

    Raises:
        ValueError: when the template's braces are malformed.
    """
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def draw_params(drill: MetricDrill, rng: random.Random) -> dict[str, int]:
    """Fresh numbers within each parameter's range."""
    return {name: rng.randint(low, high) for name, (low, high) in drill.params.items()}


def _round(value: float, decimals: int) -> float:
    # Round half away from zero, as people do by hand (Python's round() rounds half to even).
    factor = 10**decimals
    return math.copysign(math.floor(abs(value) * factor + 0.5) / factor, value)


def instance(drill: MetricDrill, params: Mapping[str, int], seed: int) -> DrillInstance:
    """Compute the drill for given numbers; `seed` fixes the order of the answer buttons.

    Raises:
        Undefined: when the metric has no value for these numbers.
    """
    metric = METRICS[drill.metric]
    values = metric.compute({k: float(v) for k, v in params.items()})
    answer = _round(values["answer"], drill.decimals)
    options = [answer]
    step = 10 ** (-drill.decimals)

    def distinct(candidate: float) -> bool:
        # A wrong button must be marked wrong, and must not look like another button.
        wrong = abs(candidate - values["answer"]) > drill.tolerance + 1e-9 and candidate != answer
        return wrong and all(abs(candidate - o) > step / 2 for o in options)

    for mistake in metric.mistakes(params, values):
        candidate = _round(mistake, drill.decimals)
        if distinct(candidate):
            options.append(candidate)
    rng = random.Random(seed)
    # Pad with plausible near misses when the common mistakes coincide with the answer.
    spread = max(abs(answer) * 0.15, 5 * step, drill.tolerance * 3)
    while len(options) < 4:
        candidate = _round(answer + rng.choice([-1, 1]) * rng.uniform(spread / 2, spread * 2), drill.decimals)
        if distinct(candidate):
            options.append(candidate)
    options = options[:4]
    order = list(range(4))
    rng.shuffle(order)
    shown = [options[i] for i in order]
    return DrillInstance(dict(params), values, answer, shown, order.index(0))


def generate(drill: MetricDrill, rng: random.Random, seed: int) -> DrillInstance:
    """Draw numbers until the metric is defined for them."""
    for _ in range(DRAW_ATTEMPTS):
        try:
            return instance(drill, draw_params(drill, rng), seed)
        except Undefined:
            continue
    raise Undefined(f"drill {drill.id}: no defined value in {DRAW_ATTEMPTS} draws; widen its ranges")


def format_number(value: float, decimals: int, unit: str = "") -> str:
    """A number as a learner reads it: thousands separators, the drill's decimals, its unit."""
    text = f"{_round(value, decimals):,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
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
        fields[key] = format_number(computed, 0 if float(computed).is_integer() else fraction_places)
    fields["answer"] = format_number(drawn.answer, drill.decimals, drill.unit)
    return template.format(**fields)


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


def parse_number(text: str) -> float | None:
    """Read a typed answer: "42", "42%", "42.0", "-12", "+20", "£1,250", "1250.50"; None if unreadable."""
    cleaned = text.strip().replace(" ", "").replace("\u2212", "-").rstrip("%").replace("£", "")
    cleaned = cleaned.lstrip("=")
    if cleaned.startswith("-£") or cleaned.startswith("+£"):
        cleaned = cleaned[0] + cleaned[2:]
    if not cleaned or not _NUMBER.match(cleaned) or not any(ch.isdigit() for ch in cleaned):
        return None
    return float(cleaned.replace(",", ""))


def is_right(drill: MetricDrill, drawn: DrillInstance, given: float) -> bool:
    """Whether `given` is within the drill's tolerance of the exact answer."""
    exact = drawn.values["answer"]
    return abs(given - exact) <= drill.tolerance + 1e-9 or abs(given - drawn.answer) <= 1e-9
