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
    """How far a development goal has come."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    DROPPED = "dropped"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.PLANNED: _l("Planned"),
            cls.IN_PROGRESS: _l("In progress"),
            cls.ACHIEVED: _l("Achieved"),
            cls.DROPPED: _l("Dropped"),
        }


class Assessor(TitledEnum):
    """Who gave an assessment in a development review."""

    SELF = "self"
    LINE_MANAGER = "line_manager"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {cls.SELF: _l("Self-assessment"), cls.LINE_MANAGER: _l("Line manager's assessment")}
