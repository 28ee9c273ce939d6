"""Mentoring's pages: HR's role models, the mentor suggestions for a manager and starting a mentorship,
a mentorship with its meetings, and a manager's own mentorships (as mentor or mentee).

Every object loads through `policy` (anyone else gets 404), each change calls one service of
`services.mentoring`, and the view commits.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from typing import cast

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.mentoring.forms import ConfirmForm
from lifecycle.blueprints.mentoring.forms import EndForm
from lifecycle.blueprints.mentoring.forms import MarkForm
from lifecycle.blueprints.mentoring.forms import MeetingForm
from lifecycle.blueprints.mentoring.forms import StartForm
from lifecycle.blueprints.mentoring.forms import StrengthsForm
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import Manager
from lifecycle.models import Mentorship
from lifecycle.models import User
from lifecycle.policy import get_manager_or_404
from lifecycle.policy import get_mentorship_or_404
from lifecycle.policy import get_role_model_or_404
from lifecycle.policy import get_taking_part_mentorship_or_404
from lifecycle.policy import may_manage_mentoring
from lifecycle.policy import may_take_part
from lifecycle.policy import signed_in
from lifecycle.policy import visible_mentorships_clause
from lifecycle.services.manager_queries import manager_by_employee_number
from lifecycle.services.mentoring import MentoringError
from lifecycle.services.mentoring import end_mentorship
from lifecycle.services.mentoring import log_meeting
from lifecycle.services.mentoring import mark_role_model
from lifecycle.services.mentoring import start_mentorship
from lifecycle.services.mentoring import suggest_mentors
from lifecycle.services.mentoring import unmark_role_model
from lifecycle.services.mentoring import update_role_model
from lifecycle.services.mentoring.queries import PAGE_SIZE
from lifecycle.services.mentoring.queries import meetings_of
from lifecycle.services.mentoring.queries import mentorships_where
from lifecycle.services.mentoring.queries import role_models_after
from lifecycle.services.mentoring.queries import state_of
from lifecycle.services.platform import get_platform
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

bp = Blueprint("mentoring", __name__, template_folder="templates")

ROLE_MODEL_ID = "<id:role_model_id>"
MENTORSHIP_ID = "<id:mentorship_id>"


def _tag_choices(form: Any) -> None:
    """Offer the platform's current pillars and expectations, by key."""
    platform = get_platform()
    pillars = [p for p in (platform.pillars if platform else []) if not p.is_retired]
    form.pillars.choices = [SelectChoice(p.key, localized(p, "name")) for p in pillars]
    form.expectations.choices = [
        SelectChoice(e.key, f"{localized(e, 'text')} ({localized(p, 'name')})")
        for p in pillars
        for e in p.expectations
        if not e.is_retired
    ]


def _refuse_at_field(form: Any, refused: MentoringError, fallback: str) -> None:
    db.session.rollback()
    form[refused.field if refused.field in form else fallback].errors = [str(refused)]


def _given(day: date | None) -> date:
    """A date field's value once the form validated (its InputRequired refused a missing one)."""
    return cast(date, day)


def _manager_by_number(number: str | None) -> Manager | None:
    return manager_by_employee_number(number) if number else None


# -- HR's role models ----------------------------------------------------------------------------------


@bp.get("/role-models")
def role_models() -> str:
    """The role models HR marked, a page at a time."""
    after = request.args.get("after", type=int)
    page = role_models_after(after)
    return render_template(
        "mentoring/role_models.html",
        role_models=page[:PAGE_SIZE],
        next_after=page[PAGE_SIZE - 1].id if len(page) > PAGE_SIZE else None,
        localized=localized,
        confirm=ConfirmForm(),
    )


@bp.route("/role-models/new", methods=["GET", "POST"], endpoint="mark_role_model")
def mark_role_model_page() -> str | Response:
    """Mark a manager as a role model, with their strengths and capacity."""
    user = signed_in()
    form = MarkForm()
    _tag_choices(form)
    if form.validate_on_submit():
        manager = _manager_by_number(form.employee_number.data)
        if manager is None:
            form.employee_number.errors = [
                _("No one has the employee number %(number)s.", number=form.employee_number.data)
            ]
        else:
            try:
                mark_role_model(
                    manager,
                    pillar_keys=form.pillars.data or [],
                    expectation_keys=form.expectations.data or [],
                    capacity=form.capacity.data or 0,
                    study_note=form.study_note.data or "",
                    actor=user,
                )
            except MentoringError as refused:
                _refuse_at_field(form, refused, "employee_number")
            else:
                db.session.commit()
                flash(_("%(name)s is a role model.", name=manager.name), "success")
                return redirect(url_for("mentoring.role_models"))
    return render_template("mentoring/role_model_form.html", form=form, role_model=None)


@bp.route(f"/role-models/{ROLE_MODEL_ID}/edit", methods=["GET", "POST"])
def edit_role_model(role_model_id: int) -> str | Response:
    """Change a role model's strengths, capacity and note."""
    role_model = get_role_model_or_404(signed_in(), role_model_id)
    form = StrengthsForm()
    _tag_choices(form)
    if request.method == "GET":
        form.pillars.data = [p.key for p in role_model.pillars]
        form.expectations.data = [e.key for e in role_model.expectations]
        form.capacity.data = role_model.capacity
        form.study_note.data = role_model.study_note
    if form.validate_on_submit():
        try:
            update_role_model(
                role_model,
                pillar_keys=form.pillars.data or [],
                expectation_keys=form.expectations.data or [],
                capacity=form.capacity.data or 0,
                study_note=form.study_note.data or "",
            )
        except MentoringError as refused:
            _refuse_at_field(form, refused, "pillars")
        else:
            db.session.commit()
            flash(_("The role model is saved."), "success")
            return redirect(url_for("mentoring.role_models"))
    return render_template("mentoring/role_model_form.html", form=form, role_model=role_model)


@bp.post(f"/role-models/{ROLE_MODEL_ID}/unmark", endpoint="unmark_role_model")
def unmark_role_model_page(role_model_id: int) -> Response:
    """No longer suggest the role model as a mentor."""
    role_model = get_role_model_or_404(signed_in(), role_model_id)
    if ConfirmForm().validate_on_submit():
        unmark_role_model(role_model)
        db.session.commit()
        flash(_("%(name)s is no longer suggested as a mentor.", name=role_model.manager.name), "success")
    return redirect(url_for("mentoring.role_models"))


# -- a manager's mentor suggestions and a new mentorship (HR) -----------------------------------------


def _mentorships_of(user: User, manager: Manager) -> list[Mentorship]:
    return mentorships_where(
        visible_mentorships_clause(user),
        (Mentorship.mentee_id == manager.id) | (Mentorship.mentor_id == manager.id),
    )


@bp.get("/managers/<id:manager_id>/mentors")
def suggestions(manager_id: int) -> str:
    """The role models who would suit the manager best, with why, and the manager's mentorships."""
    user = signed_in()
    manager = get_manager_or_404(user, manager_id)
    today = local_today()
    return render_template(
        "mentoring/suggestions.html",
        manager=manager,
        suggestions=suggest_mentors(manager, today),
        mentorships=_mentorships_of(user, manager),
        state_of=state_of,
        today=today,
        localized=localized,
    )


@bp.route("/managers/<id:manager_id>/mentorships/new", methods=["GET", "POST"], endpoint="start_mentorship")
def start_mentorship_page(manager_id: int) -> str | Response:
    """Start a mentorship for the manager: the mentor, the period, the goals and the cadence."""
    user = signed_in()
    mentee = get_manager_or_404(user, manager_id)
    form = StartForm()
    if request.method == "GET":
        form.mentor_number.data = request.args.get("mentor", "")[:40]
        form.starts_on.data = local_today()
    if form.validate_on_submit():
        mentor = _manager_by_number(form.mentor_number.data)
        if mentor is None:
            form.mentor_number.errors = [
                _("No one has the employee number %(number)s.", number=form.mentor_number.data)
            ]
        else:
            try:
                mentorship = start_mentorship(
                    mentor=mentor,
                    mentee=mentee,
                    starts_on=_given(form.starts_on.data),
                    ends_on=_given(form.ends_on.data),
                    goals=form.goals.data or "",
                    cadence_weeks=form.cadence_weeks.data or 0,
                    actor=user,
                )
            except MentoringError as refused:
                field = {"mentor": "mentor_number", "mentee": "mentor_number"}.get(
                    refused.field, refused.field
                )
                _refuse_at_field(form, MentoringError(field, str(refused)), "mentor_number")
            else:
                db.session.commit()
                flash(_("The mentorship is started."), "success")
                return redirect(url_for("mentoring.mentorship", mentorship_id=mentorship.id))
    return render_template("mentoring/start.html", form=form, mentee=mentee)


# -- mentorships -------------------------------------------------------------------------------------------


@bp.get("/mentorships")
def mine() -> str:
    """The user's mentees (as a mentor) and their own mentorships (as a mentee); HR's latest ones."""
    user = signed_in()
    visible = visible_mentorships_clause(user)
    own = user.manager
    manages = may_manage_mentoring(user)
    return render_template(
        "mentoring/mine.html",
        mentees=mentorships_where(visible, Mentorship.mentor_id == own.id) if own else [],
        mentors=mentorships_where(visible, Mentorship.mentee_id == own.id) if own else [],
        latest=mentorships_where(visible) if manages else [],
        manages=manages,
        state_of=state_of,
        today=local_today(),
    )


def _render_mentorship(
    user: User,
    mentorship: Mentorship,
    meeting_form: MeetingForm | None = None,
    end_form: EndForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    takes_part = may_take_part(user, mentorship)
    today = local_today()
    state = state_of(mentorship, today)
    if takes_part and mentorship.ended_at is None:
        meeting_form = meeting_form or MeetingForm(formdata=None, held_on=min(today, mentorship.ends_on))
        _tag_choices(meeting_form)
        end_form = end_form or EndForm(formdata=None)
    else:
        meeting_form = end_form = None
    return (
        render_template(
            "mentoring/mentorship.html",
            mentorship=mentorship,
            state=state,
            meetings=meetings_of(mentorship),
            meeting_form=meeting_form,
            end_form=end_form,
            localized=localized,
        ),
        status,
    )


@bp.get(f"/mentorships/{MENTORSHIP_ID}")
def mentorship(mentorship_id: int) -> tuple[str, int]:
    """A mentorship: both people, its goals and cadence, its meetings; logging one and ending it."""
    user = signed_in()
    return _render_mentorship(user, get_mentorship_or_404(user, mentorship_id))


@bp.post(f"/mentorships/{MENTORSHIP_ID}/meetings", endpoint="log_meeting")
def log_meeting_page(mentorship_id: int) -> Response | tuple[str, int]:
    """Log a meeting that took place, as a tagged mentoring activity."""
    user = signed_in()
    mentorship = get_taking_part_mentorship_or_404(user, mentorship_id)
    form = MeetingForm()
    _tag_choices(form)
    if form.validate_on_submit():
        try:
            log_meeting(
                mentorship,
                held_on=_given(form.held_on.data),
                title=form.title.data or "",
                pillar_keys=form.pillars.data or [],
                expectation_keys=form.expectations.data or [],
                notes=form.notes.data or "",
                actor=user,
            )
        except MentoringError as refused:
            _refuse_at_field(form, refused, "held_on")
        else:
            db.session.commit()
            flash(_("The meeting is logged."), "success")
            return redirect(url_for("mentoring.mentorship", mentorship_id=mentorship.id))
    return _render_mentorship(user, mentorship, meeting_form=form, status=422)


@bp.post(f"/mentorships/{MENTORSHIP_ID}/end", endpoint="end_mentorship")
def end_mentorship_page(mentorship_id: int) -> Response | tuple[str, int]:
    """End the mentorship now: the mentor no longer reads the plan."""
    user = signed_in()
    mentorship = get_taking_part_mentorship_or_404(user, mentorship_id)
    form = EndForm()
    if form.validate_on_submit():
        try:
            end_mentorship(mentorship, reason=form.reason.data or "", actor=user)
        except MentoringError as refused:
            _refuse_at_field(form, refused, "reason")
        else:
            db.session.commit()
            flash(_("The mentorship has ended."), "success")
            return redirect(url_for("mentoring.mentorship", mentorship_id=mentorship.id))
    return _render_mentorship(user, mentorship, end_form=form, status=422)
