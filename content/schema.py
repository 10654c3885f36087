"""The content schema: pydantic models for the catalogue and every kind of item."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

ALL_BODIES = "all"
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,47}$"

ItemId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ItemKind(StrEnum):
    """The kinds of prompt the bank holds."""

    CONCEPT = "concept"
    TRUE_FALSE = "truefalse"
    MCQ = "mcq"
    DRILL = "drill"
    TIP = "tip"
    EXAM = "exam"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AwardingBody(_Strict):
    """An awarding body whose specification the unit follows."""

    id: ItemId
    name: Text
    qualification: Text


class Source(_Strict):
    """One seed specification page that items cite."""

    id: str
    file: Text
    body: str

    @field_validator("id", mode="before")
    @classmethod
    def _pad(cls, value: object) -> object:
        return f"{value:03d}" if isinstance(value, int) else value


class Area(_Strict):
    """A topic area: what mastery and selection are measured over."""

    id: ItemId
    name: Text
    description: Text


class Floors(_Strict):
    """The least the bank must hold; the checker enforces it (a unit of your own may lower it)."""

    concept: int = Field(default=0, ge=0)
    truefalse: int = Field(default=0, ge=0)
    mcq: int = Field(default=0, ge=0)
    drill: int = Field(default=0, ge=0)
    tip: int = Field(default=0, ge=0)
    exam: int = Field(default=0, ge=0)
    exam_per_outcome: int = Field(default=0, ge=0)  # exam questions per learning outcome per awarding body
    per_area: int = Field(default=0, ge=0)
    true_share: tuple[int, int] = (0, 100)  # percent of true/false items that are true


class RetiredItem(_Strict):
    """A published item taken out of the bank on purpose; its id is never reused."""

    id: ItemId
    reason: Text


class MarkingPoint(_Strict):
    """One assessment criterion or examiner marking point of a specification."""

    id: ItemId
    text: Text


class Outcome(_Strict):
    """One of the three shared learning outcomes, with the marking points a specification gives it."""

    id: Literal["crm", "retention", "measurement"]
    title: Text
    points: list[MarkingPoint]


class Specification(_Strict):
    """What one awarding body's specification asks for, outcome by outcome; items `cover` its points."""

    body: str
    outcomes: list[Outcome]


class Catalogue(_Strict):
    """The ids items may refer to: awarding bodies, sources and topic areas; and the bank's rules."""

    awarding_bodies: list[AwardingBody]
    sources: list[Source]
    areas: list[Area]
    floors: Floors = Field(default_factory=Floors)
    retired: list[RetiredItem] = Field(default_factory=list)
    specifications: list[Specification] = Field(default_factory=list)


class _ItemBase(_Strict):
    id: ItemId
    area: str
    bodies: list[str]  # at least one, unless beyond_spec (then none)
    sources: list[str]  # at least one, unless beyond_spec (then none)
    beyond_spec: bool = False  # context beyond every specification: no bodies, no sources, no covers
    covers: list[str] = Field(default_factory=list)  # marking point ids (catalogue `specifications`)

    @field_validator("sources", mode="before")
    @classmethod
    def _pad_sources(cls, value: object) -> object:
        if isinstance(value, list):
            return [f"{v:03d}" if isinstance(v, int) else v for v in value]
        return value

    @model_validator(mode="after")
    def _cited_unless_beyond_spec(self) -> Self:
        if self.beyond_spec:
            if self.bodies or self.sources or self.covers:
                raise PydanticCustomError(
                    "beyond_spec",
                    "an item marked beyond_spec cites no specification: "
                    "give it `bodies: []` and `sources: []` and no `covers`",
                )
        elif not self.bodies or not self.sources:
            raise PydanticCustomError(
                "uncited",
                "'bodies' and 'sources' may be empty only on an item marked `beyond_spec: true`: "
                "list the awarding bodies whose specification covers it and the seeds it comes from",
            )
        return self

    def applies_to(self, body: str | None) -> bool:
        """Whether a learner who chose `body` (None or "all": every body) meets this item.

        Items beyond every specification reach every learner, as context.
        """
        return (
            self.beyond_spec or body in (None, ALL_BODIES) or ALL_BODIES in self.bodies or body in self.bodies
        )


class _Answerable(_ItemBase):
    explanation: Text
    tests: list[str] = Field(default_factory=list)  # concept ids that teach what this tests


class ConceptCard(_Answerable):
    """A recall card: the learner answers in their head, reveals, and says if they knew it."""

    kind: Literal[ItemKind.CONCEPT] = ItemKind.CONCEPT
    question: Text
    answer: Text
    terms: list[Text] = Field(default_factory=list)


class TrueFalse(_Answerable):
    """A misconception challenge: one statement, true or false, and why."""

    kind: Literal[ItemKind.TRUE_FALSE] = ItemKind.TRUE_FALSE
    statement: Text
    answer: bool


class MultipleChoice(_Answerable):
    """A question with one right option among plausible wrong ones."""

    kind: Literal[ItemKind.MCQ] = ItemKind.MCQ
    question: Text
    answer: Text
    wrong: list[Text] = Field(min_length=1)
    shuffle: bool = True  # False when the order matters (e.g. an option that refers to the others)

    @property
    def options(self) -> list[str]:
        """Every option, the right one first."""
        return [self.answer, *self.wrong]


class MetricDrill(_Answerable):
    """A calculation template: fresh numbers each time, a checked answer and a worked solution."""

    kind: Literal[ItemKind.DRILL] = ItemKind.DRILL
    metric: str
    question: Text  # a template: {name} is a parameter or a value the metric computes
    solution: Text  # a template for the worked solution
    params: dict[str, tuple[int, int]]  # each parameter's inclusive range
    decimals: int = Field(default=0, ge=0, le=2)  # the precision the question asks for, in places
    unit: Literal["", "%", "£"] = ""


class Command(StrEnum):
    """The command verb of an exam question: what the examiner asks the learner to do."""

    DEFINE = "define"
    IDENTIFY = "identify"
    DESCRIBE = "describe"
    OUTLINE = "outline"
    EXPLAIN = "explain"
    ANALYSE = "analyse"
    COMPARE = "compare"
    EVALUATE = "evaluate"
    JUSTIFY = "justify"


# Command verbs that ask for a judgement, not a list: their schemes need a point that weighs.
JUDGING_COMMANDS = frozenset({Command.ANALYSE, Command.COMPARE, Command.EVALUATE, Command.JUSTIFY})


class Needs(StrEnum):
    """What a marking point asks of the sentence that makes it, beyond its idea."""

    REASON = "reason"  # a reason or consequence: because, so, which means, leads to...
    JUDGEMENT = "judgement"  # a weighing: better, more suitable, however, whereas, overall...


class SchemePoint(_Strict):
    """One point of a marking scheme: what earns the mark, and the phrasings that express it.

    A phrasing is groups joined by " + " (all in one sentence, in any order); a group is
    alternatives joined by "|"; an alternative is a word or words, a trailing "*" matching any
    ending (`content.phrasing` reads them).
    """

    id: ItemId
    text: Text  # the idea that earns the mark, as the learner is shown it
    phrasings: list[Text] = Field(min_length=1)
    needs: Needs | None = None


class ExamQuestion(_Answerable):
    """An exam-style written question with its marking scheme (2-6 points) and a model answer.

    Each point is also an item of the learner's memory (`point_key`), so a missed point comes back.
    """

    kind: Literal[ItemKind.EXAM] = ItemKind.EXAM
    command: Command
    outcome: Literal["crm", "retention", "measurement"]
    question: Text
    points: list[SchemePoint] = Field(min_length=2, max_length=6)
    model_answer: Text

    @property
    def marks(self) -> int:
        """The marks available: one per point."""
        return len(self.points)

    def point_key(self, point_id: str) -> str:
        """The memory item id of one of this question's points."""
        return f"{self.id}{POINT_SEPARATOR}{point_id}"


POINT_SEPARATOR = "#"  # never in an item id, so a point's memory key cannot clash with an item's


class ExamTip(_ItemBase):
    """A short card of exam technique, shown after a run of right answers and in nudges."""

    kind: Literal[ItemKind.TIP] = ItemKind.TIP
    title: Text
    text: Text


Answerable = ConceptCard | TrueFalse | MultipleChoice | MetricDrill | ExamQuestion
AnyItem = Answerable | ExamTip
_ItemField = Annotated[AnyItem, Field(discriminator="kind")]  # how YAML entries are told apart
ITEM_ADAPTER: TypeAdapter[AnyItem] = TypeAdapter(_ItemField)
ANY_AREA = "any"  # an exam tip that serves every topic area


@dataclass(frozen=True)
class Bank:
    """The loaded, checked content bank."""

    catalogue: Catalogue
    items: dict[str, AnyItem]
    _areas: dict[str, Area] = field(init=False, repr=False)
    _by_body: dict[str | None, tuple[Answerable, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_areas", {a.id: a for a in self.catalogue.areas})
        object.__setattr__(self, "_by_body", {})

    @property
    def areas(self) -> list[Area]:
        """Topic areas in catalogue order."""
        return list(self.catalogue.areas)

    def area(self, area_id: str) -> Area:
        """The topic area with this id."""
        return self._areas[area_id]

    def body_name(self, body_id: str | None) -> str:
        """A learner-facing name for an awarding body choice."""
        for body in self.catalogue.awarding_bodies:
            if body.id == body_id:
                return body.name
        return "all awarding bodies"

    def for_body(self, body: str | None) -> tuple[Answerable, ...]:
        """The prompts a learner who chose `body` meets (every kind but tips), in bank order.

        Worked out once per body: it is asked for on every prompt and every nudge.
        """
        if body not in self._by_body:
            self._by_body[body] = tuple(
                item
                for item in self.items.values()
                if item.applies_to(body) and not isinstance(item, ExamTip)
            )
        return self._by_body[body]

    def tips_for(self, body: str | None) -> list[ExamTip]:
        """The exam tips for a learner who chose `body`, in bank order."""
        return [item for item in self.items.values() if isinstance(item, ExamTip) and item.applies_to(body)]

    def answerable(self, item_id: str) -> Answerable | None:
        """The prompt item with this id, if any (tips are not prompts)."""
        item = self.items.get(item_id)
        return None if item is None or isinstance(item, ExamTip) else item
