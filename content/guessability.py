"""How far a test-wise guesser gets without knowing the unit: pure measures over a loaded bank.

A true/false bank is guessable when surface cues predict the answer: "only", "always" or
"enough" in a false statement, "can" or "one of" in a true one. A multiple-choice bank is
guessable when the right answer is the longest option, or when a distractor turns up again and
again but is never right. Each function here measures one such cue; the tests hold the shipped
bank to thresholds on them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from content.schema import Bank, MultipleChoice, TrueFalse

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
    best = BestWord(word="", answer_if_present=True, present=0, accuracy=0.0)
    for word in sorted(with_word):
        counts = with_word[word]
        true_in, false_in = counts[True], counts[False]
        for answer, right in ((True, true_in + falses - false_in), (False, false_in + trues - true_in)):
            accuracy = right / total
            if accuracy > best.accuracy:
                best = BestWord(word, answer, true_in + false_in, accuracy)
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


def mcq_reused_distractors(bank: Bank, least: int = 3) -> list[ReusedDistractor]:
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
