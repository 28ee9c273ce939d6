"""The API's mentoring, declared once: role models, mentor suggestions, mentorships and their meetings."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from typing import Any

from pydantic import Field

from lifecycle.blueprints.api.contract import DATE
from lifecycle.blueprints.api.contract import IDENTIFIER
from lifecycle.blueprints.api.contract import Body
from lifecycle.blueprints.api.contract import Id
from lifecycle.blueprints.api.contract import Moment
from lifecycle.blueprints.api.contract import Out
from lifecycle.blueprints.api.contract import nullable
from lifecycle.blueprints.api.contract import text
from lifecycle.blueprints.api.contract import whole_number
from lifecycle.blueprints.api.obstacle_schemas import BOOLEAN
from lifecycle.blueprints.api.plan_schemas import ExpectationKeys
from lifecycle.blueprints.api.plan_schemas import PillarKeys
from lifecycle.models import Activity
from lifecycle.models.mentoring import MAX_CADENCE_WEEKS
from lifecycle.models.mentoring import MAX_CAPACITY
from lifecycle.models.mentoring import TEXT_MAX_LENGTH
from lifecycle.models.mentoring import Mentorship as MentorshipModel
from lifecycle.models.mentoring import RoleModel as RoleModelModel
from lifecycle.services.mentoring.queries import MentorshipState
from lifecycle.services.mentoring.queries import state_of
from lifecycle.services.mentoring.suggestions import Suggestion

CAPACITY = whole_number(1, MAX_CAPACITY)
CADENCE = whole_number(1, MAX_CADENCE_WEEKS)
LongText = Annotated[str | None, nullable(text(TEXT_MAX_LENGTH))]


class RoleModelCreate(Body):
    """HR marks a manager in post as a role model: the pillars and expectations they are strong in (at
    least one), how many mentees they take at once, and optionally what the study found."""

    manager_id: Annotated[int, IDENTIFIER]
    pillars: PillarKeys = Field(default_factory=list)
    expectations: ExpectationKeys = Field(default_factory=list)
    capacity: Annotated[int, CAPACITY] = 1
    study_note: LongText = None


class RoleModelUpdate(Body):
    """HR's change; fields left out stay as they are. `is_active: false` unmarks the role model (no longer
    suggested; their mentorships run on), `true` marks them again."""

    pillars: PillarKeys = Field(default_factory=list)
    expectations: ExpectationKeys = Field(default_factory=list)
    capacity: Annotated[int, CAPACITY] = 1
    study_note: LongText = None
    is_active: Annotated[bool, BOOLEAN] = True


class RoleModel(Out):
    """A role model; `study_note` is HR's only (null for anyone else)."""

    id: Id
    manager_id: Id
    manager_name: str
    pillars: list[str]
    expectations: list[str]
    capacity: int
    is_active: bool
    study_note: str | None

    @classmethod
    def of(cls, role_model: RoleModelModel, *, for_hr: bool) -> RoleModel:
        return cls(
            id=role_model.id,
            manager_id=role_model.manager_id,
            manager_name=role_model.manager.name,
            pillars=[p.key for p in role_model.pillars],
            expectations=[e.key for e in role_model.expectations],
            capacity=role_model.capacity,
            is_active=role_model.is_active,
            study_note=role_model.study_note if for_hr else None,
        )


class SuggestionReason(Out):
    """A weakness of the manager the role model's strengths cover: an expectation assessed low (with the
    lowest score of the latest review) or a pillar without activity in twelve months (no score)."""

    pillar: str
    expectation: str | None
    score: int | None
    text: str


class MentorSuggestion(Out):
    """A suggested mentor, best first: `score` sums the weights of the weaknesses covered."""

    role_model_id: Id
    mentor_id: Id
    mentor_name: str
    score: int
    free_places: int
    reasons: list[SuggestionReason]

    @classmethod
    def of(cls, suggestion: Suggestion) -> MentorSuggestion:
        return cls(
            role_model_id=suggestion.role_model.id,
            mentor_id=suggestion.mentor.id,
            mentor_name=suggestion.mentor.name,
            score=suggestion.score,
            free_places=suggestion.spare,
            reasons=[
                SuggestionReason(
                    pillar=r.weakness.pillar.key,
                    expectation=r.weakness.expectation.key if r.weakness.expectation else None,
                    score=r.weakness.score,
                    text=str(r.text),
                )
                for r in suggestion.reasons
            ],
        )


class MentorshipCreate(Body):
    """HR starts a mentorship: the mentor (an active role model with a free place, outside the mentee's
    own line of management), the mentee (without another mentorship in the period), the period, the
    agreed goals and the meeting cadence in weeks."""

    mentor_id: Annotated[int, IDENTIFIER]
    mentee_id: Annotated[int, IDENTIFIER]
    starts_on: Annotated[date, DATE]
    ends_on: Annotated[date, DATE]
    goals: Annotated[str, text(TEXT_MAX_LENGTH, required=True)]
    cadence_weeks: Annotated[int, CADENCE]


class MeetingCreate(Body):
    """A meeting that took place (within the period, not in the future), tagged with what it built."""

    held_on: Annotated[date, DATE]
    title: Annotated[str | None, nullable(text(200))] = None
    pillars: PillarKeys = Field(default_factory=list)
    expectations: ExpectationKeys = Field(default_factory=list)
    notes: LongText = None


class MentorshipEnd(Body):
    """Why the mentorship ends (optional)."""

    reason: LongText = None


class Meeting(Out):
    """A meeting: a completed mentoring activity of the mentee."""

    activity_id: Id
    held_on: date | None
    title: str
    pillars: list[str]
    expectations: list[str]

    @classmethod
    def of(cls, activity: Activity) -> Meeting:
        return cls(
            activity_id=activity.id,
            held_on=activity.completed_on,
            title=activity.title,
            pillars=[p.key for p in activity.pillars],
            expectations=[e.key for e in activity.expectations],
        )


class Mentorship(Out):
    """A mentorship and where it stands."""

    id: Id
    mentor_id: Id
    mentee_id: Id
    starts_on: date
    ends_on: date
    goals: str
    cadence_weeks: int
    state: MentorshipState
    ended_at: Moment | None
    ended_reason: str

    @classmethod
    def of(cls, mentorship: MentorshipModel, today: date) -> Mentorship:
        return cls(**_fields(mentorship, today))


class MentorshipDetail(Mentorship):
    """A mentorship with its meetings, the latest first."""

    meetings: list[Meeting]

    @classmethod
    def detail(cls, mentorship: MentorshipModel, today: date, meetings: list[Activity]) -> MentorshipDetail:
        return cls(**_fields(mentorship, today), meetings=[Meeting.of(a) for a in meetings])


def _fields(mentorship: MentorshipModel, today: date) -> dict[str, Any]:
    return {
        "id": mentorship.id,
        "mentor_id": mentorship.mentor_id,
        "mentee_id": mentorship.mentee_id,
        "starts_on": mentorship.starts_on,
        "ends_on": mentorship.ends_on,
        "goals": mentorship.goals,
        "cadence_weeks": mentorship.cadence_weeks,
        "state": state_of(mentorship, today),
        "ended_at": mentorship.ended_at,
        "ended_reason": mentorship.ended_reason,
    }
