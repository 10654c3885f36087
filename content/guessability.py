"""How far a test-wise guesser gets without knowing the unit: pure measures over a loaded bank.

A true/false bank is guessable when surface cues predict the answer: "only", "always" or
"enough" in a false statement, "can" or "one of" in a true one. A multiple-choice bank is
guessable when the right answer is the longest option, or when a distractor turns up again and
again but is never right. A drill's buttons are guessable when the answer sits at the same rank
among them (always the largest, say). Each function here measures one such rule; the limits
below are what `python -m content check` holds a bank to (docs/content.md says why each is set
where it is).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from content.drills import generate
from content.schema import Bank, MetricDrill, MultipleChoice, TrueFalse

# --- the limits ------------------------------------------------------------------------------------
# Each is the most a rule that needs no knowledge of the unit may score, in percent; the checker
# fails a bank where a rule scores more. Blind guessing scores 50 % on true/false and 25 % on four
# options or four buttons.
CUE_RULE_LIMIT = 60  # true/false: the cue-word rule, and its hedging variant
BEST_WORD_LIMIT = 62  # true/false: the best single-word rule (the best of hundreds of words tried)
LONGEST_ANSWER_LIMIT = 30  # multiple choice: items whose right answer is strictly the longest option
REUSED_DISTRACTOR_USES = 3  # multiple choice: a wrong option used this often and never right (none allowed)
DRILL_RULE_LIMIT = 40  # drills: draws in which "tap the largest" (or smallest, or nearest 100) is right
DRILL_DRAWS = 1000  # draws per drill item when measuring its buttons
DRILL_SEED = 12  # fixes those draws, so the figures are the same on every run


def beats(right: int, total: int, limit: int) -> bool:
    """Whether `right` out of `total` is more than `limit` percent (exact: no rounding)."""
    return 100 * right > limit * total


def percent(right: int, total: int) -> str:
    """`right` out of `total` as the checker prints it: "53.9 %"."""
    return f"{100 * right / total:.1f} %" if total else "0.0 %"


# A statement containing one of these is guessed false by the cue-word rule.
ABSOLUTE_WORDS = frozenset(
    {
        "always",
        "never",
        "all",
        "every",
        "only",
        "must",
        "guarantee",
        "guarantees",
        "guaranteed",
        "impossible",
        "none",
        "nothing",
        "completely",
        "entirely",
        "totally",
        "no",
    }
)
SUFFICIENCY_WORDS = frozenset(
    {
        "mainly",
        "main",
        "mostly",
        "best",
        "enough",
        "little",
        "simply",
        "just",
        "purely",
        "solely",
        "alone",
        "merely",
        "sufficient",
    }
)
CUE_WORDS = ABSOLUTE_WORDS | SUFFICIENCY_WORDS
# A statement containing one of these (and no cue word, see below) is guessed true by the variant.
HEDGING_WORDS = frozenset(
    {"can", "may", "might", "could", "some", "often", "usually", "sometimes", "help", "helps", "tends"}
)
HEDGING_PHRASES = (("one", "of"), ("part", "of"))


def words(text: str) -> list[str]:
    """The lowercased alphabetic tokens of `text` ("customer's" gives "customer" and "s")."""
    return re.findall(r"[a-z]+", text.casefold())


def has_cue_word(text: str) -> bool:
    """Whether `text` holds an absolute or a sufficiency word."""
    return not CUE_WORDS.isdisjoint(words(text))


def has_hedge(text: str) -> bool:
    """Whether `text` holds a hedging word or phrase ("can", "one of"...)."""
    tokens = words(text)
    if not HEDGING_WORDS.isdisjoint(tokens):
        return True
    pairs = set(pairwise(tokens))
    return any(phrase in pairs for phrase in HEDGING_PHRASES)


def _statements(bank: Bank) -> list[TrueFalse]:
    return [item for item in bank.items.values() if isinstance(item, TrueFalse)]


@dataclass(frozen=True)
class CueRule:
    """How well cue words predict true/false answers.

    `accuracy` is the main rule: a cue word (absolute or sufficiency) means false, anything else
    true. `hedging_accuracy` is the variant: a cue word means false, a hedge means true, and a
    statement with neither is guessed by the majority answer. The variant leaves two choices open
    (a statement with both a cue word and a hedge; the majority when the bank is split evenly), so
    it is reported for the guesser's best choice of both: the worst case for the bank.
    """

    statements: int
    true_count: int
    cue_statements: int  # statements with an absolute or sufficiency word
    cue_false: int  # ...of which false
    hedged_statements: int  # statements with a hedge
    hedged_true: int  # ...of which true
    right: int  # statements the main rule gets right
    hedging_right: int  # statements the variant gets right (the guesser's best choices)
    accuracy: float  # the main rule, 0 to 1
    hedging_accuracy: float  # the variant, 0 to 1

    @property
    def true_share(self) -> float:
        """The share of statements that are true, 0 to 1."""
        return self.true_count / self.statements if self.statements else 0.0


def truefalse_cue_rule(bank: Bank) -> CueRule:
    """Score the cue-word rule and its hedging variant over every true/false item of `bank`."""
    items = _statements(bank)
    total = len(items)
    cues = [has_cue_word(item.statement) for item in items]
    hedges = [has_hedge(item.statement) for item in items]
    answers = [item.answer for item in items]
    main = sum(answer == (not cue) for answer, cue in zip(answers, cues, strict=True))
    trues = sum(answers)
    majorities = [True, False] if 2 * trues == total else [2 * trues > total]
    best_variant = 0
    for majority in majorities:
        for both in (False, True, majority):  # the guess for a statement with a cue word and a hedge
            right = 0
            for answer, cue, hedge in zip(answers, cues, hedges, strict=True):
                guess = both if cue and hedge else False if cue else True if hedge else majority
                right += guess == answer
            best_variant = max(best_variant, right)
    return CueRule(
        statements=total,
        true_count=trues,
        cue_statements=sum(cues),
        cue_false=sum(1 for answer, cue in zip(answers, cues, strict=True) if cue and not answer),
        hedged_statements=sum(hedges),
        hedged_true=sum(1 for answer, hedge in zip(answers, hedges, strict=True) if hedge and answer),
        right=main,
        hedging_right=best_variant,
        accuracy=main / total if total else 0.0,
        hedging_accuracy=best_variant / total if total else 0.0,
    )


@dataclass(frozen=True)
class BestWord:
    """The single word that best predicts true/false answers: "contains `word` -> `answer_if_present`,
    otherwise the opposite" scores `accuracy`."""

    word: str
    answer_if_present: bool
    present: int  # statements that contain the word
    right: int  # statements the rule gets right
    statements: int
    accuracy: float  # 0 to 1


def truefalse_best_word(bank: Bank) -> BestWord:
    """Try every word of every statement as a one-word rule and return the best (ties: alphabetical)."""
    items = _statements(bank)
    total = len(items)
    trues = sum(item.answer for item in items)
    falses = total - trues
    with_word: dict[str, Counter[bool]] = {}
    for item in items:
        for word in set(words(item.statement)):
            with_word.setdefault(word, Counter())[item.answer] += 1
    best = BestWord(word="", answer_if_present=True, present=0, right=0, statements=total, accuracy=0.0)
    for word in sorted(with_word):
        counts = with_word[word]
        true_in, false_in = counts[True], counts[False]
        for answer, right in ((True, true_in + falses - false_in), (False, false_in + trues - true_in)):
            accuracy = right / total
            if accuracy > best.accuracy:
                best = BestWord(word, answer, true_in + false_in, right, total, accuracy)
    return best


@dataclass(frozen=True)
class LongestShare:
    """How often the right answer of a multiple-choice item is strictly its longest option."""

    mcqs: int
    longest: tuple[str, ...]  # ids of the items whose answer is strictly the longest option

    @property
    def share(self) -> float:
        """The share of items whose answer is strictly longest, 0 to 1."""
        return len(self.longest) / self.mcqs if self.mcqs else 0.0


def _mcqs(bank: Bank) -> list[MultipleChoice]:
    return [item for item in bank.items.values() if isinstance(item, MultipleChoice)]


def mcq_longest_share(bank: Bank) -> LongestShare:
    """Count the items whose right answer is longer (in characters) than every wrong option."""
    items = _mcqs(bank)
    longest = tuple(item.id for item in items if len(item.answer) > max(len(w) for w in item.wrong))
    return LongestShare(mcqs=len(items), longest=longest)


@dataclass(frozen=True)
class ReusedDistractor:
    """A wrong option used in several items and right in none: a learner soon learns to skip it."""

    text: str
    uses: int
    items: tuple[str, ...]


def mcq_reused_distractors(bank: Bank, least: int = REUSED_DISTRACTOR_USES) -> list[ReusedDistractor]:
    """Wrong options (case ignored) used at least `least` times and never a right answer, most used first."""
    items = _mcqs(bank)
    right = {item.answer.strip().casefold() for item in items}
    uses: dict[str, list[str]] = {}
    spelling: dict[str, str] = {}
    for item in items:
        for option in item.wrong:
            key = option.strip().casefold()
            spelling.setdefault(key, option.strip())
            uses.setdefault(key, []).append(item.id)
    found = [
        ReusedDistractor(spelling[key], len(ids), tuple(ids))
        for key, ids in uses.items()
        if len(ids) >= least and key not in right
    ]
    return sorted(found, key=lambda d: (-d.uses, d.text.casefold()))


# --- drill buttons ---------------------------------------------------------------------------------

# Each rule ranks the four buttons; the guesser taps the first. Ties go to the guesser (the
# rule counts as right when the answer is among the buttons it ranks first), so the figure is
# an upper bound. "nearest 100" is measured on money drills too (as £100): a figure to read
# with the metric's range in mind, held to the same limit.
BUTTON_RULES: tuple[tuple[str, Callable[[Decimal], Decimal]], ...] = (
    ("largest", lambda value: -value),
    ("smallest", lambda value: value),
    ("nearest 100", lambda value: abs(value - 100)),
)


def picks(options: Sequence[Decimal], rank: Callable[[Decimal], Decimal]) -> set[int]:
    """The indices of the buttons `rank` puts first (several on a tie)."""
    best = min(rank(value) for value in options)
    return {index for index, value in enumerate(options) if rank(value) == best}


@dataclass(frozen=True)
class RuleScore:
    """How often one button rule taps the right button of one drill."""

    rule: str
    right: int
    draws: int

    @property
    def share(self) -> float:
        """The share of draws the rule gets right, 0 to 1."""
        return self.right / self.draws if self.draws else 0.0


@dataclass(frozen=True)
class DrillButtons:
    """One drill item's buttons over many draws: how often each simple rule taps the right one.

    `largest`, `smallest` and `nearest_100` are counts of draws (out of `draws`) in which tapping
    the largest value, the smallest, or the one closest to 100 is right.
    """

    item: str
    metric: str
    draws: int
    largest: int
    smallest: int
    nearest_100: int

    @property
    def rules(self) -> tuple[RuleScore, ...]:
        """Each rule's score, in BUTTON_RULES order."""
        counts = (self.largest, self.smallest, self.nearest_100)
        return tuple(
            RuleScore(name, right, self.draws) for (name, _), right in zip(BUTTON_RULES, counts, strict=True)
        )

    @property
    def worst(self) -> RuleScore:
        """The rule that scores best against this drill (the first of equals): the bank's worst case."""
        return max(self.rules, key=lambda score: score.right)


def drill_buttons(drill: MetricDrill, draws: int = DRILL_DRAWS, seed: int = DRILL_SEED) -> DrillButtons:
    """Draw `drill` `draws` times, as practice does, and score each button rule.

    Raises:
        Undefined: when a draw finds no numbers for which the metric is defined.
    """
    rng = random.Random(seed)
    counts = [0] * len(BUTTON_RULES)
    for _ in range(draws):
        # The numbers come from `rng`; the button order from a seed of their own, as a prompt's id.
        drawn = generate(drill, rng, seed=rng.randrange(2**32))
        for index, (_, rank) in enumerate(BUTTON_RULES):
            counts[index] += drawn.answer_index in picks(drawn.options, rank)
    largest, smallest, nearest_100 = counts
    return DrillButtons(drill.id, drill.metric, draws, largest, smallest, nearest_100)


def drill_button_rules(bank: Bank, draws: int = DRILL_DRAWS, seed: int = DRILL_SEED) -> list[DrillButtons]:
    """Every drill item of `bank` (bank order), each drawn `draws` times from the same `seed`."""
    return [drill_buttons(item, draws, seed) for item in bank.items.values() if isinstance(item, MetricDrill)]
