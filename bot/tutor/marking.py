"""Automatic marking of a written answer against an exam question's marking scheme.

A plain function of the question and the learner's text: no network, no state. For each marking
point it says whether the answer earns it and quotes the learner's sentence that does.

How a point is earned (docs/exam.md, "How written answers are marked", says it for authors):
- one of its phrasings is found in one sentence: every group, in any order, each word compared
  by its light stem with British/American spellings folded and small misspellings forgiven
  (`bot.tutor.wording`);
- no group is found only under a negator of its clause ("does not reduce churn"), unless the
  phrasing itself says the negation ("not just");
- the match is not only the question's own words echoed back;
- the sentence is a sentence (not a fragment of keywords), and gives a reason when the point
  `needs: reason` (or the next sentence does: "This means..."), weighs when it `needs: judgement`;
- an answer that reads as a pasted list of keywords earns one point at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bot.tutor.wording import (
    BOUNDARY,
    Sentence,
    fold,
    near,
    near_prefix,
    split_sentences,
    stem,
    tokens,
)
from content.phrasing import Alternative, Phrasing, parse
from content.schema import JUDGING_COMMANDS, ExamQuestion, Needs, SchemePoint

QUOTE_LIMIT = 200  # characters of the learner's sentence quoted back

# --- words that steer the marking --------------------------------------------------------------

# Negators scope forward to the end of their clause; the "narrow" ones over a few words only
# ("without extra cost" negates the cost, not the rest of the clause).
_NEGATORS = frozenset(
    {"not", "no", "never", "nor", "neither", "none", "nothing", "nobody", "hardly", "rarely", "seldom"}
    | {"barely", "unable", "cannot", "noone"}
)
_NARROW_NEGATORS = frozenset({"without", "lack", "lacks", "lacking", "instead", "rather"})
_NARROW_SCOPE = 4
_FAIL = frozenset({"fail", "fails", "failed", "failing"})
# "not only X but also Y" affirms X.
_NOT_NEGATING_AFTER_NOT = frozenset({"only", "just", "simply", "merely", "least"})
# Words that open a new clause: a negator's scope ends there.
_CLAUSE_WORDS = frozenset(
    {"but", "however", "whereas", "although", "though", "while", "whilst", "because", "since", "so"}
    | {"which", "therefore", "thus", "hence", "unless", "if", "when", "yet", "then", "who", "and"}
)
# "and" ends a negator's scope only when a new subject follows it.
_SUBJECTS = frozenset({"it", "they", "this", "that", "these", "we", "staff", "customers", "the", "he", "she"})

_REASON_WORDS = frozenset(
    {"because", "so", "therefore", "thus", "hence", "consequently", "since", "due", "which", "meaning"}
    | {"means", "mean", "lead", "leads", "leading", "led", "result", "results", "resulting", "cause"}
    | {"causes", "caused", "causing", "help", "helps", "helping", "allow", "allows", "allowing"}
    | {"enable", "enables", "enabling", "make", "makes", "making", "encourage", "encourages", "why"}
    | {"ensure", "ensures", "otherwise", "order", "then", "saves", "save", "prevents", "prevent"}
    | {"stops", "stop", "reduces", "reduce", "increases", "increase", "improves", "improve", "builds"}
    | {"boosts", "drives", "creates", "gives", "keeps", "brings", "costs", "cost", "cheaper", "if"}
    | {"when", "show", "shows", "tells", "tell", "reveals", "lets", "let", "for"}
)
_REASON_OPENERS = frozenset(
    {"this", "that", "so", "because", "therefore", "thus", "hence", "as", "which", "it", "they"}
)

_JUDGEMENT_WORDS = frozenset(
    {"better", "worse", "best", "worst", "more", "less", "most", "least", "than", "however", "whereas"}
    | {"although", "though", "but", "while", "whilst", "overall", "conclusion", "recommend"}
    | {"recommended", "suitable", "suits", "suited", "appropriate", "depends", "depending", "outweigh"}
    | {"outweighs", "advantage", "advantages", "disadvantage", "disadvantages", "strength"}
    | {"strengths", "weakness", "weaknesses", "limitation", "limitations", "drawback", "drawbacks"}
    | {"downside", "prefer", "preferable", "ideal", "ideally", "stronger", "weaker", "cheaper"}
    | {"faster", "slower", "easier", "harder", "greater", "richer", "deeper", "only", "balance"}
    | {"trade", "opinion", "judge", "judgement", "judgment", "weigh", "worth", "justified"}
    | {"effective", "useful", "valuable", "reliable", "accurate", "clearer", "fuller", "whereby"}
)

# Words of grammar: a real sentence has some; a pasted list of keywords has almost none.
_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "this", "that", "these", "those", "it", "its", "they", "them", "their", "we"}
    | {"our", "you", "your", "he", "she", "his", "her", "i", "me", "my", "is", "are", "was", "were"}
    | {"be", "been", "being", "am", "do", "does", "did", "has", "have", "had", "can", "could", "will"}
    | {"would", "should", "may", "might", "must", "shall", "to", "of", "in", "on", "at", "by", "for"}
    | {"with", "from", "into", "about", "as", "if", "so", "because", "which", "who", "when", "where"}
    | {"how", "why", "what", "there", "than", "then", "but", "not", "also", "more", "most", "very"}
    | {"all", "some", "any", "each", "every", "one", "them", "who", "whom", "what", "such", "up"}
    | {"out", "over", "through", "get", "gets", "got", "make", "makes", "made", "helps", "help"}
    | {"lets", "let", "means", "mean", "like", "feel", "feels", "keeps", "keep", "gives", "give"}
)
_JOINTS = frozenset({"and", "or", "&", "+", ",", "/", "also", "plus"})


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointMark:
    """One marking point: earned or not, and the learner's sentence that earned it."""

    point_id: str
    earned: bool
    quote: str | None = None
    why_not: str | None = None  # for a point found but withheld: "negated", "no reason", ...


@dataclass(frozen=True)
class Marking:
    """The automatic marking of one answer, point by point in scheme order."""

    points: tuple[PointMark, ...]
    stuffed: bool = False  # the answer read as a list of keywords; at most one point was given

    @property
    def earned(self) -> int:
        """Points earned."""
        return sum(point.earned for point in self.points)


# --- reading the answer ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    """One sentence made ready for matching."""

    sentence: Sentence
    words: tuple[str, ...]  # folded words, punctuation left out
    stems: tuple[str, ...]
    negated_by: tuple[tuple[int, ...], ...]  # for each word, the negators (word indexes) over it
    real: bool  # a sentence, not a fragment or a comma list of keywords
    listy: bool  # joined like a list of keywords
    reasons: bool
    weighs: bool


def _negations(raw: list[str]) -> tuple[list[str], list[tuple[int, ...]]]:
    """The words of a sentence and, for each, the indexes of the negators whose scope covers it."""
    words: list[str] = []
    scopes: list[tuple[int, int]] = []  # (negator index, last index it covers); -1: to clause end
    open_scopes: list[int] = []
    covered: list[tuple[int, ...]] = []
    for position, token in enumerate(raw):
        if token in BOUNDARY:
            open_scopes = []
            continue
        following = raw[position + 1] if position + 1 < len(raw) else ""
        if token in _CLAUSE_WORDS and (token != "and" or following in _SUBJECTS):
            open_scopes = []
        index = len(words)
        words.append(fold(token))
        live = tuple(
            n for n in open_scopes if scopes[n][1] == -1 or index <= scopes[n][1]
        )  # scopes still open
        covered.append(tuple(scopes[n][0] for n in live))
        negator = (token in _NEGATORS and not (token == "not" and following in _NOT_NEGATING_AFTER_NOT)) or (
            token in _FAIL and following == "to"
        )
        narrow = token in _NARROW_NEGATORS and (
            token in {"without", "lack", "lacks", "lacking"}
            or (token == "instead" and following == "of")
            or (token == "rather" and following == "than")
        )
        if negator or narrow:
            scopes.append((index, -1 if negator else index + _NARROW_SCOPE))
            open_scopes.append(len(scopes) - 1)
    return words, covered


def _read(sentence: Sentence) -> _Reading:
    raw = tokens(sentence.text)
    words, covered = _negations(raw)
    stems = tuple(stem(word) for word in words)
    function = sum(word in _FUNCTION_WORDS for word in words)
    joints = sum(token in _JOINTS for token in raw)
    content_words = max(1, len(words) - function - sum(word in _JOINTS for word in words))
    real = len(words) >= 4 and function >= 1 and function / max(1, len(words)) >= 0.12
    listy = joints >= 3 and joints / content_words >= 0.3
    word_set = set(words)
    reasons = bool(word_set & _REASON_WORDS) or _purpose(words)
    weighs = bool(word_set & _JUDGEMENT_WORDS)  # "than" catches every "-er than"
    return _Reading(sentence, tuple(words), stems, tuple(covered), real, listy, reasons, weighs)


def _purpose(words: list[str]) -> bool:
    """'...in order to', 'so as to', or a verb of purpose followed by 'to' (used to, helps to)."""
    text = " ".join(words)
    return any(marker in text for marker in ("in order to", "so as to", "used to", "use it to", "aim to"))


def _opens_with_reason(reading: _Reading) -> bool:
    words = reading.words
    if not words:
        return False
    head = " ".join(words[:3])
    return words[0] in _REASON_OPENERS and (
        words[0] in {"so", "because", "therefore", "thus", "hence", "which", "as"}
        or any(marker in head for marker in ("means", "meaning", "lead", "result", "help", "make", "allow"))
        or bool(set(words[:4]) & _REASON_WORDS)
    )


# --- matching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    text: str  # folded
    stem: str
    prefix: bool


@dataclass(frozen=True)
class _Alternative:
    words: tuple[_Word, ...]
    negative: bool  # says a negation itself ("not just"): negators inside it are the idea


@dataclass(frozen=True)
class _Compiled:
    source: str
    groups: tuple[tuple[_Alternative, ...], ...]


def _compile_alternative(alternative: Alternative) -> _Alternative:
    words = []
    for position, raw in enumerate(alternative.words):
        for part_index, part in enumerate(tokens(raw) or [raw]):
            prefix = alternative.prefix and position == len(alternative.words) - 1
            folded = fold(part)
            is_last_part = part_index == len(tokens(raw) or [raw]) - 1
            words.append(_Word(folded, stem(part), prefix and is_last_part))
    negative = any(word.text in _NEGATORS | _NARROW_NEGATORS | _FAIL for word in words)
    return _Alternative(tuple(words), negative)


@cache
def _compiled(phrasing: str) -> _Compiled:
    parsed: Phrasing = parse(phrasing)
    return _Compiled(phrasing, tuple(tuple(_compile_alternative(a) for a in g) for g in parsed.groups))


def _word_matches(wanted: _Word, text: str, word_stem: str) -> bool:
    if wanted.prefix:
        return text.startswith(wanted.text) or (len(wanted.text) >= 5 and near_prefix(text, wanted.text))
    return (
        word_stem == wanted.stem
        or text == wanted.text
        or near(word_stem, wanted.stem)
        or near(text, wanted.text)
    )


_GAP = 1  # a word the learner slipped into a several-word alternative ("keep their customers")


def _occurrences(alternative: _Alternative, reading: _Reading) -> list[tuple[int, ...]]:
    """Every place the alternative is found: the indexes of its words in the sentence."""
    found: list[tuple[int, ...]] = []
    words, stems = reading.words, reading.stems
    first = alternative.words[0]
    for start in range(len(words)):
        if not _word_matches(first, words[start], stems[start]):
            continue
        positions = [start]
        for wanted in alternative.words[1:]:
            nxt = positions[-1] + 1
            hit = next(
                (
                    i
                    for i in range(nxt, min(nxt + _GAP + 1, len(words)))
                    if _word_matches(wanted, words[i], stems[i])
                ),
                None,
            )
            if hit is None or (hit > nxt and words[nxt] in _NEGATORS):
                break
            positions.append(hit)
        else:
            found.append(tuple(positions))
    return found


@dataclass(frozen=True)
class _Hit:
    """A phrasing found in a sentence: or why it was withheld."""

    positions: tuple[int, ...]
    negated: bool


def _find(compiled: _Compiled, reading: _Reading, question_stems: frozenset[str]) -> _Hit | None:
    """The phrasing in this sentence, negated or not; None when some group is missing or the
    match only repeats the question's words."""
    per_group: list[list[tuple[_Alternative, tuple[int, ...]]]] = []
    for group in compiled.groups:
        hits = [(alt, positions) for alt in group for positions in _occurrences(alt, reading)]
        if not hits:
            return None
        per_group.append(hits)
    # Negators that belong to the phrasing's own words ("not just") negate nothing.
    owned = {p for hits in per_group for alt, positions in hits if alt.negative for p in positions}
    chosen: list[tuple[int, ...]] = []
    negated = False
    for hits in per_group:
        clean = [
            positions
            for alt, positions in hits
            if alt.negative or not any(set(reading.negated_by[p]) - owned for p in positions)
        ]
        if clean:
            chosen.append(clean[0])
        else:
            chosen.append(hits[0][1])
            negated = True
    new_words = any(reading.stems[p] not in question_stems for positions in chosen for p in positions)
    if not new_words:
        return None
    return _Hit(tuple(p for positions in chosen for p in positions), negated)


# --- marking -----------------------------------------------------------------------------------


def quote(sentence: str, limit: int = QUOTE_LIMIT) -> str:
    """The learner's sentence, cut at a word to at most `limit` characters with an ellipsis."""
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return f"{cut}…"


def _stuffed(readings: list[_Reading]) -> bool:
    """An answer that reads as pasted keywords: mostly fragments or list-joined words."""
    total = sum(len(r.words) for r in readings)
    if not total:
        return False
    list_words = sum(len(r.words) for r in readings if r.listy or not r.real)
    function = sum(word in _FUNCTION_WORDS for r in readings for word in r.words)
    return list_words / total >= 0.5 or (total >= 8 and function / total < 0.15)


def _point_mark(
    point: SchemePoint,
    readings: list[_Reading],
    question_stems: frozenset[str],
    judging_list: bool,
) -> tuple[PointMark, int | None]:
    """The point's mark and the index of the sentence that earned it."""
    why_not: str | None = None
    for index, reading in enumerate(readings):
        for phrasing in point.phrasings:
            hit = _find(_compiled(phrasing), reading, question_stems)
            if hit is None:
                continue
            if hit.negated:
                why_not = why_not or "negated"
                continue
            if not reading.real:
                why_not = why_not or "not a sentence"
                continue
            if point.needs is Needs.REASON and not (
                reading.reasons or (index + 1 < len(readings) and _opens_with_reason(readings[index + 1]))
            ):
                why_not = why_not or "no reason given"
                continue
            if point.needs is Needs.JUDGEMENT and (judging_list or not reading.weighs):
                why_not = why_not or "no judgement"
                continue
            return PointMark(point.id, True, quote(reading.sentence.text)), index
    return PointMark(point.id, False, None, why_not), None


def mark(question: ExamQuestion, text: str) -> Marking:
    """Mark `text` against the question's scheme."""
    readings = [_read(sentence) for sentence in split_sentences(text)]
    question_stems = frozenset(stem(word) for word in tokens(question.question) if word not in BOUNDARY)
    stuffed = _stuffed(readings)
    real = [r for r in readings if r.real]
    judging_list = question.command in JUDGING_COMMANDS and (
        stuffed or len(real) < max(1, len(readings) // 2) or all(r.listy for r in real)
    )
    marks: list[PointMark] = []
    per_sentence: dict[int, int] = {}
    for point in question.points:
        point_mark, index = _point_mark(point, readings, question_stems, judging_list)
        if index is not None:
            already = per_sentence.get(index, 0)
            allowed = 1 if readings[index].listy else max(2, len(readings[index].words) // 6)
            if already >= allowed or (stuffed and sum(m.earned for m in marks) >= 1):
                point_mark = PointMark(point.id, False, None, "list of keywords")
            else:
                per_sentence[index] = already + 1
        marks.append(point_mark)
    return Marking(tuple(marks), stuffed)
