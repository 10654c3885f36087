"""The content schema: pydantic models for the catalogue and every kind of item."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, field_validator

ALL_BODIES = "all"
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,47}$"

ItemId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ItemKind(StrEnum):
    """The kinds of prompt the bank holds."""

    CONCEPT = "concept"
    TRUE_FALSE = "truefalse"


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


class Catalogue(_Strict):
    """The ids items may refer to: awarding bodies, sources and topic areas."""

    awarding_bodies: list[AwardingBody]
    sources: list[Source]
    areas: list[Area]


class _ItemBase(_Strict):
    id: ItemId
    area: str
    bodies: list[str] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    explanation: Text

    @field_validator("sources", mode="before")
    @classmethod
    def _pad_sources(cls, value: object) -> object:
        if isinstance(value, list):
            return [f"{v:03d}" if isinstance(v, int) else v for v in value]
        return value

    def applies_to(self, body: str | None) -> bool:
        """Whether a learner who chose `body` (None or "all": every body) meets this item."""
        return body in (None, ALL_BODIES) or ALL_BODIES in self.bodies or body in self.bodies


class ConceptCard(_ItemBase):
    """A recall card: the learner answers in their head, reveals, and says if they knew it."""

    kind: Literal[ItemKind.CONCEPT] = ItemKind.CONCEPT
    question: Text
    answer: Text
    terms: list[Text] = Field(default_factory=list)


class TrueFalse(_ItemBase):
    """A misconception challenge: one statement, true or false, and why."""

    kind: Literal[ItemKind.TRUE_FALSE] = ItemKind.TRUE_FALSE
    statement: Text
    answer: bool
    tests: list[str] = Field(default_factory=list)  # concept ids that teach what this tests


Item = Annotated[ConceptCard | TrueFalse, Field(discriminator="kind")]
ITEM_ADAPTER: TypeAdapter[ConceptCard | TrueFalse] = TypeAdapter(Item)


@dataclass(frozen=True)
class Bank:
    """The loaded, checked content bank."""

    catalogue: Catalogue
    items: dict[str, ConceptCard | TrueFalse]
    _areas: dict[str, Area] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_areas", {a.id: a for a in self.catalogue.areas})

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

    def for_body(self, body: str | None) -> list[ConceptCard | TrueFalse]:
        """The items a learner who chose `body` meets, in bank order."""
        return [item for item in self.items.values() if item.applies_to(body)]
