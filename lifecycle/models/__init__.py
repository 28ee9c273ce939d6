"""Every model, imported here so Alembic and relationship resolution see the whole schema."""

from lifecycle.models.access import ApiToken
from lifecycle.models.access import PasswordResetToken
from lifecycle.models.activities import Activity
from lifecycle.models.activities import CatalogueItem
from lifecycle.models.activities import PillarCoverage
from lifecycle.models.audit import AuditEvent

# -- effect map ----
from lifecycle.models.effect_map import Effect
from lifecycle.models.effect_map import EffectDriver
from lifecycle.models.effect_map import EffectObstacle
from lifecycle.models.imports import ManagerImport
from lifecycle.models.interviews import Interview
from lifecycle.models.interviews import Panelist
from lifecycle.models.interviews import Scorecard
from lifecycle.models.interviews import ScorecardAmendment
from lifecycle.models.interviews import ScorecardScore
from lifecycle.models.interviews import VacancyDecision
from lifecycle.models.introductions import IntroductionLaunch
from lifecycle.models.introductions import IntroductionTemplate
from lifecycle.models.introductions import TemplateMilestone
from lifecycle.models.invitations import Invitation
from lifecycle.models.managers import Manager
from lifecycle.models.managers import ManagerChange
from lifecycle.models.managers import StageTransition
from lifecycle.models.mentoring import Mentorship
from lifecycle.models.mentoring import RoleModel
from lifecycle.models.obstacles import Obstacle
from lifecycle.models.obstacles import ObstacleEvent

# -- offboarding ----
from lifecycle.models.offboarding import ExitInterview
from lifecycle.models.offboarding import ExitPillarScore
from lifecycle.models.offboarding import ExitReason
from lifecycle.models.offboarding import OffboardingChecklist
from lifecycle.models.organisation import OrgUnit
from lifecycle.models.plans import DevelopmentPlan
from lifecycle.models.plans import DevelopmentReview
from lifecycle.models.plans import PlanComment
from lifecycle.models.plans import PlanGoal
from lifecycle.models.plans import ReviewAssessment
from lifecycle.models.platform import Expectation
from lifecycle.models.platform import Pillar
from lifecycle.models.platform import Platform
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyExpectation
from lifecycle.models.recruitment_banks import BankEntry
from lifecycle.models.recruitment_banks import VacancyAd
from lifecycle.models.recruitment_banks import VacancyAdParagraph
from lifecycle.models.reminders import Reminder
from lifecycle.models.system import AppSetting
from lifecycle.models.system import Heartbeat
from lifecycle.models.talent_pool import TalentProfile
from lifecycle.models.users import User
from lifecycle.models.users import UserRole
from lifecycle.models.workshops import GroupGoal
from lifecycle.models.workshops import Workshop
from lifecycle.models.workshops import WorkshopOutcome
from lifecycle.models.workshops import WorkshopParticipant
from lifecycle.models.workshops import WorkshopQuestion

__all__ = [
    "Activity",
    "ApiToken",
    "AppSetting",
    "AuditEvent",
    "BankEntry",
    "Candidacy",
    "CatalogueItem",
    "DevelopmentPlan",
    "DevelopmentReview",
    "Effect",
    "EffectDriver",
    "EffectObstacle",
    "ExitInterview",
    "ExitPillarScore",
    "ExitReason",
    "Expectation",
    "GroupGoal",
    "Heartbeat",
    "Interview",
    "IntroductionLaunch",
    "IntroductionTemplate",
    "Invitation",
    "Manager",
    "ManagerChange",
    "ManagerImport",
    "Mentorship",
    "Obstacle",
    "ObstacleEvent",
    "OffboardingChecklist",
    "OrgUnit",
    "Panelist",
    "PasswordResetToken",
    "Pillar",
    "PillarCoverage",
    "PlanComment",
    "PlanGoal",
    "Platform",
    "Reminder",
    "ReviewAssessment",
    "RoleModel",
    "Scorecard",
    "ScorecardAmendment",
    "ScorecardScore",
    "StageTransition",
    "TalentProfile",
    "TemplateMilestone",
    "User",
    "UserRole",
    "Vacancy",
    "VacancyAd",
    "VacancyAdParagraph",
    "VacancyDecision",
    "VacancyExpectation",
    "Workshop",
    "WorkshopOutcome",
    "WorkshopParticipant",
    "WorkshopQuestion",
]
