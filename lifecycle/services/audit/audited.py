"""Which models are audited, how their changes are recorded, and whose data each row is."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import inspect

from lifecycle.models import Activity
from lifecycle.models import ApiToken
from lifecycle.models import BankEntry
from lifecycle.models import Candidacy
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Interview
from lifecycle.models import IntroductionLaunch
from lifecycle.models import Manager
from lifecycle.models import Mentorship
from lifecycle.models import Obstacle
from lifecycle.models import Panelist
from lifecycle.models import PlanComment
from lifecycle.models import PlanGoal
from lifecycle.models import ReviewAssessment
from lifecycle.models import RoleModel
from lifecycle.models import Scorecard
from lifecycle.models import ScorecardAmendment
from lifecycle.models import ScorecardScore
from lifecycle.models import StageTransition
from lifecycle.models import TalentProfile
from lifecycle.models import User
from lifecycle.models import UserRole
from lifecycle.models import Vacancy
from lifecycle.models import VacancyAd
from lifecycle.models import VacancyAdParagraph
from lifecycle.models import VacancyDecision
from lifecycle.models import VacancyExpectation

# -- effect map ----
from lifecycle.models.effect_map import Effect
from lifecycle.models.effect_map import EffectDriver
from lifecycle.models.effect_map import EffectObstacle
from lifecycle.models.offboarding import ExitInterview
from lifecycle.models.offboarding import ExitPillarScore
from lifecycle.models.offboarding import ExitReason
from lifecycle.models.offboarding import OffboardingChecklist
from lifecycle.models.workshops import GroupGoal
from lifecycle.models.workshops import Workshop
from lifecycle.models.workshops import WorkshopOutcome
from lifecycle.models.workshops import WorkshopParticipant
from lifecycle.models.workshops import WorkshopQuestion
from lifecycle.services.audit.vocabulary import CREATE
from lifecycle.services.audit.vocabulary import MOVE

#: something a subject is found through: a manager, a user, a plan, a review or an activity, by id (a
#: vacancy has no subject)
Ref = tuple[type[Any], int | None]


@dataclass(frozen=True)
class Audited:
    """How changes to one model are recorded."""

    object_type: str
    #: what the object's subject is found through (a list: a group activity has several)
    subjects: Callable[[Any], list[Ref]]
    #: only these attributes count as changes (None: every column and many-to-many collection)
    fields: frozenset[str] | None = None
    #: attributes that never count as changes (bookkeeping)
    ignored: frozenset[str] = frozenset()
    #: names the log shows instead of an attribute's own (e.g. password_hash -> password)
    renamed: dict[str, str] = field(default_factory=dict)
    #: the action a new row stands for
    create_action: str = CREATE
    #: non-personal facts about a new row (e.g. a move's stages)
    detail: Callable[[Any], dict[str, Any]] | None = None
    #: rows that are part of another object: (its model, its id, the field of it they make up)
    part_of: Callable[[Any], tuple[type[Any], int, str]] | None = None


#: the audited models, filled by `audit_changes()` below; the flush hook (`recording`) reads it
AUDITED: dict[type[Any], Audited] = {}


def audit_changes(
    model: type[Any],
    object_type: str,
    subjects: Callable[[Any], list[Ref]],
    *,
    fields: Iterable[str] | None = None,
    ignored: Iterable[str] = (),
    renamed: dict[str, str] | None = None,
    create_action: str = CREATE,
    detail: Callable[[Any], dict[str, Any]] | None = None,
    part_of: Callable[[Any], tuple[type[Any], int, str]] | None = None,
) -> None:
    """Record every creation, change and deletion of `model`'s rows in the audit log."""
    AUDITED[model] = Audited(
        object_type=object_type,
        subjects=subjects,
        fields=frozenset(fields) if fields is not None else None,
        ignored=frozenset(ignored),
        renamed=dict(renamed or {}),
        create_action=create_action,
        detail=detail,
        part_of=part_of,
    )


def loaded(obj: Any, key: str) -> Any:
    """Return an attribute only if it is loaded: the hook never makes the ORM load anything."""
    return inspect(obj).dict.get(key) if obj is not None else None


def row_id(obj: Any) -> int | None:
    """Return the row's id without loading anything (a new row has it once the flush wrote it)."""
    state = inspect(obj)
    ident: int | None = state.identity[0] if state.identity else state.dict.get("id")
    return ident


def _activity_subjects(activity: Activity) -> list[Ref]:
    participants = loaded(activity, "participants")
    if participants is not None:
        return [(Manager, manager.id) for manager in participants]
    return [(Activity, row_id(activity))]


def _move_detail(transition: StageTransition) -> dict[str, Any]:
    # Stages are the journey's facts, not personal data; the reason (free text) is never copied.
    return {
        "from": transition.from_stage.value if transition.from_stage else None,
        "to": transition.to_stage.value,
    }


# One line per audited model; a new model with a person behind it (scorecards, obstacles) adds one.
audit_changes(Manager, "manager", lambda m: [(Manager, row_id(m))], ignored={"created_at", "updated_at"})
audit_changes(
    StageTransition, "stage", lambda t: [(Manager, t.manager_id)], create_action=MOVE, detail=_move_detail
)
audit_changes(DevelopmentPlan, "plan", lambda p: [(Manager, p.manager_id)])
audit_changes(PlanGoal, "goal", lambda g: [(DevelopmentPlan, g.plan_id)])
audit_changes(PlanComment, "comment", lambda c: [(DevelopmentPlan, c.plan_id)])
audit_changes(DevelopmentReview, "review", lambda r: [(DevelopmentPlan, r.plan_id)])
audit_changes(
    ReviewAssessment,
    "review",
    lambda a: [(DevelopmentReview, a.review_id)],
    part_of=lambda a: (DevelopmentReview, a.review_id, "assessments"),
)
audit_changes(Activity, "activity", _activity_subjects)
audit_changes(IntroductionLaunch, "introduction", lambda i: [(Manager, i.manager_id)])
audit_changes(Candidacy, "candidacy", lambda c: [(Manager, c.manager_id)], ignored={"step_changed_at"})
# A vacancy is no one's personal data: its rows have no subject and are found by the vacancy itself.
audit_changes(Vacancy, "vacancy", lambda v: [(Vacancy, row_id(v))], ignored={"created_at", "updated_at"})
audit_changes(
    VacancyExpectation,
    "vacancy",
    lambda w: [(Vacancy, w.vacancy_id)],
    part_of=lambda w: (Vacancy, w.vacancy_id, "weights"),
)
audit_changes(
    TalentProfile, "talent_profile", lambda p: [(Manager, p.manager_id)], ignored={"created_at", "updated_at"}
)
# Interviews, scorecards and the decision are about the candidate (found through the candidacy).
audit_changes(Interview, "interview", lambda i: [(Candidacy, i.candidacy_id)])
audit_changes(
    Panelist,
    "interview",
    lambda p: [(Interview, p.interview_id)],
    part_of=lambda p: (Interview, p.interview_id, "panel"),
)
audit_changes(Scorecard, "scorecard", lambda s: [(Candidacy, s.candidacy_id)], ignored={"updated_at"})
audit_changes(
    ScorecardScore,
    "scorecard",
    lambda s: [(Scorecard, s.scorecard_id)],
    part_of=lambda s: (Scorecard, s.scorecard_id, "scores"),
)
audit_changes(ScorecardAmendment, "scorecard_amendment", lambda a: [(Scorecard, a.scorecard_id)])
audit_changes(VacancyDecision, "decision", lambda d: [(Candidacy, d.candidacy_id)])
# An obstacle is its reporter's report (one with no reporter left has no subject); its history rows are
# the changes this already records.
audit_changes(
    Obstacle,
    "obstacle",
    lambda o: [(Manager, rid)] if (rid := loaded(o, "reporter_id")) is not None else [],
)
audit_changes(
    User,
    "account",
    lambda u: [(User, row_id(u))],
    fields={"email", "name", "password_hash", "is_enabled"},
    renamed={"password_hash": "password"},
)
audit_changes(
    UserRole, "account", lambda r: [(User, r.user_id)], part_of=lambda r: (User, r.user_id, "roles")
)
audit_changes(ApiToken, "api_token", lambda t: [(User, t.user_id)], fields={"name", "revoked_at"})
# HR's own texts, with no person behind them: one row each, naming who acted and no subject.
audit_changes(BankEntry, "bank_entry", lambda e: [], ignored={"edited_at"})
audit_changes(VacancyAd, "vacancy_ad", lambda a: [], ignored={"updated_at"})
audit_changes(
    VacancyAdParagraph,
    "vacancy_ad",
    lambda p: [],
    part_of=lambda p: (VacancyAd, p.ad_id, "paragraphs"),
)

# -- mentoring ------------------------------------------------------------------------------------
# A role-model record is its manager's data; a mentorship is both the mentor's and the mentee's.
audit_changes(
    RoleModel, "role_model", lambda r: [(Manager, r.manager_id)], ignored={"created_at", "updated_at"}
)
audit_changes(Mentorship, "mentorship", lambda m: [(Manager, m.mentee_id), (Manager, m.mentor_id)])
# -- workshops ----
# A workshop and its notes are the group's, not one person's: no subject. Taking part is the
# participant's own data, and a group goal is about its owner (none left: no subject).
audit_changes(Workshop, "workshop", lambda w: [])
audit_changes(WorkshopOutcome, "workshop_outcome", lambda o: [], ignored={"recorded_at"})
audit_changes(WorkshopParticipant, "workshop_participant", lambda p: [(Manager, p.manager_id)])
audit_changes(
    GroupGoal,
    "group_goal",
    lambda g: [(Manager, oid)] if (oid := loaded(g, "owner_id")) is not None else [],
)
audit_changes(WorkshopQuestion, "workshop_question", lambda q: [], ignored={"edited_at"})
# -- offboarding ----
# A checklist and the exit interview with its scores are the leaving manager's data; HR's list of
# reasons is about no one.
audit_changes(OffboardingChecklist, "offboarding", lambda c: [(Manager, c.manager_id)])
audit_changes(ExitInterview, "exit_interview", lambda i: [(Manager, i.manager_id)], ignored={"recorded_at"})
# A score is part of its interview's row (created with it, in the same flush).
audit_changes(
    ExitPillarScore,
    "exit_interview",
    lambda s: [],
    part_of=lambda s: (ExitInterview, s.interview_id, "scores"),
)
audit_changes(ExitReason, "exit_reason", lambda r: [])
# -- effect map ----
# HR's map of the organisation, with no person behind it: one row each, naming who acted and no subject.
audit_changes(Effect, "effect", lambda e: [], ignored={"edited_at"})
audit_changes(EffectDriver, "effect_driver", lambda d: [], ignored={"edited_at"})
audit_changes(EffectObstacle, "effect_obstacle", lambda o: [], ignored={"edited_at"})
