"""The public contract of `POST /v1/summaries`: request, 200 body and problem details.

These models move only when the API moves; what the model fills in lives in
`schemas.extraction` so that a prompt change never changes the contract.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

SCHEMA_VERSION = "1.0"


class ActorKind(StrEnum):
    """What sort of actor an entity is."""

    person = "person"
    state = "state"
    organisation = "organisation"
    group = "group"
    other = "other"


class Medium(StrEnum):
    """How a call was held."""

    phone = "phone"
    video = "video"
    in_person = "in_person"
    unknown = "unknown"


class ClaimKind(StrEnum):
    """The speech act a claim records."""

    assertion = "assertion"
    accusation = "accusation"
    denial = "denial"
    warning = "warning"
    threat = "threat"
    appeal = "appeal"
    commitment = "commitment"
    assessment = "assessment"


class EvidenceStatus(StrEnum):
    """What the article itself says about the truth of a claim."""

    supported = "supported"
    unsupported = "unsupported"
    disputed = "disputed"
    refuted = "refuted"
    unverified = "unverified"
    not_addressed = "not_addressed"


class EngineName(StrEnum):
    """Extraction engines a client may ask for."""

    llm = "llm"
    rules = "rules"


class OffsetUnit(StrEnum):
    """The unit of every span's `start` and `end`."""

    codepoint = "codepoint"
    utf16 = "utf16"
    utf8 = "utf8"


def parse_published_at(value: str) -> dt.date:
    """Parse `YYYY-MM-DD` or an ISO 8601 datetime into the calendar date it names."""
    if len(value) == 10:
        return dt.date.fromisoformat(value)
    return dt.datetime.fromisoformat(value).date()


_SURROGATE = re.compile("[\ud800-\udfff]")
# A character that is not white space to Python (str.isspace) nor to JSON Schema's ECMA-262
# regexes, spelled out so both engines read the same set: `\S` differs between them
# (U+0085 and U+001C-U+001F are space to Python only, U+FEFF to ECMA only).
_NOT_BLANK = (
    r"[^\t\n\v\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a"
    r"\u2028\u2029\u202f\u205f\u3000\ufeff]"
)
_HAS_TEXT = re.compile(_NOT_BLANK)
_PUBLISHED_AT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
        {"type": "null"},
    ]
}


class SummaryRequest(BaseModel):
    """An article to summarise."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=False,
        # Exactly one of the two, checked by `_text_or_html` below.
        json_schema_extra={"oneOf": [{"required": ["text"]}, {"required": ["html"]}]},
    )

    # Either may be left out, never sent as null: the schema says string, not string-or-null.
    # The pattern documents the blank check below, so generated clients and fuzzers know of it.
    text: Annotated[
        str | None,
        WithJsonSchema(
            {
                "type": "string",
                "pattern": _NOT_BLANK,
                "description": "The article text; spans index into it exactly as sent. Not "
                "blank. Send this or `html`.",
            }
        ),
    ] = None
    html: Annotated[
        str | None,
        WithJsonSchema(
            {
                "type": "string",
                "pattern": _NOT_BLANK,
                "description": "The article's web page, instead of `text`: its main text is "
                "extracted (navigation, comments and boilerplate left out), answered as `text` "
                "in the 200 body, and every span indexes into it. `title` and `published_at` "
                "come from the page's metadata when not given. No URL is ever fetched.",
            }
        ),
    ] = None
    title: str | None = None
    published_at: Annotated[str | None, WithJsonSchema(_PUBLISHED_AT_SCHEMA)] = Field(
        default=None,
        description="YYYY-MM-DD or an ISO 8601 datetime; relative dates resolve against it. "
        "Any calendar date is accepted, future ones included: the service does not compare "
        "it with its own clock.",
        examples=["2026-03-15", "2026-03-15T08:30:00+00:00"],
    )
    source: str | None = None
    url: str | None = None
    id: str | None = Field(default=None, max_length=200)
    engine: EngineName | None = Field(
        default=None, description="Ask for an engine, within what the operator allows."
    )
    strict: bool = Field(
        default=False,
        strict=True,
        description="Fail with 502 model-output-invalid rather than set any item aside.",
    )
    offset_unit: OffsetUnit = Field(
        default=OffsetUnit.codepoint,
        description="Unit of span offsets: Unicode code points (Python), UTF-16 code units "
        "(JavaScript, browsers) or UTF-8 bytes (Go, Rust).",
    )

    @model_validator(mode="before")
    @classmethod
    def _text_or_html(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        errors = [
            InitErrorDetails(
                type=PydanticCustomError("string_type", "Input should be a valid string"),
                loc=(key,),
                input=None,
            )
            for key in ("text", "html")
            if key in data and data[key] is None
        ]
        given = [key for key in ("text", "html") if data.get(key) is not None]
        if not errors and not given:
            missing = "Field required: send the article as text, or its web page as html"
            errors.append(
                InitErrorDetails(
                    type=PydanticCustomError("missing", missing), loc=("text",), input=data
                )
            )
        if len(given) == 2:
            both = "Send the article as text or as html, not both"
            errors.append(
                InitErrorDetails(type=PydanticCustomError("one_of", both), loc=("html",), input="")
            )
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data

    @field_validator("text", "html", "title", "published_at", "source", "url", "id")
    @classmethod
    def _unicode_text(cls, value: str | None) -> str | None:
        # JSON lets "\ud800" through; such a string cannot be encoded, so no engine can read it.
        if value is not None and _SURROGATE.search(value):
            raise ValueError("contains a lone surrogate (U+D800 to U+DFFF), not a character")
        return value

    @field_validator("text", "html")
    @classmethod
    def _text_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not _HAS_TEXT.search(value):
            raise ValueError("must not be blank")
        return value

    @field_validator("published_at")
    @classmethod
    def _valid_date(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parse_published_at(value)
        except ValueError:
            raise ValueError("published_at must be YYYY-MM-DD or an ISO 8601 datetime") from None
        return value

    def published_date(self) -> dt.date | None:
        """The calendar date of publication, if given."""
        return parse_published_at(self.published_at) if self.published_at else None


class Span(BaseModel):
    """Exact characters of the submitted text: `text == submitted[start:end]`."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


ActorId = Annotated[str, StringConstraints(pattern=r"^A[1-9][0-9]*$")]


class Actor(BaseModel):
    """A person, state, organisation or group named in the article."""

    id: ActorId
    name: str
    kind: ActorKind
    role: str | None = None
    affiliation: str | None = None
    country: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{3}$",
        description=(
            "ISO 3166-1 alpha-3 code: the state's own for a state actor, the state's it is "
            "affiliated with for a person or organisation; null when no state is known."
        ),
        examples=["NOR"],
    )
    aliases: list[str] = Field(default_factory=list)
    mentions: list[Span] = Field(default_factory=list)


class Call(BaseModel):
    """A communication that took place: a phone or video call, a meeting, talks."""

    id: Annotated[str, StringConstraints(pattern=r"^C[1-9][0-9]*$")]
    participants: list[ActorId] = Field(min_length=2)
    initiator: ActorId | None = None
    date: dt.date | None = None
    date_text: str | None = None
    medium: Medium = Medium.unknown
    topics: list[str] = Field(default_factory=list)
    outcome: str | None = None
    readout_by: list[ActorId] = Field(default_factory=list)
    evidence: list[Span] = Field(min_length=1)


class Claim(BaseModel):
    """Something an actor asserted, denied, warned of or appealed for."""

    id: Annotated[str, StringConstraints(pattern=r"^K[1-9][0-9]*$")]
    claimant: ActorId
    statement: str
    about: list[ActorId] = Field(default_factory=list)
    kind: ClaimKind
    evidence_status: EvidenceStatus
    disputed_by: list[ActorId] = Field(default_factory=list)
    quote: str | None = None
    quote_span: Span | None = None
    evidence: list[Span] = Field(min_length=1)


class Usage(BaseModel):
    """Token usage summed over every attempt."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def add(self, prompt: int, completion: int) -> None:
        """Add one completion's usage."""
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.total_tokens += prompt + completion


class Rejected(BaseModel):
    """An item the engine gave that failed its checks on every attempt, and was set aside."""

    kind: str = Field(description="actor, call, claim, summary, key_point or chunk")
    ref: str = Field(description="The engine's key for the item (A3, C2, K5, key_points[1]).")
    reason: str = Field(description="Why, in the service's words (never the model's output).")


class Meta(BaseModel):
    """How the answer was produced."""

    engine: EngineName
    model: str
    prompt_version: str
    schema_version: str = SCHEMA_VERSION
    attempts: int = Field(description="Model calls in all: first answer, re-asks and repairs.")
    repairs: int = Field(
        default=0, description="Repair requests sent for items that failed their checks."
    )
    usage: Usage
    latency_ms: int
    cached: bool = Field(
        default=False,
        description="Answered from the result cache: no model call, no tokens (usage is zero).",
    )
    offset_unit: OffsetUnit = OffsetUnit.codepoint
    chunks: int = Field(default=1, description="Parts the article was read in (long articles).")
    rejected: list[Rejected] = Field(
        default_factory=list, description="Items set aside because they stayed ungrounded."
    )
    warnings: list[str] = Field(default_factory=list)


class SummaryResponse(BaseModel):
    """The grounded summary of one article."""

    id: str
    summary: str
    key_points: list[str]
    actors: list[Actor]
    calls: list[Call]
    claims: list[Claim]
    meta: Meta
    # Sent only when the request gave html; never null (see the route's serialisation).
    text: Annotated[
        str | None,
        WithJsonSchema(
            {
                "type": "string",
                "description": "Only for a request that sent `html`: the text extracted from "
                "it, which every span indexes into.",
            }
        ),
    ] = None


class FieldError(BaseModel):
    """One invalid field of a request."""

    field: str
    message: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem details body (`application/problem+json`)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None
    errors_omitted: int | None = Field(
        default=None, description="How many more invalid fields there were than `errors` lists."
    )
    attempts: int | None = None
    usage: Usage | None = None
    retry_after: int | None = None
    rejected: list[Rejected] | None = None
    language: str | None = Field(
        default=None, description="ISO 639-1 code of the detected language (language-not-supported)"
    )


class Health(BaseModel):
    """Liveness or readiness status."""

    status: str
    checks: dict[str, Any] = Field(default_factory=dict)
