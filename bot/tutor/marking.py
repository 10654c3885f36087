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
- an answer made mostly of fragments earns nothing; one that reads as pasted keywords earns one
  point at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

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
_AUXILIARIES = frozenset(
    {"do", "does", "did", "is", "are", "was", "were", "can", "will", "would", "should", "could", "has"}
    | {"have", "had", "may", "might", "must", "shall", "be"}
)
_DENIAL_REACH = 5  # "offers and messages do not help": a denial this close after a match negates it
_FAIL = frozenset({"fail", "fails", "failed", "failing"})
# "not only X but also Y" affirms X.
_NOT_NEGATING_AFTER_NOT = frozenset({"only", "just", "simply", "merely", "least"})
# Words that open a new clause: a negator's scope ends there.
_CLAUSE_WORDS = frozenset(
    {"but", "however", "whereas", "although", "though", "while", "whilst", "because", "since", "so"}
    | {"which", "therefore", "thus", "hence", "unless", "if", "when", "yet", "then", "who", "and", "or"}
)
# "and" ends a negator's scope when a new subject follows it, or a verb of its own well after the
# negator: "does not store and analyse data" and "is not a strategy for managing and building
# relationships" negate both; "doesn't have to repeat themselves and gets the same service" not.
_AND_REACH = 3
_SUBJECTS = frozenset({"it", "they", "this", "that", "these", "we", "staff", "customers", "the", "he", "she"})

# Words that link a reason or consequence: connectives count wherever they are; words of cause
# and effect only outside the matched words ("personal service reduces churn" states the effect
# the point is about, it gives no reason for it).
_CONNECTIVES = frozenset(
    {"because", "so", "therefore", "thus", "hence", "consequently", "since", "due", "which", "meaning"}
    | {"means", "mean", "if", "when", "then", "otherwise", "order", "why"}
)
_REASON_WORDS = _CONNECTIVES | frozenset(
    {"lead", "leads", "leading", "led", "result", "results", "resulting", "cause"}
    | {"causes", "caused", "causing", "help", "helps", "helping", "allow", "allows", "allowing"}
    | {"enable", "enables", "enabling", "make", "makes", "making", "encourage", "encourages"}
    | {"ensure", "ensures", "saves", "save", "prevents", "prevent"}
    | {"stops", "stop", "reduces", "reduce", "increases", "increase", "improves", "improve", "builds"}
    | {"boosts", "drives", "creates", "gives", "keeps", "brings", "costs", "cost", "cheaper"}
    | {"show", "shows", "tells", "tell", "reveals", "lets", "let", "for", "likely"}
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
    | {"effective", "useful", "clearer", "fuller", "truer"}
)

# Words of grammar: a real sentence has some; a pasted list of keywords has almost none.
_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "this", "that", "these", "those", "it", "its", "they", "them", "their", "we"}
    | {"our", "you", "your", "he", "she", "his", "her", "i", "me", "my", "is", "are", "was", "were"}
    | {"be", "been", "being", "am", "do", "does", "did", "has", "have", "had", "can", "could", "will"}
    | {"would", "should", "may", "might", "must", "shall", "to", "of", "in", "on", "at", "by", "for"}
    | {"with", "from", "into", "about", "as", "if", "so", "because", "which", "who", "when", "where"}
    | {"how", "why", "what", "there", "than", "then", "but", "not", "also", "more", "most", "very"}
    | {"all", "some", "any", "each", "every", "one", "them", "who", "whom", "what", "such"}
    | {"over", "through", "get", "gets", "got", "make", "makes", "made", "helps", "help"}
    | {"lets", "let", "means", "mean", "like", "feel", "feels", "keeps", "keep", "gives", "give"}
)
# Words that say nothing by themselves: an answer's only new words cannot be these.
_EMPTY_WORDS = (
    _AUXILIARIES
    | {"a", "an", "the", "it", "its", "they", "them", "their", "this", "that"}
    | {
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "and",
        "or",
    }
)
# A sentence has a word of grammar; a long one, at least this share of its words.
_GRAMMAR_SHARE_LONG, _LONG_SENTENCE = 0.15, 12
# A chain of keywords: so many "and"s, making up this share of the words, with half the words
# in short stretches between commas and "and"s.
_CHAIN, _LONG_CHAIN, _CHAIN_SHARE, _CHAIN_ITEM_WORDS = 3, 6, 0.15, 4
_CHAIN_JOINTS = frozenset({"and", "or", "&", "+", "plus"})
_STUFFED_GRAMMAR_SHARE = 0.15  # an answer with fewer words of grammar than this is pasted keywords
# A sentence packed with the scheme's keywords: their share of it (two points found; three or more).
_PACKED, _PACKED_3 = 0.8, 0.5
# What makes a sentence of a short line: an auxiliary, a subject pronoun or a verb ("staff tailor
# offers"); "personalised offers" is a phrase, not a sentence.
_SENTENCE_WORDS = (
    _AUXILIARIES | {"it", "they", "we", "you", "i", "he", "she"} | {"this", "which", "who", "there"}
)
_VERB_LIST = """
    act add adapt affect allow analyse anticipate apologise apply ask assess attract avoid become bring build
    buy call capture care cause change check choose collect come compare complain contact cost count
    create cut deal decide deliver depend describe drive earn email encourage enable ensure explain
    feel find fix flag follow gain gather get give go grow handle happen help hold identify
    improve include increase keep know lead learn leave let listen log look lose lower make matter mean
    measure meet miss monitor need notice offer pay personalise predict prevent promote protect provide
    raise rate reach react receive recommend record reduce refer remember reply report resolve respond
    return reward save say see segment sell send share show solve spend spot stay stop store suit
    switch tailor take target tell thank track train trust try turn understand update use value want
    welcome win work worry produce explore involve suffer uncover run drop fall rise cancel renew
    recognise remind answer join visit order pick skip ignore put sort lack
"""
_VERBS = frozenset(stem(verb) for verb in _VERB_LIST.split())
_JOINTS = frozenset({"and", "or", "&", "+", ",", "/", ":", "plus"})
_LIST_ITEMS = 4  # items in a row that make a list...
_LIST_ITEM_WORDS = 3  # ...of at most this many words each, one of them at most a word of grammar
_LONG_LIST = 6  # so many items in a row make a list whatever else the sentence holds
_SIGNS = "=%/\u00f7\u00d7"  # = % / and the division and multiplication signs
_CALCULATION = frozenset({"divided", "divide", "minus", "times", "x", "multiplied", "subtract", "add"})


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
    clause_of: tuple[int, ...]  # for each word, the number of its clause
    denials: tuple[int, ...]  # negators after an auxiliary ("do not", "is never"): they deny a subject
    real: bool  # a sentence, not a fragment or a comma list of keywords
    listy: bool  # joined like a list of keywords
    reasons: tuple[int, ...]  # where the sentence gives a reason or consequence
    weighs: bool

    @cached_property
    def by_initial(self) -> dict[str, list[int]]:
        """Word indexes by first letter: a word matches (even misspelt) only with its own."""
        found: dict[str, list[int]] = {}
        for index, word in enumerate(self.words):
            found.setdefault(word[:1], []).append(index)
        return found


def _negations(raw: list[str]) -> tuple[list[str], list[tuple[int, ...]], list[int]]:
    """The words of a sentence; for each, the indexes of the negators whose scope covers it; and
    for each, its clause's number."""
    words: list[str] = []
    clause_of: list[int] = []
    clause = 0
    scopes: list[tuple[int, int]] = []  # (negator index, last index it covers); -1: to clause end
    open_scopes: list[int] = []
    covered: list[tuple[int, ...]] = []
    for position, token in enumerate(raw):
        if token in BOUNDARY:
            open_scopes = []
            clause += 1
            continue
        following = raw[position + 1] if position + 1 < len(raw) else ""
        if token in _CLAUSE_WORDS and (
            token not in {"and", "or"}
            or following in _SUBJECTS
            or (
                open_scopes
                and all(len(words) - scopes[n][0] > _AND_REACH for n in open_scopes)
                and _finite_verb(following)
            )
        ):
            open_scopes = []
            clause += 1
        index = len(words)
        words.append(fold(token))
        clause_of.append(clause)
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
    return words, covered, clause_of


def _short_segments(raw: list[str]) -> int:
    """Words in the stretches of at most four words between commas and "and"s: most of a chain of
    keywords ("inaccurate data and no training and no strategy and...")."""
    total = current = 0
    for token in [*raw, ","]:
        if token in _JOINTS or token in BOUNDARY:
            total += current if current <= _CHAIN_ITEM_WORDS else 0
            current = 0
        else:
            current += 1
    return total


def _finite_verb(word: str) -> bool:
    """A verb with a tense or person ending ("gets", "stayed"), which starts a predicate of its own."""
    return word.endswith(("s", "ed")) and not word.endswith("ss") and _is_verb(stem(word))


@cache
def _is_verb(word_stem: str) -> bool:
    """Whether the stem is one of the verbs that make a short line a sentence, or a misspelling."""
    return word_stem in _VERBS or any(near(word_stem, verb) for verb in _VERBS)


def _list_run(raw: list[str]) -> int:
    """How many words of the sentence sit in its longest run of short list items separated by
    commas ("standards, snapshot, costly, bias"): four items or more, else 0."""
    items: list[tuple[int, int, bool]] = []  # (words, words of grammar, ends at a comma) per item
    current = grammar = 0
    for token in raw:
        if token in _JOINTS or token in BOUNDARY:
            items.append((current, grammar, token == ","))
            current = grammar = 0
        else:
            current += 1
            grammar += token in _FUNCTION_WORDS or token in _NEGATORS
    items.append((current, grammar, False))
    best = run_items = run_words = commas = 0
    for size, function, comma in items:
        if 1 <= size <= _LIST_ITEM_WORDS and function <= 1:
            run_items += 1
            run_words += size
            if run_items >= _LIST_ITEMS and commas >= 2:
                best = max(best, run_words if run_items < _LONG_LIST else 10_000)
            commas += comma
        elif size:  # a long item ends the run; the comma after it may start the next
            run_items = run_words = 0
            commas = int(comma)
    return best


def _read(sentence: Sentence) -> _Reading:
    raw = tokens(sentence.text)
    words, covered, clause_of = _negations(raw)
    denials = tuple(
        index
        for index, word in enumerate(words)
        if index and word in _NEGATORS and words[index - 1] in _AUXILIARIES and any(covered[index + 1 :])
    )
    stems = tuple(stem(word) for word in words)
    function = sum(word in _FUNCTION_WORDS for word in words)
    calculation = (
        2 <= len(words) <= 15
        and any(word.isdigit() for word in words)
        and (bool(set(words) & _CALCULATION) or any(sign in sentence.text for sign in _SIGNS))
    )
    spoken = max(1, sum(word not in _JOINTS for word in words))  # "and" and "or" say nothing of grammar
    if spoken >= _LONG_SENTENCE:
        real = function / spoken >= _GRAMMAR_SHARE_LONG
    else:
        # A short line is a sentence with an auxiliary, a subject pronoun, "=" or a verb ("staff
        # tailor offers"); "personalised offers" is a phrase (a verb's -ed or -ing form opening a
        # line is taken for an adjective).
        sentence_words = sum(word in _SENTENCE_WORDS for word in words) + sentence.text.count("=")
        verbs = sum(
            _is_verb(word_stem) and (index > 0 or not words[index].endswith(("ed", "ing")))
            for index, word_stem in enumerate(stems)
        )
        real = len(words) >= 3 and sentence_words + verbs >= 1
    real = real or calculation
    joints = sum(token in _CHAIN_JOINTS for token in raw)  # comma lists are _list_run's
    run = _list_run(raw)
    chained = joints / max(1, len(words)) >= _CHAIN_SHARE and _short_segments(raw) * 2 >= spoken
    listy = run * 2 >= len(words) or (joints >= _CHAIN and chained)
    # A sentence that is mostly a list carries no point at all; one with a list in it, one at most.
    real = real and not (run * 10 >= len(words) * 7 or (joints >= _LONG_CHAIN and chained))
    word_set = set(words)
    reasons = tuple(i for i, word in enumerate(words) if word in _REASON_WORDS)
    if _purpose(words):
        reasons += (len(words),)  # "in order to": the sentence gives a purpose
    weighs = bool(word_set & _JUDGEMENT_WORDS)  # "than" catches every "-er than"
    return _Reading(
        sentence, tuple(words), stems, tuple(covered), tuple(clause_of), denials, real, listy, reasons, weighs
    )


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
        if text.startswith(wanted.text):
            return True
        # A misspelling keeps its first letter: most words are ruled out before any counting.
        return len(wanted.text) >= 5 and text[:1] == wanted.text[:1] and near_prefix(text, wanted.text)
    if word_stem == wanted.stem or text == wanted.text:
        return True
    if len(wanted.stem) < 5 or text[:1] != wanted.text[:1] or abs(len(text) - len(wanted.text)) > 2:
        return False
    return near(word_stem, wanted.stem) or near(text, wanted.text)


_GAP = 1  # a word the learner slipped into a several-word alternative ("keep their customers")


def _occurrences(alternative: _Alternative, reading: _Reading) -> list[tuple[int, ...]]:
    """Every place the alternative is found: the indexes of its words in the sentence."""
    found: list[tuple[int, ...]] = []
    words, stems = reading.words, reading.stems
    first = alternative.words[0]
    for start in reading.by_initial.get(first.text[:1], ()):
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
    match only repeats the question's words (pass no `question_stems` to allow that)."""
    per_group: list[list[tuple[_Alternative, tuple[int, ...]]]] = []
    for group in compiled.groups:
        hits = [(alt, positions) for alt in group for positions in _occurrences(alt, reading)]
        if not hits:
            return None
        per_group.append(hits)
    # Negators that belong to the phrasing's own words ("not just") negate nothing.
    owned = {p for hits in per_group for alt, positions in hits if alt.negative for p in positions}
    # A subject denied by what follows it in its clause: "personalised offers do not help" denies
    # every word of the phrasing found before the "do not" in that clause.
    found = {
        p
        for hits in per_group
        for _, positions in hits
        for p in positions
        if reading.words[p] not in _CONNECTIVES and reading.words[p] not in _FUNCTION_WORDS
    }
    denied: set[int] = set()
    for denial in reading.denials:
        if denial in owned:
            continue
        before = [p for p in found if p < denial and reading.clause_of[p] == reading.clause_of[denial]]
        if before and denial - max(before) <= _DENIAL_REACH:
            denied.update(before)
    chosen: list[tuple[int, ...]] = []
    negated = False
    for hits in per_group:
        clean = [
            positions
            for alt, positions in hits
            if alt.negative or not any(set(reading.negated_by[p]) - owned or p in denied for p in positions)
        ]
        if clean:
            chosen.append(clean[0])
        else:
            chosen.append(hits[0][1])
            negated = True
    # An echo of the question is no answer: some word of content must be the learner's own.
    new_words = any(
        reading.stems[p] not in question_stems and reading.words[p] not in _EMPTY_WORDS
        for positions in chosen
        for p in positions
    )
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


def _bare_list(readings: list[_Reading]) -> bool:
    """An answer whose words are mostly in fragments, not sentences, or that has not one word of
    grammar in eight or more: it earns nothing."""
    total = sum(len(r.words) for r in readings)
    fragments = sum(len(r.words) for r in readings if not r.real)
    grammar = sum(word in _FUNCTION_WORDS for r in readings for word in r.words)
    return bool(total) and (fragments * 2 > total or (total >= 8 and not grammar))


def _stuffed(readings: list[_Reading]) -> bool:
    """An answer that reads as pasted keywords: mostly fragments or list-joined words, or hardly
    a word of grammar. It earns one point at most."""
    total = sum(len(r.words) for r in readings)
    if not total:
        return False
    list_words = sum(len(r.words) for r in readings if r.listy or not r.real)
    function = sum(word in _FUNCTION_WORDS for r in readings for word in r.words)
    return list_words * 2 >= total or (total >= 8 and function / total < _STUFFED_GRAMMAR_SHARE)


_PRONOUNS = frozenset({"they", "these", "those"})  # "it" and "this" too often point at no noun
_LINKS = frozenset({"but", "and", "so", "however", "also", "yet", "although", "though"})


def _refers_back(reading: _Reading) -> bool:
    """Whether the sentence opens on a pronoun ("But they are costly"), so it speaks of what the
    sentence before it named."""
    words = [word for word in reading.words[:3] if word not in _LINKS]
    return bool(words) and words[0] in _PRONOUNS


def _joined(before: _Reading, reading: _Reading) -> _Reading:
    """The sentence with the one before it in front, for a pronoun's sake: the grammar, reasons
    and weighing are still the later sentence's own."""
    offset = len(before.words)
    clauses = max(before.clause_of, default=0) + 1
    return _Reading(
        sentence=reading.sentence,
        words=before.words + reading.words,
        stems=before.stems + reading.stems,
        negated_by=before.negated_by + tuple(tuple(n + offset for n in ns) for ns in reading.negated_by),
        clause_of=before.clause_of + tuple(c + clauses for c in reading.clause_of),
        denials=before.denials + tuple(d + offset for d in reading.denials),
        real=reading.real,
        listy=reading.listy,
        reasons=tuple(r + offset for r in reading.reasons),
        weighs=reading.weighs,
    )


def _hits(
    point: SchemePoint, readings: list[_Reading], index: int, question_stems: frozenset[str]
) -> list[_Hit]:
    """Where each of the point's phrasings is found in sentence `index`, negated or not."""
    reading = readings[index]
    if point.needs is Needs.JUDGEMENT:
        # Choosing between the question's own options ("mystery shopping is more suitable") is
        # the judgement asked for, not an echo.
        question_stems = frozenset()
    found = []
    for phrasing in point.phrasings:
        hit = _find(_compiled(phrasing), reading, question_stems)
        if hit is None and index and _refers_back(reading):
            # "Focus groups give depth. But they are costly.": "they" brings the focus groups.
            offset = len(readings[index - 1].words)
            joined = _find(_compiled(phrasing), _joined(readings[index - 1], reading), question_stems)
            if joined is not None and max(joined.positions) >= offset:
                hit = _Hit(tuple(p - offset for p in joined.positions if p >= offset), joined.negated)
        if hit is not None:
            found.append(hit)
    return found


def _packed(readings: list[_Reading], hits: list[list[list[_Hit]]]) -> list[bool]:
    """For each sentence, whether it is packed with the scheme's keywords: a long sentence (twelve
    words or more) with two points or more found in it, and their words most of it (four in five;
    half when three points or more). A learner's own long sentence making two points is rarely
    more than two thirds keywords; a short definition may be ("retention is keeping existing
    customers and acquisition is winning new ones"), so short sentences are left alone."""
    packed = []
    for index, reading in enumerate(readings):
        points = [point_hits[index] for point_hits in hits if point_hits[index]]
        words = {p for found in points for hit in found for p in hit.positions}
        spoken = sum(word not in _JOINTS for word in reading.words)
        share = len(words) / max(1, spoken)
        packed.append(
            spoken >= _LONG_SENTENCE
            and len(points) >= 2
            and (share >= _PACKED or (len(points) >= 3 and share >= _PACKED_3))
        )
    return packed


def _point_mark(
    point: SchemePoint,
    readings: list[_Reading],
    hits: list[list[_Hit]],
    judging_list: bool,
) -> tuple[PointMark, int | None]:
    """The point's mark and the index of the sentence that earned it."""
    why_not: str | None = None
    for index, reading in enumerate(readings):
        for hit in hits[index]:
            if hit.negated:
                why_not = why_not or "negated"
                continue
            if not reading.real:
                why_not = why_not or "not a sentence"
                continue
            if point.needs is Needs.REASON and not (
                set(reading.reasons) - set(hit.positions)
                or any(reading.words[p] in _CONNECTIVES for p in reading.reasons)
                or (index + 1 < len(readings) and _opens_with_reason(readings[index + 1]))
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
    hits = [
        [_hits(point, readings, i, question_stems) for i in range(len(readings))] for point in question.points
    ]
    packed = _packed(readings, hits)
    stuffed = _stuffed(readings)
    bare = _bare_list(readings)
    real = [r for r in readings if r.real]
    judging_list = question.command in JUDGING_COMMANDS and (
        stuffed or len(real) < max(1, len(readings) // 2) or all(r.listy for r in real)
    )
    marks: list[PointMark] = []
    per_sentence: dict[int, int] = {}
    for point, point_hits in zip(question.points, hits, strict=True):
        point_mark, index = _point_mark(point, readings, point_hits, judging_list)
        if index is not None:
            already = per_sentence.get(index, 0)
            allowed = 1 if readings[index].listy or packed[index] else max(2, len(readings[index].words) // 6)
            if bare or already >= allowed or (stuffed and sum(m.earned for m in marks) >= 1):
                point_mark = PointMark(point.id, False, None, "list of keywords")
            else:
                per_sentence[index] = already + 1
        marks.append(point_mark)
    return Marking(tuple(marks), stuffed)
