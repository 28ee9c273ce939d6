"""The fixed vocabularies of the domain, each with a translatable title per member."""

from __future__ import annotations

import enum

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


class TitledEnum(enum.StrEnum):
    """A string enum whose members have a translatable title."""

    @property
    def title(self) -> LazyString:
        return self._titles()[self]

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        raise NotImplementedError


class Stage(TitledEnum):
    """Where a person is on the manager's journey."""

    ATTRACT = "attract"
    RECRUIT = "recruit"
    INTRODUCE = "introduce"
    DEVELOP = "develop"
    OFFBOARD = "offboard"
    CLOSED = "closed"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.ATTRACT: _l("Attract"),
            cls.RECRUIT: _l("Recruit"),
            cls.INTRODUCE: _l("Introduce"),
            cls.DEVELOP: _l("Retain and develop"),
            cls.OFFBOARD: _l("Offboard"),
            cls.CLOSED: _l("Closed"),
        }

    @classmethod
    def journey(cls) -> tuple[Stage, ...]:
        """Return the five stages of the journey in order (without the closed state)."""
        return (cls.ATTRACT, cls.RECRUIT, cls.INTRODUCE, cls.DEVELOP, cls.OFFBOARD)


class Role(TitledEnum):
    """What a user account may do besides seeing its own journey."""

    ADMIN = "admin"
    HR = "hr"
    MANAGER = "manager"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {cls.ADMIN: _l("Administrator"), cls.HR: _l("HR"), cls.MANAGER: _l("Manager")}


class OrgUnitKind(TitledEnum):
    """The levels of a municipality's organisation tree."""

    MUNICIPALITY = "municipality"
    ADMINISTRATION = "administration"
    DEPARTMENT = "department"
    UNIT = "unit"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.MUNICIPALITY: _l("Municipality"),
            cls.ADMINISTRATION: _l("Administration"),
            cls.DEPARTMENT: _l("Department"),
            cls.UNIT: _l("Unit"),
        }


class Language(enum.StrEnum):
    """The languages the interface speaks."""

    SV = "sv"
    EN = "en"

    @property
    def native_name(self) -> str:
        """Return the language's name in that language; it is never translated."""
        return {"sv": "Svenska", "en": "English"}[self.value]


class ActivityKind(TitledEnum):
    """What sort of thing happened on the journey."""

    EMPLOYER_BRANDING = "employer_branding"
    #: a session of the aspiring-leader programme (attract)
    ASPIRANT_PROGRAMME = "aspirant_programme"
    INTERVIEW = "interview"
    INTRODUCTION_MILESTONE = "introduction_milestone"
    COURSE = "course"
    WORKSHOP = "workshop"
    MENTORING = "mentoring"
    DEVELOPMENT_REVIEW = "development_review"
    EXIT_INTERVIEW = "exit_interview"
    OTHER = "other"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.EMPLOYER_BRANDING: _l("Employer-branding event"),
            cls.ASPIRANT_PROGRAMME: _l("Aspiring-leader programme session"),
            cls.INTERVIEW: _l("Interview"),
            cls.INTRODUCTION_MILESTONE: _l("Introduction milestone"),
            cls.COURSE: _l("Course or programme"),
            cls.WORKSHOP: _l("Workshop"),
            cls.MENTORING: _l("Mentoring session"),
            cls.DEVELOPMENT_REVIEW: _l("Development review"),
            cls.EXIT_INTERVIEW: _l("Exit interview"),
            cls.OTHER: _l("Other"),
        }


class GoalStatus(TitledEnum):
    """How far a development goal has come; a proposed one is not in the plan until it is accepted."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    DROPPED = "dropped"
    PROPOSED = "proposed"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.PLANNED: _l("Planned"),
            cls.IN_PROGRESS: _l("In progress"),
            cls.ACHIEVED: _l("Achieved"),
            cls.DROPPED: _l("Dropped"),
            cls.PROPOSED: _l("Proposed"),
        }

    @classmethod
    def in_plan(cls) -> tuple[GoalStatus, ...]:
        """The statuses of a goal in the plan: what its owner may set (a proposal is accepted instead)."""
        return (cls.PLANNED, cls.IN_PROGRESS, cls.ACHIEVED, cls.DROPPED)


class Assessor(TitledEnum):
    """Who gave an assessment in a development review."""

    SELF = "self"
    LINE_MANAGER = "line_manager"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {cls.SELF: _l("Self-assessment"), cls.LINE_MANAGER: _l("Line manager's assessment")}


class OffsetUnit(TitledEnum):
    """The unit of a milestone's offset from the start date."""

    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {cls.DAYS: _l("days"), cls.WEEKS: _l("weeks"), cls.MONTHS: _l("months")}


class ResponsibleRole(TitledEnum):
    """Who is responsible for an introduction milestone, relative to the new manager."""

    MANAGER = "manager"
    LINE_MANAGER = "line_manager"
    HR_PARTNER = "hr_partner"
    MENTOR = "mentor"
    NAMED = "named"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.MANAGER: _l("The new manager"),
            cls.LINE_MANAGER: _l("The line manager"),
            cls.HR_PARTNER: _l("The HR partner"),
            cls.MENTOR: _l("The mentor"),
            cls.NAMED: _l("A named person"),
        }


class ReminderOccurrence(TitledEnum):
    """Which reminder of an item this is."""

    BEFORE = "before"
    DUE = "due"
    ESCALATION = "escalation"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.BEFORE: _l("Before the due date"),
            cls.DUE: _l("On the due date"),
            cls.ESCALATION: _l("Escalation"),
        }


class ReminderStatus(TitledEnum):
    """Where a reminder e-mail is in its delivery."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.PENDING: _l("Waiting"),
            cls.SENDING: _l("Sending"),
            cls.SENT: _l("Sent"),
            cls.FAILED: _l("Failed"),
            cls.CANCELLED: _l("Cancelled"),
        }


class ImportStatus(TitledEnum):
    """Where an uploaded import file is: checked, waiting for the worker, being written, or finished."""

    CHECKED = "checked"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.CHECKED: _l("Checked, not imported"),
            cls.QUEUED: _l("Waiting to start"),
            cls.RUNNING: _l("Importing"),
            cls.DONE: _l("Imported"),
            cls.FAILED: _l("Failed"),
        }


class AccountState(TitledEnum):
    """Whether a manager can log in: no account, invited, active (has a password), or disabled."""

    NONE = "none"
    INVITED = "invited"
    ACTIVE = "active"
    DISABLED = "disabled"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.NONE: _l("No account"),
            cls.INVITED: _l("Invited"),
            cls.ACTIVE: _l("Active"),
            cls.DISABLED: _l("Disabled"),
        }


class ObstacleSeverity(TitledEnum):
    """How much an obstacle stands in a manager's way."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {cls.LOW: _l("Low"), cls.MEDIUM: _l("Medium"), cls.HIGH: _l("High")}


class ObstacleStatus(TitledEnum):
    """Where an obstacle is: reported, being handled, then removed or found not removable."""

    REPORTED = "reported"
    BEING_HANDLED = "being_handled"
    REMOVED = "removed"
    NOT_REMOVABLE = "not_removable"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.REPORTED: _l("Reported"),
            cls.BEING_HANDLED: _l("Being handled"),
            cls.REMOVED: _l("Removed"),
            cls.NOT_REMOVABLE: _l("Cannot be removed"),
        }

    @classmethod
    def open(cls) -> tuple[ObstacleStatus, ...]:
        """The statuses of an obstacle still in the way."""
        return (cls.REPORTED, cls.BEING_HANDLED)

    @classmethod
    def resolved(cls) -> tuple[ObstacleStatus, ...]:
        """The statuses that end an obstacle's handling (the reporter is told)."""
        return (cls.REMOVED, cls.NOT_REMOVABLE)


# -- workshops ---------------------------------------------------------------------------------------


class WorkshopStatus(TitledEnum):
    """Where a management group's workshop is: planned, held (its outcome recorded), or cancelled."""

    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {cls.PLANNED: _l("Planned"), cls.HELD: _l("Held"), cls.CANCELLED: _l("Cancelled")}


# -- offboarding ----


class TemplatePurpose(TitledEnum):
    """What a template of milestones is for: an introduction (counted from the start date) or an
    offboarding checklist (counted back from the last working day)."""

    INTRODUCTION = "introduction"
    OFFBOARDING = "offboarding"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {cls.INTRODUCTION: _l("Introduction programme"), cls.OFFBOARDING: _l("Offboarding checklist")}


# -- effect map ----


class MeasureKind(TitledEnum):
    """What an effect of the effect map is measured by (services/effect_map/measures.py computes each)."""

    PULSE_STATEMENT = "pulse_statement"
    EXITS = "exits"
    PILLAR_COVERAGE = "pillar_coverage"
    OBSTACLE_REMOVAL = "obstacle_removal"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.PULSE_STATEMENT: _l("A statement of the pulse survey"),
            cls.EXITS: _l("Exits"),
            cls.PILLAR_COVERAGE: _l("Coverage of a pillar"),
            cls.OBSTACLE_REMOVAL: _l("Time to removal of obstacles"),
        }
