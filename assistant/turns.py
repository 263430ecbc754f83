"""A conversation's messages, and what one reply read and retrieved before it decides how to answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from assistant.query.scope import TopicWords
from assistant.query.understand import Query
from assistant.types import DoseCheck, Hit, Patient


class Turn(BaseModel):
    """One message of the conversation."""

    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class ReadTurn:
    """What a reply read and retrieved before deciding how to answer."""

    text: str
    found: TopicWords
    query: Query
    dose_check: DoseCheck | None
    hits: list[Hit]
    stale: list[str]
    vector: list[float]
    patient: Patient | None
