"""Who may see and do what: the one place every page, API call and export asks.

Two layers:
- every endpoint declares the rule that lets a user reach it at all (`ENDPOINT_RULES`); an endpoint
  without a declaration is refused, so a new route cannot be forgotten;
- objects are loaded through the `get_*_or_404` and `visible_*` helpers, which answer 404 for an
  object the user may not see, never revealing that it exists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort
from flask import request
from flask_login import current_user
from sqlalchemy import ColumnElement
from sqlalchemy import CompoundSelect
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.interfaces import ORMOption

from lifecycle.enums import GoalStatus
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.extensions import login_manager
from lifecycle.models import Activity
from lifecycle.models import BankEntry
from lifecycle.models import Candidacy
from lifecycle.models import DevelopmentReview
from lifecycle.models import Interview
from lifecycle.models import Manager
from lifecycle.models import Mentorship
from lifecycle.models import Obstacle
from lifecycle.models import OrgUnit
from lifecycle.models import Panelist
from lifecycle.models import PlanGoal
from lifecycle.models import RoleModel
from lifecycle.models import Scorecard
from lifecycle.models import TalentProfile
from lifecycle.models import User
from lifecycle.models import Vacancy
from lifecycle.models.offboarding import OffboardingChecklist
from lifecycle.models.recruitment import vacancy_interviewers
from lifecycle.models.workshops import GroupGoal
from lifecycle.models.workshops import Workshop
from lifecycle.models.workshops import WorkshopParticipant
from lifecycle.services.mentoring.queries import mentorship_in_full
from lifecycle.services.mentoring.queries import running_clause
from lifecycle.services.offboarding import checklist_of
from lifecycle.services.recruitment import candidacy_of
from lifecycle.services.recruitment import interview_of
from lifecycle.services.recruitment import vacancy_in_full
from lifecycle.services.recruitment.banks import entry_of
from lifecycle.services.recruitment.matrix import ScoreVisibility
from lifecycle.services.talent_pool import profile_in_full
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    """Who may reach an endpoint."""

    name: str
    allows: Callable[[User | None], bool]
    needs_login: bool


def _has_role(*roles: Role) -> Callable[[User | None], bool]:
    return lambda user: user is not None and user.has_role(*roles)


PUBLIC = Rule("public", lambda user: True, needs_login=False)
LOGGED_IN = Rule("logged in", lambda user: user is not None, needs_login=True)
HR = Rule("hr or admin", _has_role(Role.HR, Role.ADMIN), needs_login=True)
ADMIN = Rule("admin", _has_role(Role.ADMIN), needs_login=True)

#: every endpoint of the app and who may reach it; objects are then checked one by one below
ENDPOINT_RULES: dict[str, Rule] = {
    "static": PUBLIC,
    "system.health": PUBLIC,
    "auth.login": PUBLIC,
    "auth.forgot_password": PUBLIC,
    # the e-mailed link's secret is the credential
    "auth.reset_password": PUBLIC,
    "auth.logout": LOGGED_IN,
    "auth.change_password": LOGGED_IN,
    "main.index": LOGGED_IN,
    "account.settings": LOGGED_IN,
    "account.tokens": LOGGED_IN,
    "account.revoke": LOGGED_IN,
    # the feed's secret address is its credential: calendar apps fetch it without a session
    "calendar.feed": PUBLIC,
    "calendar.issue": LOGGED_IN,
    "calendar.revoke": LOGGED_IN,
    "platform.show": LOGGED_IN,
    "managers.detail": LOGGED_IN,
    "managers.move": HR,
    "managers.edit": HR,
    "managers.audit_trail": HR,
    "managers.suggest": LOGGED_IN,
    "invitations.invite_one": HR,
    "invitations.withdraw_one": HR,
    "invitations.invite_selection": HR,
    # the e-mailed link's secret is the credential
    "invitations.accept": PUBLIC,
    "gdpr.export": HR,
    "gdpr.anonymise": HR,
    # one's own personal data, as a download
    "gdpr.my_data": LOGGED_IN,
    "pipeline.board": HR,
    "activities.catalogue": HR,
    "activities.new_catalogue_item": HR,
    "activities.toggle_catalogue_item": HR,
    "activities.new_activity": HR,
    "insight.coverage": HR,
    "insight.coverage_csv": HR,
    "insight.uncovered": HR,
    "insight.uncovered_csv": HR,
    "introductions.overview": HR,
    "introductions.templates": HR,
    "introductions.new_template": HR,
    "introductions.edit_template": HR,
    "introductions.set_default": HR,
    "introductions.new_milestone": HR,
    "introductions.edit_milestone": HR,
    "introductions.delete_milestone": HR,
    "introductions.launch": HR,
    # recruitment: the list and a vacancy are for HR, its hiring manager and its recruitment group
    "recruitment.vacancies": LOGGED_IN,
    "recruitment.vacancy": LOGGED_IN,
    "recruitment.new_vacancy": HR,
    "recruitment.edit_vacancy": HR,
    "recruitment.weights": HR,
    "recruitment.group": HR,
    "recruitment.status": HR,
    "recruitment.new_candidate": HR,
    "recruitment.candidate_step": HR,
    "recruitment.not_selected": HR,
    # the hand-over: HR or the vacancy's hiring manager (checked on the vacancy)
    "recruitment.hire": LOGGED_IN,
    # the talent pool (attract): HR's
    "talent_pool.members": HR,
    "talent_pool.new_member": HR,
    "talent_pool.member": HR,
    "talent_pool.edit_member": HR,
    "talent_pool.renew_consent": HR,
    "talent_pool.recruit": HR,
    "talent_pool.remove": HR,
    # interviews, scorecards, the matrix and the decision: objects checked by the recruitment helpers
    "recruitment.candidate": LOGGED_IN,
    "recruitment.new_interview": LOGGED_IN,
    "recruitment.edit_interview": LOGGED_IN,
    "recruitment.cancel_interview": LOGGED_IN,
    "recruitment.scorecard": LOGGED_IN,
    "recruitment.amend_scorecard": LOGGED_IN,
    "recruitment.matrix": LOGGED_IN,
    "recruitment.decision": LOGGED_IN,
    # the phrase and question banks are HR's; the ad is built by HR and read, with the interview
    # guide, by whoever sees the vacancy (objects checked by get_vacancy_or_404 and its kin)
    "materials.banks": HR,
    "materials.bank": HR,
    "materials.edit_entry": HR,
    "materials.retire_entry": HR,
    "materials.move_entry": HR,
    "materials.ad": HR,
    "materials.ad_preview": LOGGED_IN,
    "materials.ad_docx": LOGGED_IN,
    "materials.guide": LOGGED_IN,
    "materials.guide_docx": LOGGED_IN,
    "reminders.index": HR,
    "reminders.resend": HR,
    "reminders.rules": HR,
    # one's own e-mail preference
    "reminders.preferences": LOGGED_IN,
    "plans.me": LOGGED_IN,
    "plans.review": LOGGED_IN,
    "plans.assess": LOGGED_IN,
    "plans.complete": LOGGED_IN,
    "plans.show": LOGGED_IN,
    "plans.create_goal": LOGGED_IN,
    "plans.goal_status": LOGGED_IN,
    "plans.add_catalogue_activity": LOGGED_IN,
    "plans.mark_completed": LOGGED_IN,
    "plans.notes": LOGGED_IN,
    "plans.comment": LOGGED_IN,
    # goals the recruitment proposed: HR or the line manager decides (checked on the plan)
    "plans.accept_proposal": LOGGED_IN,
    "plans.edit_proposal": LOGGED_IN,
    "plans.reject_proposal": LOGGED_IN,
    "imports.upload": HR,
    "imports.report": HR,
    "imports.confirm": HR,
    # the progress of an import job: who may import may follow it
    "imports.progress": HR,
    "imports.export_csv": HR,
    "imports.export_xlsx": HR,
    "imports.activities_upload": HR,
    "imports.activities_report": HR,
    "imports.activities_confirm": HR,
    "imports.activities_progress": HR,
    # a recruitment system's applicants, into one vacancy (loaded through get_managed_vacancy_or_404)
    "imports.candidates_upload": HR,
    "imports.candidates_report": HR,
    "imports.candidates_confirm": HR,
    "imports.candidates_progress": HR,
    # JSON API v1; objects are then checked through the helpers below, as on the pages
    "api.openapi": PUBLIC,
    "api.list_managers": LOGGED_IN,
    "api.get_manager": LOGGED_IN,
    "api.create_manager": HR,
    "api.update_manager_details": HR,
    "api.list_transitions": LOGGED_IN,
    "api.create_transition": HR,
    "api.list_units": LOGGED_IN,
    "api.show_platform": LOGGED_IN,
    # the development side: objects checked by the plan helpers (can_view_plan, can_edit_plan ...)
    "api.list_activities": LOGGED_IN,
    "api.create_activity": LOGGED_IN,
    "api.create_group_activity": HR,
    "api.mark_activity_completed": LOGGED_IN,
    "api.mark_activity_cancelled": LOGGED_IN,
    "api.show_plan": LOGGED_IN,
    "api.create_goal": LOGGED_IN,
    "api.update_goal": LOGGED_IN,
    "api.create_plan_comment": LOGGED_IN,
    "api.list_reviews": LOGGED_IN,
    "api.set_review_assessments": LOGGED_IN,
    "api.mark_review_completed": LOGGED_IN,
    "api.show_manager_coverage": LOGGED_IN,
    "api.show_unit_coverage": HR,
    "api.list_catalogue": LOGGED_IN,
    # the hand-over and the goals it proposes: checked on the vacancy and on the plan, as on the pages
    "api.hand_over_candidacy": LOGGED_IN,
    "api.accept_proposed_goal": LOGGED_IN,
    "api.revise_proposed_goal": LOGGED_IN,
    "api.reject_proposed_goal": LOGGED_IN,
    "api.list_pool_members": HR,
    "api.get_pool_member": HR,
    "api.create_pool_member": HR,
    # recruitment: a vacancy is loaded through get_vacancy_or_404 / get_managed_vacancy_or_404
    "api.list_vacancies": LOGGED_IN,
    "api.get_vacancy": LOGGED_IN,
    "api.create_vacancy": HR,
    "api.update_vacancy": HR,
    "api.set_vacancy_weights": HR,
    "api.set_vacancy_group": HR,
    "api.move_vacancy_status": HR,
    "api.list_candidacies": LOGGED_IN,
    "api.create_candidacy": HR,
    "api.move_candidacy_step": HR,
    "api.not_select_candidacy": HR,
    # recruitment: objects checked by the recruitment helpers, as on the pages
    "api.list_interviews": LOGGED_IN,
    "api.create_interview": LOGGED_IN,
    "api.update_interview": LOGGED_IN,
    "api.mark_interview_cancelled": LOGGED_IN,
    "api.list_scorecards": LOGGED_IN,
    "api.save_scorecard": LOGGED_IN,
    "api.submit_scorecard_now": LOGGED_IN,
    "api.create_scorecard_amendment": LOGGED_IN,
    "api.show_matrix": LOGGED_IN,
    "api.create_decision": LOGGED_IN,
    "api.list_bank_entries": HR,
    "api.show_vacancy_ad": LOGGED_IN,
    "api.show_interview_guide": LOGGED_IN,
    # the obstacle log: any manager reports and reads their own and those shared with them; the owner
    # moves the status; HR assigns and sees the overview (objects checked by get_obstacle_or_404)
    "obstacles.mine": LOGGED_IN,
    "obstacles.new": LOGGED_IN,
    "obstacles.detail": LOGGED_IN,
    "obstacles.handle": LOGGED_IN,
    "obstacles.overview": HR,
    "api.list_obstacles": LOGGED_IN,
    "api.get_obstacle": LOGGED_IN,
    "api.create_obstacle": LOGGED_IN,
    "api.update_obstacle": HR,
    # -- mentoring: HR marks role models, sees suggestions and starts mentorships; mentor and mentee
    # read theirs, log meetings and may end it (objects checked by get_mentorship_or_404)
    "mentoring.role_models": HR,
    "mentoring.mark_role_model": HR,
    "mentoring.edit_role_model": HR,
    "mentoring.unmark_role_model": HR,
    "mentoring.suggestions": HR,
    "mentoring.start_mentorship": HR,
    "mentoring.mine": LOGGED_IN,
    "mentoring.mentorship": LOGGED_IN,
    "mentoring.log_meeting": LOGGED_IN,
    "mentoring.end_mentorship": LOGGED_IN,
    "api.list_role_models": LOGGED_IN,
    "api.create_role_model": HR,
    "api.update_role_model": HR,
    "api.list_mentor_suggestions": HR,
    "api.list_mentorships": LOGGED_IN,
    "api.create_mentorship": HR,
    "api.get_mentorship": LOGGED_IN,
    "api.create_mentorship_meeting": LOGGED_IN,
    "api.end_mentorship": LOGGED_IN,
    # -- workshops ----
    # management-group workshops: HR plans them and keeps the discussion guide; HR and the facilitator
    # edit one and record its outcome; its participants read it and its goals (objects checked by
    # get_workshop_or_404 and get_run_workshop_or_404); a goal is marked done by its owner or HR
    "workshops.index": LOGGED_IN,
    "workshops.new": HR,
    "workshops.detail": LOGGED_IN,
    "workshops.edit": LOGGED_IN,
    "workshops.add_participant": LOGGED_IN,
    "workshops.remove_participant": LOGGED_IN,
    "workshops.cancel": LOGGED_IN,
    "workshops.outcome": LOGGED_IN,
    "workshops.goal_done": LOGGED_IN,
    "workshops.guide": HR,
    "workshops.guide_pillar": HR,
    "workshops.edit_question": HR,
    "workshops.retire_question": HR,
    "workshops.move_question": HR,
    "api.list_workshops": LOGGED_IN,
    "api.create_workshop": HR,
    "api.get_workshop": LOGGED_IN,
    "api.record_workshop_outcome": LOGGED_IN,
    "api.list_workshop_goals": LOGGED_IN,
    # -- offboarding ----
    # a manager's checklist and exit interview: HR, the line manager and the leaving manager read them;
    # a task is done by HR, the line manager or the person responsible; the interview is recorded by HR
    # or the line manager (objects checked by get_offboarding_or_404 and its kin); reasons and the
    # analysis of exits are HR's
    "offboarding.checklist": LOGGED_IN,
    "offboarding.task_done": LOGGED_IN,
    "offboarding.exit_interview": LOGGED_IN,
    "offboarding.reasons": HR,
    "offboarding.retire_reason": HR,
    "offboarding.analysis": HR,
    "offboarding.analysis_csv": HR,
}


def current() -> User | None:
    """Return the logged-in user, or None for an anonymous visitor."""
    if current_user.is_authenticated:
        user: User = current_user._get_current_object()
        return user
    return None


def signed_in() -> User:
    """Return the logged-in user of a view whose rule needs login (the rule already checked it)."""
    user = current()
    if user is None:
        abort(login_manager.unauthorized())
    return user


def enforce_endpoint_rule() -> None:
    """Refuse the request unless the endpoint's declared rule admits the current user."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched; Flask answers 404 itself
        return
    rule = ENDPOINT_RULES.get(endpoint)
    if rule is None:
        logger.error("endpoint %s has no access rule in lifecycle.policy; refusing", endpoint)
        abort(404)
    user = current()
    if user is None and rule.needs_login:
        abort(login_manager.unauthorized())
    if not rule.allows(user):
        abort(404)


def is_hr(user: User | None) -> bool:
    return user is not None and user.has_role(Role.HR, Role.ADMIN)


def home_endpoint(user: User) -> str:
    """Where a user lands after logging in: a manager on their own plan, HR and admins on the overview."""
    if user.manager is not None and not is_hr(user):
        return "plans.me"
    return "main.index"


def visible_managers_clause(user: User | None) -> ColumnElement[bool]:
    """Return a WHERE clause selecting the managers `user` may see."""
    if user is None:
        return false()
    if is_hr(user):
        return true()
    own = user.manager
    if own is None:
        return false()
    return or_(Manager.id == own.id, Manager.line_manager_id == own.id)


def can_view_manager(user: User | None, manager: Manager) -> bool:
    if user is None:
        return False
    if is_hr(user):
        return True
    own = user.manager
    return own is not None and (manager.id == own.id or manager.line_manager_id == own.id)


def can_edit_manager(user: User | None, manager: Manager) -> bool:
    """Whether the user may change the manager's details or move them on the journey."""
    return is_hr(user)


def get_manager_or_404(user: User | None, manager_id: int, *options: ORMOption) -> Manager:
    """Load a manager the user may see (with loader `options`), or answer 404 as if it did not exist."""
    manager = db.session.scalar(
        select(Manager).where(Manager.id == manager_id, visible_managers_clause(user)).options(*options)
    )
    if manager is None:
        abort(404)
    return manager


def can_view_plan(user: User | None, manager: Manager) -> bool:
    """The manager, their line manager, the mentor of a running mentorship and HR read a plan.

    `Manager.mentor_id` alone reads nothing: it names who does the introduction's "mentor" tasks.
    """
    if user is None:
        return False
    if is_hr(user):
        return True
    own = user.manager
    if own is None:
        return False
    return own.id in (manager.id, manager.line_manager_id) or is_running_mentor_of(own, manager)


def sees_recruitment_interviews(user: User | None, manager: Manager) -> bool:
    """Only HR and the person themself see the person's recruitment interviews on their plan.

    An internal candidate's interviews are between them and the recruitment: their current line
    manager or the mentor of a running mentorship, reading the plan, must not learn from it that they
    applied elsewhere.
    """
    if user is None:
        return False
    return is_hr(user) or (user.manager is not None and user.manager.id == manager.id)


def can_edit_plan(user: User | None, manager: Manager) -> bool:
    """The manager edits their own plan (goals, activities, notes)."""
    return user is not None and user.manager is not None and user.manager.id == manager.id


def can_comment_plan(user: User | None, manager: Manager) -> bool:
    """The line manager and HR comment on a plan; the manager reads the comments."""
    if user is None:
        return False
    own = user.manager
    return is_hr(user) or (own is not None and own.id == manager.line_manager_id)


def can_add_activity(user: User | None, manager: Manager) -> bool:
    """HR adds activities for anyone; a manager to their own plan."""
    return is_hr(user) or can_edit_plan(user, manager)


def can_change_activity(user: User | None, activity: Activity) -> bool:
    """HR completes or cancels any activity; a manager only one that is theirs alone (not a group's)."""
    if user is None:
        return False
    if is_hr(user):
        return True
    own = user.manager
    return own is not None and [participant.id for participant in activity.participants] == [own.id]


def get_plan_owner_or_404(user: User | None, manager_id: int) -> Manager:
    """Load a manager whose plan the user may read, or answer 404 as if it did not exist."""
    manager = db.session.get(Manager, manager_id)
    if manager is None or not can_view_plan(user, manager):
        abort(404)
    return manager


# -- the plan's objects, loaded by the services, checked here -----------------------------------------


def get_plan_editor_or_404(user: User | None, manager_id: int) -> Manager:
    """Load a manager whose plan the user edits (the manager themself), or answer 404."""
    manager = get_plan_owner_or_404(user, manager_id)
    if not can_edit_plan(user, manager):
        abort(404)
    return manager


def get_activity_adder_or_404(user: User | None, manager_id: int) -> Manager:
    """Load a manager the user may add activities for (HR, or the manager themself), or answer 404."""
    manager = get_plan_owner_or_404(user, manager_id)
    if not can_add_activity(user, manager):
        abort(404)
    return manager


def get_plan_commenter_or_404(user: User | None, manager_id: int) -> Manager:
    """Load a manager whose plan the user comments on (the line manager, HR), or answer 404."""
    manager = get_plan_owner_or_404(user, manager_id)
    if not can_comment_plan(user, manager):
        abort(404)
    return manager


def changeable_activity_or_404(user: User | None, activity: Activity | None) -> Activity:
    """Let through an activity the user may complete or cancel; anything else is a 404."""
    if activity is None or not can_change_activity(user, activity):
        abort(404)
    return activity


def editable_goal_or_404(user: User | None, goal: PlanGoal | None) -> PlanGoal:
    """Let through a goal of a plan the user edits; anything else is a 404.

    A proposed goal is not the owner's to change until HR or the line manager has accepted it.
    """
    if goal is None or goal.status is GoalStatus.PROPOSED or not can_edit_plan(user, goal.plan.manager):
        abort(404)
    return goal


def can_decide_proposals(user: User | None, manager: Manager) -> bool:
    """HR and the line manager accept, edit or reject the goals the recruitment proposed for a manager.

    Not the manager themself: the proposals come from the recruitment group's assessment, and taking
    them into the plan is the employer's commitment; the manager reads them, and talks them over.
    """
    if user is None:
        return False
    own = user.manager
    return is_hr(user) or (own is not None and own.id == manager.line_manager_id and own.id != manager.id)


def get_proposal_decider_or_404(user: User | None, manager_id: int) -> Manager:
    """Load a manager whose proposed goals the user decides on (HR, the line manager), or answer 404."""
    manager = get_plan_owner_or_404(user, manager_id)
    if not can_decide_proposals(user, manager):
        abort(404)
    return manager


def decidable_proposal_or_404(user: User | None, goal: PlanGoal | None) -> PlanGoal:
    """Let through a proposed goal the user may accept, edit or reject; anything else is a 404."""
    if goal is None or goal.status is not GoalStatus.PROPOSED:
        abort(404)
    if not can_decide_proposals(user, goal.plan.manager):
        abort(404)
    return goal


def readable_review_or_404(user: User | None, review: DevelopmentReview | None) -> DevelopmentReview:
    """Let through a review of a plan the user reads; anything else is a 404."""
    if review is None or not can_view_plan(user, review.plan.manager):
        abort(404)
    return review


def completable_review_or_404(user: User | None, review: DevelopmentReview | None) -> DevelopmentReview:
    """Let through a review the user may complete (reads the plan and comments on it); else a 404."""
    review = readable_review_or_404(user, review)
    if not can_comment_plan(user, review.plan.manager):
        abort(404)
    return review


# -- recruitment ----------------------------------------------------------------------------------


def visible_vacancies_clause(user: User | None) -> ColumnElement[bool]:
    """Return a WHERE clause selecting the vacancies `user` may see: HR all, others their own.

    A hiring manager sees their vacancies; an interviewer the vacancies whose recruitment group they
    are in. Nobody else learns that a vacancy exists.
    """
    if user is None:
        return false()
    if is_hr(user):
        return true()
    in_group = select(vacancy_interviewers.c.vacancy_id).where(vacancy_interviewers.c.user_id == user.id)
    return or_(Vacancy.hiring_manager_id == user.id, Vacancy.id.in_(in_group))


def sees_vacancies(user: User | None) -> bool:
    """Whether the user has a vacancy to see (the menu shows the recruitment link only then)."""
    if user is None:
        return False
    if is_hr(user):
        return True
    return bool(db.session.scalar(select(select(Vacancy.id).where(visible_vacancies_clause(user)).exists())))


def may_open_vacancies(user: User | None) -> bool:
    return is_hr(user)


def can_manage_vacancy(user: User | None, vacancy: Vacancy) -> bool:
    """Whether the user may change the vacancy, its group and its candidates."""
    return is_hr(user)


def get_vacancy_or_404(user: User | None, vacancy_id: int) -> Vacancy:
    """Load a vacancy the user may see, with what its page shows, or answer 404 as if it did not exist."""
    vacancy = vacancy_in_full(vacancy_id, visible_vacancies_clause(user))
    if vacancy is None:
        abort(404)
    return vacancy


def can_hire_for(user: User | None, vacancy: Vacancy) -> bool:
    """HR and the vacancy's hiring manager hire a candidate and hand them over to introduction."""
    return is_hr(user) or (user is not None and vacancy.hiring_manager_id == user.id)


def get_hiring_vacancy_or_404(user: User | None, vacancy_id: int) -> Vacancy:
    """Load a vacancy the user may hire for; one they may only see, or not at all, is a 404."""
    vacancy = get_vacancy_or_404(user, vacancy_id)
    if not can_hire_for(user, vacancy):
        abort(404)
    return vacancy


def get_managed_vacancy_or_404(user: User | None, vacancy_id: int) -> Vacancy:
    """Load a vacancy the user may change; one they may only see, or not at all, is a 404."""
    vacancy = get_vacancy_or_404(user, vacancy_id)
    if not can_manage_vacancy(user, vacancy):
        abort(404)
    return vacancy


# -- the talent pool ------------------------------------------------------------------------------


def sees_talent_pool(user: User | None) -> bool:
    """The pool is HR's: who is in it, and what they consented to, is for nobody else."""
    return is_hr(user)


def get_pool_member_or_404(user: User | None, profile_id: int) -> TalentProfile:
    """Load a live member of the talent pool for HR, or answer 404 as if it did not exist."""
    profile = profile_in_full(profile_id) if sees_talent_pool(user) else None
    if profile is None:
        abort(404)
    return profile


# -- interviews, scorecards and the decision ------------------------------------------------------------
#
# The interviewers of a candidate are the users on the panel of one of their interviews (not cancelled)
# or with a scorecard for them. A draft scorecard is read by its author alone (not even HR). Someone who
# interviews the candidate reads the others' submitted scorecards only once their own is submitted, so
# nobody anchors on another's scores; HR and the vacancy's hiring manager, when they do not interview
# the candidate, read the submitted ones. The matrix follows the same rule.


def is_hiring_manager(user: User | None, vacancy: Vacancy) -> bool:
    return user is not None and vacancy.hiring_manager_id == user.id


def may_schedule_interviews(user: User | None, vacancy: Vacancy) -> bool:
    """HR and the vacancy's hiring manager schedule, move and cancel its interviews."""
    return is_hr(user) or is_hiring_manager(user, vacancy)


def may_decide(user: User | None, vacancy: Vacancy) -> bool:
    """The hiring manager records the decision; HR may do it for them."""
    return is_hr(user) or is_hiring_manager(user, vacancy)


def get_candidacy_or_404(user: User | None, vacancy_id: int, candidacy_id: int) -> tuple[Vacancy, Candidacy]:
    """Load a vacancy the user may see and one of its candidates, or answer 404."""
    vacancy = get_vacancy_or_404(user, vacancy_id)
    candidacy = candidacy_of(vacancy, candidacy_id)
    if candidacy is None:
        abort(404)
    return vacancy, candidacy


def get_interview_or_404(
    user: User | None, vacancy_id: int, candidacy_id: int, interview_id: int
) -> tuple[Vacancy, Candidacy, Interview]:
    """Load an interview of a candidate of a vacancy the user may see, or answer 404."""
    vacancy, candidacy = get_candidacy_or_404(user, vacancy_id, candidacy_id)
    interview = interview_of(candidacy, interview_id)
    if interview is None:
        abort(404)
    return vacancy, candidacy, interview


def _panel_seats_of(user: User) -> Select[int]:
    """The candidacies the user is on the panel of a (not cancelled) interview of."""
    return (
        select(Interview.candidacy_id)
        .join(Panelist, Panelist.interview_id == Interview.id)
        .where(Panelist.user_id == user.id, Interview.cancelled_at.is_(None))
    )


def _interviewer_of(user: User) -> CompoundSelect[int]:
    """The candidacies the user interviews: a panel seat, or a scorecard of their own."""
    return _panel_seats_of(user).union(select(Scorecard.candidacy_id).where(Scorecard.author_id == user.id))


def _submitted_by(user: User) -> Select[int]:
    return select(Scorecard.candidacy_id).where(
        Scorecard.author_id == user.id, Scorecard.submitted_at.is_not(None)
    )


def _sees_the_groups_scores(
    user: User, candidacy_id: ColumnElement[int] | InstrumentedAttribute[int]
) -> ColumnElement[bool]:
    """Whether the user reads the submitted scorecards of the candidacy `candidacy_id` names."""
    after_own = candidacy_id.in_(_submitted_by(user))
    not_interviewing = candidacy_id.not_in(_interviewer_of(user))
    if is_hr(user):
        return or_(after_own, not_interviewing)
    led = (
        select(Candidacy.id)
        .join(Vacancy, Vacancy.id == Candidacy.vacancy_id)
        .where(Vacancy.hiring_manager_id == user.id)
    )
    return or_(after_own, and_(candidacy_id.in_(led), not_interviewing))


def visible_scorecards_clause(user: User | None) -> ColumnElement[bool]:
    """Return a WHERE clause selecting the scorecards `user` may read (see the section's comment).

    Only within a vacancy the user may see: callers load the vacancy through `get_vacancy_or_404` first.
    """
    if user is None:
        return false()
    own = Scorecard.author_id == user.id
    return or_(
        own, and_(Scorecard.submitted_at.is_not(None), _sees_the_groups_scores(user, Scorecard.candidacy_id))
    )


def candidacies_with_visible_scores_clause(user: User | None) -> ColumnElement[bool]:
    """Return a WHERE clause on `Candidacy` selecting those whose submitted scorecards `user` reads.

    It is all of a candidacy's submitted scorecards or none (`visible_scorecards_clause`), so the
    matrix orders by the candidacy's stored weighted total where this holds, and by none elsewhere.
    """
    if user is None:
        return false()
    return _sees_the_groups_scores(user, Candidacy.id)


def score_visibility(user: User | None) -> ScoreVisibility:
    """What the user reads of a vacancy's scores, for the matrix."""
    return ScoreVisibility(visible_scorecards_clause(user), candidacies_with_visible_scores_clause(user))


def may_score(user: User | None, candidacy: Candidacy) -> bool:
    """Whether the user writes a scorecard for the candidate: they are on the panel of an interview."""
    if user is None:
        return False
    seats = _panel_seats_of(user).where(Interview.candidacy_id == candidacy.id)
    return bool(db.session.scalar(select(seats.exists())))


def waits_for_own_scorecard(user: User | None, candidacy: Candidacy) -> bool:
    """Whether the user interviews the candidate and has not submitted: the others' stay hidden."""
    if user is None:
        return False
    interviewing = _interviewer_of(user).subquery()
    is_interviewer = select(interviewing).where(interviewing.c.candidacy_id == candidacy.id).exists()
    submitted = _submitted_by(user).where(Scorecard.candidacy_id == candidacy.id).exists()
    return bool(db.session.scalar(select(is_interviewer & ~submitted)))


def own_scorecard_or_404(user: User | None, scorecard: Scorecard | None) -> Scorecard:
    """Let through the user's own scorecard (to amend it); anything else is a 404."""
    if user is None or scorecard is None or scorecard.author_id != user.id:
        abort(404)
    return scorecard


def may_edit_banks(user: User | None) -> bool:
    """HR maintains the phrase and question banks."""
    return is_hr(user)


def get_bank_entry_or_404(user: User | None, entry_id: int) -> BankEntry:
    """Load a bank entry HR may change, with its expectation; for anyone else, or none, answer 404."""
    entry = entry_of(entry_id) if may_edit_banks(user) else None
    if entry is None:
        abort(404)
    return entry


# -- the obstacle log ------------------------------------------------------------------------------------
#
# HR reads every obstacle. Anyone else reads the obstacles they reported and those they own (the owner on
# the employer side); a shared obstacle is read, too, by the other managers in the same unit tree as the
# reporter: a manager whose unit is the obstacle's unit, one above it or one below it. A private one is
# for the reporter, the owner and HR alone. HR assigns, and the owner or HR moves the status.


def _same_unit_tree(unit: OrgUnit) -> ColumnElement[bool]:
    """Obstacles in `unit`, in a unit above it or in one below it."""
    above = [int(part) for part in unit.path.strip("/").split("/") if part.isdigit()]
    below = select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path, autoescape=True))
    return or_(Obstacle.unit_id.in_([*above, unit.id]), Obstacle.unit_id.in_(below))


def visible_obstacles_clause(user: User | None) -> ColumnElement[bool]:
    """Return a WHERE clause selecting the obstacles `user` may read (see the section's comment)."""
    if user is None:
        return false()
    if is_hr(user):
        return true()
    clauses: list[ColumnElement[bool]] = [Obstacle.owner_user_id == user.id]
    own = user.manager
    if own is not None:
        clauses.append(Obstacle.reporter_id == own.id)
        if own.org_unit is not None and own.anonymised_at is None:
            clauses.append(and_(Obstacle.shared.is_(True), _same_unit_tree(own.org_unit)))
    return or_(*clauses)


def get_obstacle_or_404(user: User | None, obstacle_id: int) -> Obstacle:
    """Load an obstacle the user may read, or answer 404 as if it did not exist."""
    obstacle = db.session.scalar(
        select(Obstacle).where(Obstacle.id == obstacle_id, visible_obstacles_clause(user))
    )
    if obstacle is None:
        abort(404)
    return obstacle


def may_report_obstacle(user: User | None) -> bool:
    """A manager with a unit reports obstacles (the unit is where the obstacle stands)."""
    own = user.manager if user is not None else None
    return own is not None and own.org_unit_id is not None and own.anonymised_at is None


def may_assign_obstacle(user: User | None, obstacle: Obstacle) -> bool:
    """HR gives an obstacle its owner and due date (and anything the owner may do)."""
    return is_hr(user)


def may_handle_obstacle(user: User | None, obstacle: Obstacle) -> bool:
    """HR and the obstacle's owner move its status, explain it and comment on it."""
    return is_hr(user) or (user is not None and obstacle.owner_user_id == user.id)


def get_handled_obstacle_or_404(user: User | None, obstacle_id: int) -> Obstacle:
    """Load an obstacle the user may handle; one they may only read, or not at all, is a 404."""
    obstacle = get_obstacle_or_404(user, obstacle_id)
    if not may_handle_obstacle(user, obstacle):
        abort(404)
    return obstacle


# -- mentoring ---------------------------------------------------------------------------------------
#
# HR marks role models, sees the mentor suggestions and starts mentorships. A mentorship is read by HR,
# its mentor and its mentee; either of them logs its meetings and may end it. The mentor of a RUNNING
# mentorship (started, not past its end, not ended) reads the mentee's plan (`can_view_plan`); before
# it starts and once it has ended, not. The mentee's recruitment interviews stay hidden from them.


def is_running_mentor_of(own: Manager, mentee: Manager) -> bool:
    """Whether `own` mentors `mentee` in a mentorship that runs today."""
    running = select(Mentorship.id).where(
        Mentorship.mentor_id == own.id, Mentorship.mentee_id == mentee.id, running_clause(local_today())
    )
    return bool(db.session.scalar(select(running.exists())))


def may_manage_mentoring(user: User | None) -> bool:
    """HR marks role models and starts mentorships."""
    return is_hr(user)


def visible_mentorships_clause(user: User | None) -> ColumnElement[bool]:
    """Return a WHERE clause selecting the mentorships `user` may read: HR all, others their own."""
    if user is None:
        return false()
    if is_hr(user):
        return true()
    own = user.manager
    if own is None:
        return false()
    return or_(Mentorship.mentor_id == own.id, Mentorship.mentee_id == own.id)


def get_mentorship_or_404(user: User | None, mentorship_id: int) -> Mentorship:
    """Load a mentorship the user may read, or answer 404 as if it did not exist."""
    mentorship = mentorship_in_full(mentorship_id, visible_mentorships_clause(user))
    if mentorship is None:
        abort(404)
    return mentorship


def may_take_part(user: User | None, mentorship: Mentorship) -> bool:
    """HR, the mentor and the mentee log its meetings and may end it."""
    if is_hr(user):
        return True
    own = user.manager if user is not None else None
    return own is not None and own.id in (mentorship.mentor_id, mentorship.mentee_id)


def get_taking_part_mentorship_or_404(user: User | None, mentorship_id: int) -> Mentorship:
    """Load a mentorship the user takes part in (or HR), or answer 404."""
    mentorship = get_mentorship_or_404(user, mentorship_id)
    if not may_take_part(user, mentorship):
        abort(404)
    return mentorship


def get_role_model_or_404(user: User | None, role_model_id: int) -> RoleModel:
    """Load a role model HR may change, or answer 404 as if it did not exist."""
    role_model = db.session.get(RoleModel, role_model_id) if may_manage_mentoring(user) else None
    if role_model is None:
        abort(404)
    return role_model


# -- workshops -------------------------------------------------------------------------------------------
#
# HR reads every workshop. Its facilitator reads it and runs it (changes it, its group, its outcome);
# its participants (the workshop participant relation: the unit's managers when it was planned, as HR
# changed them) read it and its group goals. Anyone else gets 404.


def visible_workshops_clause(user: User | None) -> ColumnElement[bool]:
    """Return a WHERE clause selecting the workshops `user` may read (see the section's comment)."""
    if user is None:
        return false()
    if is_hr(user):
        return true()
    clauses: list[ColumnElement[bool]] = [Workshop.facilitator_user_id == user.id]
    own = user.manager
    if own is not None:
        clauses.append(
            select(WorkshopParticipant.workshop_id)
            .where(WorkshopParticipant.workshop_id == Workshop.id, WorkshopParticipant.manager_id == own.id)
            .exists()
        )
    return or_(*clauses)


def get_workshop_or_404(user: User | None, workshop_id: int) -> Workshop:
    """Load a workshop the user may read, or answer 404 as if it did not exist."""
    workshop = db.session.scalar(
        select(Workshop).where(Workshop.id == workshop_id, visible_workshops_clause(user))
    )
    if workshop is None:
        abort(404)
    return workshop


def may_plan_workshop(user: User | None) -> bool:
    """HR plans workshops and keeps the discussion guide."""
    return is_hr(user)


def may_run_workshop(user: User | None, workshop: Workshop) -> bool:
    """HR and the workshop's facilitator change it, its group and its outcome."""
    return is_hr(user) or (user is not None and workshop.facilitator_user_id == user.id)


def get_run_workshop_or_404(user: User | None, workshop_id: int) -> Workshop:
    """Load a workshop the user runs; one they may only read, or not at all, is a 404."""
    workshop = get_workshop_or_404(user, workshop_id)
    if not may_run_workshop(user, workshop):
        abort(404)
    return workshop


def may_mark_group_goal(user: User | None, goal: GroupGoal) -> bool:
    """A group goal is marked done (or open again) by its owner or HR."""
    if is_hr(user):
        return True
    own = user.manager if user is not None else None
    return own is not None and goal.owner_id == own.id


# -- offboarding ----------------------------------------------------------------------------------------
#
# A leaving manager's checklist and exit interview are read by whoever sees the manager: HR, the manager
# and their line manager. HR and the line manager record the exit interview (the leaving manager does
# not score their own support); a task is done by HR, the line manager or the person responsible for it.
# HR keeps the reasons for leaving and reads the analysis of exits.


def get_offboarding_or_404(user: User | None, manager_id: int) -> tuple[Manager, OffboardingChecklist]:
    """Load a manager the user may see and their offboarding checklist, or answer 404."""
    manager = get_manager_or_404(user, manager_id)
    checklist = checklist_of(manager.id)
    if checklist is None:
        abort(404)
    return manager, checklist


def may_record_exit_interview(user: User | None, manager: Manager) -> bool:
    """HR and the line manager record a leaving manager's exit interview."""
    if is_hr(user):
        return True
    own = user.manager if user is not None else None
    return own is not None and manager.line_manager_id == own.id


def may_do_offboarding_task(user: User | None, manager: Manager, task: Activity) -> bool:
    """HR, the line manager and the person responsible mark an offboarding task done."""
    return may_record_exit_interview(user, manager) or (user is not None and task.responsible_id == user.id)


def get_exit_interview_recorder_or_404(
    user: User | None, manager_id: int
) -> tuple[Manager, OffboardingChecklist]:
    """Load a checklist whose exit interview the user records; one they may only read is a 404."""
    manager, checklist = get_offboarding_or_404(user, manager_id)
    if not may_record_exit_interview(user, manager):
        abort(404)
    return manager, checklist


def may_analyse_exits(user: User | None) -> bool:
    """HR keeps the reasons for leaving and reads the analysis of exits."""
    return is_hr(user)


# -- effect map ----
#
# HR keeps the effect map. HR and every manager read it (it is about the organisation, in figures); only
# HR filters it by unit, since a small unit's figures could tell about a single manager. A linked obstacle
# shows to a reader only when they may read it in the log (`visible_obstacles_clause`).


def may_read_effect_map(user: User | None) -> bool:
    """HR, admins and managers read the effect map."""
    return is_hr(user) or (user is not None and user.manager is not None)


def may_edit_effect_map(user: User | None) -> bool:
    """HR adds, changes, retires and reorders effects, drivers and obstacles."""
    return is_hr(user)


def may_filter_effect_map_by_unit(user: User | None) -> bool:
    """HR sees the map's figures for a unit with its sub-units; others for the whole organisation."""
    return is_hr(user)


EFFECT_MAP_READERS = Rule("hr, admin or a manager", may_read_effect_map, needs_login=True)

ENDPOINT_RULES.update(
    {
        "effect_map.index": EFFECT_MAP_READERS,
        "effect_map.figures_csv": EFFECT_MAP_READERS,
        "effect_map.new_effect": HR,
        "effect_map.effect": HR,
        "effect_map.edit_effect": HR,
        "effect_map.retire_effect": HR,
        "effect_map.move_effect": HR,
        "effect_map.add_driver": HR,
        "effect_map.add_obstacle": HR,
        "effect_map.edit_item": HR,
        "effect_map.retire_item": HR,
        "effect_map.move_item": HR,
        "api.show_effect_map": EFFECT_MAP_READERS,
    }
)
