"""The API's talent pool, declared once: a new member's body, a member, and the list's query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Annotated

from flask_babel import gettext as _
from pydantic import Field
from werkzeug.datastructures import MultiDict

from lifecycle.blueprints.api.contract import DATE
from lifecycle.blueprints.api.contract import EMAIL
from lifecycle.blueprints.api.contract import IDENTIFIER
from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import Body
from lifecycle.blueprints.api.contract import FieldError
from lifecycle.blueprints.api.contract import Id
from lifecycle.blueprints.api.contract import Moment
from lifecycle.blueprints.api.contract import Out
from lifecycle.blueprints.api.contract import clean_text
from lifecycle.blueprints.api.contract import nullable
from lifecycle.blueprints.api.contract import one_of
from lifecycle.blueprints.api.contract import text
from lifecycle.blueprints.api.plan_schemas import KEY_MAX_LENGTH
from lifecycle.blueprints.api.plan_schemas import MAX_EXPECTATIONS
from lifecycle.blueprints.api.plan_schemas import MAX_PILLARS
from lifecycle.blueprints.api.plan_schemas import Key
from lifecycle.blueprints.api.plan_schemas import read_parameters
from lifecycle.blueprints.api.schemas import DEFAULT_PAGE_SIZE
from lifecycle.blueprints.api.schemas import MAX_PAGE_SIZE
from lifecycle.blueprints.api.schemas import QueryParameter
from lifecycle.blueprints.api.schemas import query_int
from lifecycle.enums import Stage
from lifecycle.models.talent_pool import PoolSource
from lifecycle.models.talent_pool import TalentProfile
from lifecycle.services.talent_pool import PoolFilter
from lifecycle.services.talent_pool import consent_until
from lifecycle.services.talent_pool.members import NAME_MAX_LENGTH
from lifecycle.services.talent_pool.members import NOTES_MAX_LENGTH

POOL_SOURCE = one_of(PoolSource)


class PoolMemberCreate(Body):
    """A person in the talent pool: `manager_id` of someone on the journey (an aspirant, a manager in
    post; they keep their journey), or the `name` of someone new, who enters the journey at attract.
    `consent_given_on` (the day they consented to be kept) defaults to today; the consent lasts
    `TALENT_POOL_RETENTION_DAYS`, after which the member is removed."""

    manager_id: Annotated[int | None, nullable(IDENTIFIER)] = None
    name: Annotated[str | None, nullable(text(NAME_MAX_LENGTH))] = None
    email: Annotated[str | None, nullable(EMAIL)] = None
    employee_number: Annotated[str | None, nullable(text(40))] = None
    source: Annotated[PoolSource, POOL_SOURCE]
    consent_given_on: Annotated[date | None, nullable(DATE)] = None
    notes: Annotated[str | None, nullable(text(NOTES_MAX_LENGTH))] = None
    pillars: Annotated[
        list[Key],
        Field(max_length=MAX_PILLARS, description="The pillars they show strength in, by key."),
    ] = Field(default_factory=list)
    expectations: Annotated[
        list[Key],
        Field(
            max_length=MAX_EXPECTATIONS,
            description="The expectations they show strength in, by key; each brings its pillar along.",
        ),
    ] = Field(default_factory=list)


class PoolMember(Out):
    """A member of the talent pool: the person, where they come from, their strengths and consent."""

    id: Id
    manager_id: Id
    name: str
    email: str | None
    employee_number: str | None
    stage: Stage
    source: PoolSource
    pillars: list[str]
    expectations: list[str]
    notes: str
    consent_given_on: date
    #: the last day the consent keeps them in the pool
    consent_until: date
    created_at: Moment

    @classmethod
    def of(cls, profile: TalentProfile, period: timedelta) -> PoolMember:
        person = profile.manager
        return cls(
            id=profile.id,
            manager_id=person.id,
            name=person.name,
            email=person.email,
            employee_number=person.employee_number,
            stage=person.stage,
            source=profile.source,
            pillars=[pillar.key for pillar in profile.pillars],
            expectations=[expectation.key for expectation in profile.expectations],
            notes=profile.notes,
            consent_given_on=profile.consent_given_on,
            consent_until=consent_until(profile.consent_given_on, period),
            created_at=profile.created_at,
        )


@dataclass(frozen=True)
class PoolQuery:
    filters: PoolFilter
    limit: int = DEFAULT_PAGE_SIZE
    after_id: int = 0


_KEY = {"type": "string", "maxLength": KEY_MAX_LENGTH}
POOL_QUERY_PARAMETERS = (
    QueryParameter(
        "source",
        {"type": "array", "items": POOL_SOURCE.schema},
        "Only members from these sources; repeat the parameter or separate with commas.",
        repeatable=True,
    ),
    QueryParameter("pillar", _KEY, "Only members who show strength in this pillar (a key)."),
    QueryParameter("expectation", _KEY, "Only members who show strength in this expectation (a key)."),
    QueryParameter(
        "runs_out_soon",
        {"type": "boolean", "default": False},
        "Only members whose consent runs out within 60 days.",
    ),
    QueryParameter("q", {"type": "string", "maxLength": 200}, "Part of the name or e-mail address."),
    QueryParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
        "How many members a page holds.",
    ),
    QueryParameter(
        "cursor",
        {"type": "string", "maxLength": 10},
        "Where the page starts: the `next_cursor` of the previous page. Pages are ordered by id.",
    ),
)


def _flag(args: MultiDict[str, str], name: str) -> bool:
    raw = args.get(name, "false").strip().lower()
    if raw not in ("true", "false", ""):
        raise FieldError(_("Use true or false."))
    return raw == "true"


def _sources(args: MultiDict[str, str]) -> tuple[PoolSource, ...]:
    keys = [key.strip() for raw in args.getlist("source") for key in raw.split(",") if key.strip()]
    return tuple(dict.fromkeys(POOL_SOURCE.parse(key) for key in keys))


def parse_pool_query(args: MultiDict[str, str]) -> PoolQuery:
    """Read the pool list's filters and page from the query string; refuse bad values with 400."""
    values = read_parameters(
        {
            "source": lambda: _sources(args),
            "pillar": lambda: clean_text(args.get("pillar", ""), KEY_MAX_LENGTH, required=False),
            "expectation": lambda: clean_text(args.get("expectation", ""), KEY_MAX_LENGTH, required=False),
            "runs_out_soon": lambda: _flag(args, "runs_out_soon"),
            "q": lambda: clean_text(args.get("q", ""), 200, required=False) or "",
            "limit": lambda: query_int(args, "limit", 1, MAX_PAGE_SIZE),
            "cursor": lambda: query_int(args, "cursor", 0, MAX_ID),
        }
    )
    return PoolQuery(
        filters=PoolFilter(
            sources=values["source"],
            pillar=values["pillar"] or None,
            expectation=values["expectation"] or None,
            runs_out_soon=values["runs_out_soon"],
            query=values["q"],
        ),
        limit=values["limit"] or DEFAULT_PAGE_SIZE,
        after_id=values["cursor"] or 0,
    )
