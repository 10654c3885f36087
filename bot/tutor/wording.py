"""Learners' wording made comparable: sentences, tokens, spelling variants, a light stemmer, typos.

The marker (`bot.tutor.marking`) reads answers through this module. Everything here is plain
string work over the standard library, fast enough for the bot's update path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import content

# --- sentences ---------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*•·>–—]+|\(?\d{1,2}[.)]|\(?[a-h][.)])\s*")
# A sentence ends at . ! ? ; followed by space, unless the dot closes an abbreviation.
_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)(?<!\beg)(?<!\bie)[.!?;]+(?=\s|$)")


@dataclass(frozen=True)
class Sentence:
    """One sentence of an answer: its text exactly as written, and where it starts."""

    text: str
    start: int


def split_sentences(text: str) -> list[Sentence]:
    """The answer's sentences: split at line breaks (messages, bullets) and at sentence ends."""
    found: list[Sentence] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        bullet = _BULLET.match(line)
        begin = bullet.end() if bullet and bullet.end() < len(line.rstrip()) else 0
        body = line[begin:]
        last = 0
        for end in _END.finditer(body):
            _add(found, body[last : end.end()], offset + begin + last)
            last = end.end()
        _add(found, body[last:], offset + begin + last)
        offset += len(line)
    return found


def _add(found: list[Sentence], raw: str, start: int) -> None:
    stripped = raw.strip()
    if stripped and re.search(r"[A-Za-z0-9]", stripped):
        found.append(Sentence(stripped, start + len(raw) - len(raw.lstrip())))


# --- tokens ------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[,:()/&+]|—|–| - ")
_CONTRACTIONS = {
    "can't": ("can", "not"),
    "cannot": ("can", "not"),
    "won't": ("will", "not"),
    "shan't": ("shall", "not"),
    "ain't": ("is", "not"),
}
# Contractions learners write without the apostrophe.
_BARE_NOT = {
    "dont": "do",
    "doesnt": "does",
    "didnt": "did",
    "isnt": "is",
    "arent": "are",
    "wasnt": "was",
    "werent": "were",
    "wont": "will",
    "cant": "can",
    "couldnt": "could",
    "wouldnt": "would",
    "shouldnt": "should",
    "hasnt": "has",
    "havent": "have",
    "hadnt": "had",
    "neednt": "need",
}
BOUNDARY = frozenset({",", ":", "(", ")", "/", "—", "–", "-", "&", "+"})


def tokens(text: str) -> list[str]:
    """Lowercased words and clause punctuation; contractions opened ("doesn't" -> does not),
    possessives dropped ("customer's" -> customer), hyphenated words split."""
    lowered = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    lowered = re.sub(r"\be-mail", "email", lowered)
    lowered = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", lowered)
    # Working written with signs reads as words: "55% - 20% = 35" is "55 minus 20 equals 35".
    lowered = re.sub(r"(?<=[0-9%])\s*[-\u2013\u2212]\s*(?=[0-9])", " minus ", lowered)
    lowered = re.sub(r"\s*=\s*", " equals ", lowered)
    out: list[str] = []
    for raw in _TOKEN.findall(lowered):
        word = raw.strip()
        if word in _CONTRACTIONS:
            out.extend(_CONTRACTIONS[word])
        elif word.endswith("n't"):
            out.extend((word[:-3], "not"))
        elif word in _BARE_NOT:
            out.extend((_BARE_NOT[word], "not"))
        elif "'" in word:
            out.append(word.split("'")[0])
        else:
            out.append(word)
    return _fold_negated_opposites([t for t in out if t])


# "not happy" says "unhappy", "don't leave" says "stay": the opposite word. The negation still
# covers what follows ("never leave for a cheaper price" does not say they leave for a price).
_OPPOSITES = {
    "happy": "unhappy",
    "satisfied": "dissatisfied",
    "pleased": "displeased",
    "leave": "stay",
    "leaving": "staying",
    "go": "stay",
    "lose": "keep",
    "losing": "keeping",
}


def _fold_negated_opposites(words: list[str]) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in {"not", "never"} and following in _OPPOSITES:
            out.extend((_OPPOSITES[following], word))
            index += 2
            continue
        out.append(word)
        index += 1
    return out


# --- spelling variants and stems ---------------------------------------------------------------

_VARIANTS = (
    (re.compile(r"(?<=[a-z]{3})iz(?=e|a|i|$)"), "is"),  # personalize -> personalise
    (re.compile(r"(?<=[a-z]{2})yz(?=e|i|$)"), "ys"),  # analyze -> analyse
    (re.compile(r"(?<=[a-z]{3})our(?=$|s$|ed$|ing$|ite|able|ably|ful|less|ist)"), "or"),  # behaviour
    (re.compile(r"(?<=[a-z]{3})tre(?=$|s$|d$)"), "ter"),  # centre -> center
    (re.compile(r"^judgement"), "judgment"),
    (re.compile(r"^(?=[a-z]{4})(travel|cancel|label|model|signal|fuel|level)l(?=ed|ing|er)"), r"\1"),
    (re.compile(r"^programme"), "program"),
)


@cache
def fold(word: str) -> str:
    """British and American spellings folded to one form (ise/ize, our/or, tre/ter, ...)."""
    for pattern, replacement in _VARIANTS:
        word = pattern.sub(replacement, word)
    return word


_KEEP_S = ("ss", "us", "is", "ys")
_DOUBLE = re.compile(r"([bcdfgkmnprtvz])\1$")


@cache
def stem(word: str) -> str:
    """A light stem: plural, tense and -ing endings and a final e or y folded (stores, stored,
    storing, store -> stor; satisfied, satisfy -> satisfi). Words of three letters stay whole."""
    word = fold(word)
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "i"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(_KEEP_S):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if len(base) >= 2 and re.search(r"[aeiouy]", base):
                word = base
            break
    if len(word) >= 4:
        word = _DOUBLE.sub(r"\1", word)
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("y") and word[-2] not in "aeiou":
        word = word[:-1] + "i"
    return word


# --- misspellings ------------------------------------------------------------------------------


def typo_allowance(word: str) -> int:
    """How many edits a misspelling of `word` may be away: none under five letters."""
    return 2 if len(word) >= 8 else 1 if len(word) >= 5 else 0


@lru_cache(maxsize=65536)
def distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit); `limit + 1` once
    it is certainly beyond `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


# Real words a misspelling tolerance must never bend into another word: a learner who writes one
# of these meant it ("remain" is not a typo of "retain"). The content bank's own words are added.
_COMMON = """
about above accept access account across act action active actually add added address after again
against age agent agree aim all allow almost alone along already also although always amount and
another answer any anyone anything appear apply approach area argue around arrive ask attention
attract available average avoid away back bad bank base basic because become before begin behind
being believe below best better between big bill board body book both bottom brand break bring
build business busy buy call came can card care careful case cause centre certain chance change
charge cheap check choice choose claim class clear client close come comment common company
compare complain complaint complete concern condition consider contact contain content continue
control cost could count country course cover create credit current customer cut data date day
deal decide decision deliver demand department depend describe design detail detect develop
different direct discount discuss display distance divide does done down during each early easy
effect effort either else email employ encourage end enough ensure enter entire error even event
ever every evidence exact example except expect expense experience explain express extend extra
face fact fail fair fall family far fast fault fear feature feel few field figure file fill final
find fine finish first focus follow form forward free friend front full further future gain general
give goal good great group grow guess habit half hand happen happy hard have head hear help high
hold home hope hour however idea identify important improve include increase indeed inform
information instead interest into issue item itself join just keep kind know lack large last late
later lead learn least leave less level like likely limit line list listen little live local long
look lose loss lost loyal main maintain make manage many market matter mean measure meet member
mention method might mind miss moment money month more most move much must name near need never
next note nothing notice number offer often only open order other over own part pay people perhaps
person phone place plan point policy poor possible post power prefer present press price problem
process produce product profit promise proper prove provide public purpose quality question quick
quite rate rather reach read ready real reason receive recent record reduce refer refund relate
remain remember remind remove repair repeat reply report request require resolve respond response
result retail retain return review right risk role rule safe sale same save scale score second see
seem sell send sense serve service set share short should show side sign simple since single size
small social solve some soon sort source speak special spend staff stage stand start state stay
still stop store story strong such suggest suit supply support sure survey system take talk target
task team tell term test than that their them then there these they thing think this those though
through time today together total touch toward track train treat trend true trust turn type under
understand unit until upon usage use used user usually value various very view visit wait want
warn waste watch way well went what when where whether which while whole why wide will wish with
within without word work worth would write year yet your
attain detain obtain contain sustain maintain remainder retainer intention detention tension
mention contention relation reaction creation affection reflection selection collection election
perception reception deception retail detail curtail recall recoil record reward regard retire
referral reversal refusal survival renewal approval removal
"""


@cache
def known_words() -> frozenset[str]:
    """Correctly spelt words (a built-in list and every word of the content bank), as stems."""
    words = set(_COMMON.split())
    bank = Path(content.__file__).resolve().parent / "bank"
    for path in sorted(bank.glob("*.yaml")):
        words.update(re.findall(r"[a-z]{5,}", path.read_text(encoding="utf-8").lower()))
    return frozenset(stem(word) for word in words)


def near(learner: str, wanted: str) -> bool:
    """Whether the learner's word is a misspelling of the wanted one: both five letters or more,
    same first letter, within the typo allowance, and not itself a known word."""
    allowance = typo_allowance(wanted)
    if not allowance or len(learner) < 5 or learner[0] != wanted[0] or learner == wanted:
        return False
    if learner in known_words() or stem(learner) in known_words():
        return False
    return distance(learner, wanted, allowance) <= allowance


def near_prefix(learner: str, prefix: str) -> bool:
    """Whether the learner's (folded) word starts with a misspelling of `prefix` (five letters or
    more), e.g. "personlised" for "personalis*"."""
    allowance = typo_allowance(prefix)
    if not allowance or len(learner) < len(prefix) - allowance or learner[0] != prefix[0]:
        return False
    if stem(learner) in known_words():
        return False
    return any(
        distance(learner[:size], prefix, allowance) <= allowance
        for size in range(len(prefix) - allowance, len(prefix) + allowance + 1)
        if 0 < size <= len(learner)
    )
