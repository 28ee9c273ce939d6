"""The API's development side, declared once: activities, plans, reviews, coverage and the catalogue.

Bodies are `contract.Body` models and responses `contract.Out` models, as in `schemas`. Lists are
capped so a huge body is refused before it reaches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from typing import Any
from typing import Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator
from pydantic import Field
from werkzeug.datastructures import MultiDict

from lifecycle import models
from lifecycle.blueprints.api.contract import DATE
from lifecycle.blueprints.api.contract import IDENTIFIER
from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import STAGE
from lifecycle.blueprints.api.contract import Body
from lifecycle.blueprints.api.contract import FieldError
from lifecycle.blueprints.api.contract import Id
from lifecycle.blueprints.api.contract import Moment
from lifecycle.blueprints.api.contract import Out
from lifecycle.blueprints.api.contract import nullable
from lifecycle.blueprints.api.contract import one_of
from lifecycle.blueprints.api.contract import text
from lifecycle.blueprints.api.contract import unique
from lifecycle.blueprints.api.contract import whole_number
from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.schemas import DEFAULT_PAGE_SIZE
from lifecycle.blueprints.api.schemas import MAX_PAGE_SIZE
from lifecycle.blueprints.api.schemas import Actor
from lifecycle.blueprints.api.schemas import QueryParameter
from lifecycle.blueprints.api.schemas import query_int
from lifecycle.enums import ActivityKind
from lifecycle.enums import Assessor
from lifecycle.enums import GoalStatus
from lifecycle.enums import Stage
from lifecycle.services.coverage import HeatmapRow
from lifecycle.services.coverage import PillarCount
from lifecycle.services.plan_queries import ActivityStatus

MAX_PILLARS = 20
MAX_EXPECTATIONS = 50
MAX_PARTICIPANTS = 200
MAX_SCORES = 50
KEY_MAX_LENGTH = 120
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000
COMMENT_MAX_LENGTH = 5000
ASSESSMENT_COMMENT_MAX_LENGTH = 2000
NEXT_STEPS_MAX_LENGTH = 4000

#: the fields a catalogue item decides, so a request that names an item may not send them
CATALOGUE_DECIDES = ("kind", "title", "description", "stage", "pillars", "expectations")


# -- bodies -------------------------------------------------------------------------------------------

Key = Annotated[str, text(KEY_MAX_LENGTH, required=True)]
PillarKeys = Annotated[
    list[Key],
    Field(
        max_length=MAX_PILLARS,
        description="Pillar keys of the loaded platform (`GET /api/v1/platform` lists them). At least "
        "one pillar is needed, given here or brought along by an expectation; retired ones cannot be "
        "chosen.",
    ),
]
ExpectationKeys = Annotated[
    list[Key],
    Field(
        max_length=MAX_EXPECTATIONS,
        description="Expectation keys of the loaded platform; each brings its pillar along.",
    ),
]
Title = Annotated[str, text(TITLE_MAX_LENGTH, required=True)]
Description = Annotated[str | None, text(DESCRIPTION_MAX_LENGTH)]
Day = Annotated[date | None, nullable(DATE)]
Reference = Annotated[int | None, nullable(IDENTIFIER)]
ACTIVITY_KIND = one_of(ActivityKind)
#: a proposed goal is accepted (by HR or the line manager), never set to proposed
GOAL_STATUS = one_of(GoalStatus, only=GoalStatus.in_plan())
SCORE = whole_number(1, 5)


class _ActivityFields(Body):
    kind: Annotated[ActivityKind | None, ACTIVITY_KIND] = None
    title: Annotated[str | None, text(TITLE_MAX_LENGTH, required=True)] = None
    description: Description = None
    stage: Annotated[Stage | None, nullable(STAGE)] = None
    due_on: Day = None
    completed_on: Day = None
    pillars: PillarKeys = Field(default_factory=list)
    expectations: ExpectationKeys = Field(default_factory=list)
    catalogue_item_id: Reference = None


class ActivityCreate(_ActivityFields):
    """An activity for this manager. Either `kind` and `title` with at least one pillar (given in
    `pillars`, or brought along by an expectation), or a `catalogue_item_id`, whose kind, title,
    description and tags are used (then only `due_on`, `completed_on` and `goal_id` may be given
    besides). `goal_id` must be a goal of this manager's plan."""

    goal_id: Reference = None


class GroupActivityCreate(_ActivityFields):
    """One activity for several managers; it counts for each of them. The same rules as for one
    manager's activity, without a goal."""

    participants: Annotated[
        list[Annotated[int, IDENTIFIER]],
        Field(
            min_length=1,
            max_length=MAX_PARTICIPANTS,
            description="The managers taking part, by id.",
            json_schema_extra={"uniqueItems": True},
        ),
        AfterValidator(unique(_l("Each value may appear only once."))),
    ]


class ActivityComplete(Body):
    """`completed_on` defaults to today; the body may be left out."""

    completed_on: Annotated[date | None, DATE] = None


class ActivityCancel(Body):
    """No fields; the body may be left out."""


class GoalCreate(Body):
    """A goal in the manager's current plan (started if there is none), tied to at least one current
    expectation."""

    title: Title
    expectations: ExpectationKeys = Field(default_factory=list)
    target_on: Day = None
    description: Description = None


class GoalUpdate(Body):
    status: Annotated[GoalStatus, GOAL_STATUS]


class PlanCommentCreate(Body):
    body: Annotated[str, text(COMMENT_MAX_LENGTH, required=True)]


class Score(Body):
    expectation: Key
    score: Annotated[int, SCORE]
    comment: Annotated[str | None, text(ASSESSMENT_COMMENT_MAX_LENGTH)] = None


class AssessmentsSet(Body):
    """The caller's scores: the manager's self-assessment, or their line manager's. Each replaces the
    caller's earlier score for that expectation."""

    scores: Annotated[
        list[Score],
        Field(
            min_length=1,
            max_length=MAX_SCORES,
            description="The caller's 1–5 score per expectation, each expectation once.",
        ),
        AfterValidator(unique(_l("Each expectation may appear only once."), key=lambda s: s.expectation)),
    ]


class ReviewGoal(Body):
    """The agreed next steps as a new goal in the plan (optional)."""

    title: Title
    expectations: ExpectationKeys = Field(default_factory=list)


class ReviewComplete(Body):
    """`completed_on` defaults to today. The review then counts as a completed development-review
    activity for the pillars it assessed."""

    completed_on: Annotated[date | None, DATE] = None
    next_steps: Annotated[str | None, text(NEXT_STEPS_MAX_LENGTH)] = None
    goal: ReviewGoal | None = None


# -- input: query strings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityQuery:
    status: ActivityStatus = ActivityStatus.ALL
    limit: int = DEFAULT_PAGE_SIZE
    #: the id after which the page starts (keyset pagination)
    after_id: int = 0


ACTIVITY_QUERY_PARAMETERS = (
    QueryParameter(
        "status",
        {"type": "string", "enum": [s.value for s in ActivityStatus], "default": ActivityStatus.ALL.value},
        "open: neither completed nor cancelled (overdue ones included); overdue: open and past the due "
        "date; completed: completed and not cancelled; all: every activity, cancelled ones included.",
    ),
    QueryParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
        "How many activities a page holds.",
    ),
    QueryParameter(
        "cursor",
        {"type": "string", "maxLength": 10},
        "Where the page starts: the `next_cursor` of the previous page. Pages are ordered by id.",
    ),
)

UNIT_COVERAGE_PARAMETERS = (
    QueryParameter(
        "unit",
        IDENTIFIER.schema,
        "Show the units directly below this one; without it, the top of the organisation.",
    ),
)


def read_parameters(readers: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, reader in readers.items():
        try:
            values[name] = reader()
        except FieldError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise ApiError(400, _("Some parameters are not valid."), fields=errors)
    return values


def parse_activity_query(args: MultiDict[str, str]) -> ActivityQuery:
    """Read an activity list's filter and page from the query string; refuse bad values with 400."""
    status = one_of(ActivityStatus)
    values = read_parameters(
        {
            "status": lambda: status.parse(args["status"]) if args.get("status") else ActivityStatus.ALL,
            "limit": lambda: query_int(args, "limit", 1, MAX_PAGE_SIZE),
            "cursor": lambda: query_int(args, "cursor", 0, MAX_ID),
        }
    )
    return ActivityQuery(
        status=values["status"], limit=values["limit"] or DEFAULT_PAGE_SIZE, after_id=values["cursor"] or 0
    )


def parse_unit_coverage_query(args: MultiDict[str, str]) -> int | None:
    """Read the heatmap's unit from the query string; refuse a bad one with 400."""
    unit_id: int | None = read_parameters({"unit": lambda: query_int(args, "unit", 1, MAX_ID)})["unit"]
    return unit_id


# -- responses ----------------------------------------------------------------------------------------

Keys = list[str]


def activity_status(activity: models.Activity, today: date) -> str:
    if activity.cancelled_at is not None:
        return "cancelled"
    if activity.completed_on is not None:
        return "completed"
    return "overdue" if activity.is_overdue(today) else "open"


class Activity(Out):
    """An activity on the journey, building at least one pillar of the leadership platform.

    Only the number of participants is shown: the others in a group may be people the caller may not
    see.
    """

    id: Id
    kind: ActivityKind
    title: str
    description: str
    stage: Stage | None
    due_on: date | None
    completed_on: date | None
    cancelled_at: Moment | None
    status: Literal["open", "overdue", "completed", "cancelled"]
    pillars: Annotated[Keys, Field(min_length=1, description="The pillars it builds, by key.")]
    expectations: Annotated[Keys, Field(description="The expectations it builds, by key.")]
    participant_count: Annotated[
        int, Field(ge=1, description="How many managers take part; more than one for a group activity.")
    ]
    catalogue_item_id: Id | None
    goal_id: Id | None
    created_at: Moment

    @classmethod
    def of(cls, activity: models.Activity, participant_count: int, today: date) -> Activity:
        """The activity; its pillars and expectations must be loaded with it."""
        return cls(
            id=activity.id,
            kind=activity.kind,
            title=activity.title,
            description=activity.description,
            stage=activity.stage,
            due_on=activity.due_on,
            completed_on=activity.completed_on,
            cancelled_at=activity.cancelled_at,
            status=activity_status(activity, today),  # type: ignore[arg-type]
            pillars=[pillar.key for pillar in activity.pillars],
            expectations=[expectation.key for expectation in activity.expectations],
            participant_count=participant_count,
            catalogue_item_id=activity.catalogue_item_id,
            goal_id=activity.goal_id,
            created_at=activity.created_at,
        )


class Goal(Out):
    id: Id
    plan_id: Id
    title: str
    description: str
    target_on: date | None
    status: GoalStatus
    expectations: Annotated[Keys, Field(description="The expectations the goal develops, by key.")]
    activity_ids: Annotated[list[Id], Field(description="Activities for this goal.")]
    created_at: Moment

    @classmethod
    def of(cls, goal: models.PlanGoal) -> Goal:
        """The goal; its expectations and activities should be loaded with it."""
        return cls(
            id=goal.id,
            plan_id=goal.plan_id,
            title=goal.title,
            description=goal.description,
            target_on=goal.target_on,
            status=goal.status,
            expectations=[expectation.key for expectation in goal.expectations],
            activity_ids=[activity.id for activity in goal.activities],
            created_at=goal.created_at,
        )


class PlanComment(Out):
    """A comment on a plan by the line manager or HR."""

    id: Id
    author: Actor | None
    body: str
    created_at: Moment


class UpcomingReview(Out):
    id: Id
    plan_id: Id
    scheduled_on: date


# -- workshops ----
class GroupGoal(Out):
    """A group goal and whether it is done; `owner_id` is null once the owner is anonymised."""

    id: Id
    workshop_id: Id
    pillar: str
    expectations: list[str]
    text: str
    owner_id: int | None
    follow_up_on: date
    done: bool
    done_at: Moment | None

    @classmethod
    def of(cls, goal: models.GroupGoal) -> GroupGoal:
        return cls(
            id=goal.id,
            workshop_id=goal.workshop_id,
            pillar=goal.pillar.key,
            expectations=[e.key for e in goal.expectations],
            text=goal.text,
            owner_id=goal.owner_id,
            follow_up_on=goal.follow_up_on,
            done=goal.is_done,
            done_at=goal.done_at,
        )


class Plan(Out):
    """The plan whose period holds today; without one, `id` and the period are null."""

    manager_id: Id
    id: Id | None
    starts_on: date | None
    ends_on: date | None
    notes: str
    goals: list[Goal]
    comments: list[PlanComment]
    upcoming_reviews: list[UpcomingReview]
    can_edit: Annotated[bool, Field(description="Whether the caller may add goals.")]
    can_comment: Annotated[bool, Field(description="Whether the caller may comment.")]
    # -- workshops ----
    group_goals: Annotated[
        list[GroupGoal],
        Field(description="The goals of the management-group workshops the manager took part in."),
    ] = Field(default_factory=list)

    @classmethod
    def of(
        cls,
        manager: models.Manager,
        plan: models.DevelopmentPlan | None,
        upcoming: Sequence[models.DevelopmentReview],
        *,
        can_edit: bool,
        can_comment: bool,
    ) -> Plan:
        """The manager's current plan; without one, an empty plan with no id or period."""
        return cls(
            manager_id=manager.id,
            id=plan.id if plan else None,
            starts_on=plan.starts_on if plan else None,
            ends_on=plan.ends_on if plan else None,
            notes=plan.notes if plan else "",
            goals=[Goal.of(goal) for goal in plan.goals] if plan else [],
            comments=[PlanComment.model_validate(comment) for comment in plan.comments] if plan else [],
            upcoming_reviews=[UpcomingReview.model_validate(review) for review in upcoming],
            can_edit=can_edit,
            can_comment=can_comment,
        )


class Assessment(Out):
    expectation: str
    assessor: Assessor
    score: Annotated[int, Field(ge=1, le=5)]
    comment: str


class Review(Out):
    """A development review (utvecklingssamtal) with both parties' assessments."""

    id: Id
    plan_id: Id
    manager_id: Id
    scheduled_on: date
    completed_on: date | None
    status: Literal["scheduled", "completed"]
    next_steps: str
    assessments: list[Assessment]

    @classmethod
    def of(cls, review: models.DevelopmentReview, manager_id: int) -> Review:
        """The review with its assessments; load them (and their expectations) with it."""
        return cls(
            id=review.id,
            plan_id=review.plan_id,
            manager_id=manager_id,
            scheduled_on=review.scheduled_on,
            completed_on=review.completed_on,
            status="completed" if review.completed_on is not None else "scheduled",
            next_steps=review.next_steps,
            assessments=[
                Assessment(
                    expectation=assessment.expectation.key,
                    assessor=assessment.assessor,
                    score=assessment.score,
                    comment=assessment.comment,
                )
                for assessment in review.assessments
            ],
        )


Count = Annotated[int, Field(ge=0)]


class ExpectationCoverage(Out):
    key: str
    retired: bool
    count: Count


class PillarCoverage(Out):
    key: str
    retired: bool
    count: Count
    expectations: list[ExpectationCoverage]


class ManagerCoverage(Out):
    """Completed activities per pillar and expectation from `since` to `until` (twelve months). Retired
    parts appear only where something counts for them."""

    manager_id: Id
    since: date
    until: date
    pillars: list[PillarCoverage]

    @classmethod
    def of(
        cls, manager: models.Manager, counts: list[PillarCount], since: date, until: date
    ) -> ManagerCoverage:
        return cls(
            manager_id=manager.id,
            since=since,
            until=until,
            pillars=[
                PillarCoverage(
                    key=count.pillar.key,
                    retired=count.pillar.is_retired,
                    count=count.count,
                    expectations=[
                        ExpectationCoverage(
                            key=e.expectation.key, retired=e.expectation.is_retired, count=e.count
                        )
                        for e in count.expectations
                    ],
                )
                for count in counts
            ],
        )


class UnitName(Out):
    id: Id
    name: str


class UnitCoverageRow(Out):
    unit: UnitName
    managers: Annotated[int, Field(ge=0, description="Managers in post in the unit and below it.")]
    shares: Annotated[
        dict[str, Annotated[float, Field(ge=0, le=1)]],
        Field(
            description="Per pillar key, the share (0–1) of those managers with a completed activity "
            "building it."
        ),
    ]


class UnitCoverage(Out):
    unit_id: Id | None
    since: date
    until: date
    pillars: Annotated[Keys, Field(description="The current pillars, in order.")]
    rows: list[UnitCoverageRow]

    @classmethod
    def of(
        cls,
        unit_id: int | None,
        pillars: list[models.Pillar],
        rows: list[HeatmapRow],
        since: date,
        until: date,
    ) -> UnitCoverage:
        return cls(
            unit_id=unit_id,
            since=since,
            until=until,
            pillars=[pillar.key for pillar in pillars],
            rows=[
                UnitCoverageRow(
                    unit=UnitName(id=row.unit.id, name=row.unit.name),
                    managers=row.managers,
                    shares={pillar.key: round(row.shares[pillar.id], 4) for pillar in pillars},
                )
                for row in rows
            ],
        )


class CatalogueItem(Out):
    """An activity HR offers, with the tags an activity made from it gets."""

    id: Id
    title: str
    kind: ActivityKind
    description: str
    pillars: Keys
    expectations: Keys

    @classmethod
    def of(cls, item: models.CatalogueItem) -> CatalogueItem:
        """The item with the tags an activity made from it gets (current ones only)."""
        return cls(
            id=item.id,
            title=item.title,
            kind=item.kind,
            description=item.description,
            pillars=[pillar.key for pillar in item.pillars if not pillar.is_retired],
            expectations=[e.key for e in item.expectations if not e.is_retired],
        )
