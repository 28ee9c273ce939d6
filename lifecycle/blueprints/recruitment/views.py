"""Recruitment pages: HR's list of vacancies, a vacancy with its candidates per step, and HR's changes.

Every vacancy loads through `policy` (HR, its hiring manager and its recruitment group see it; anyone
else gets 404), each change calls one service of `services.recruitment`, and the view commits.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.recruitment.forms import CandidateForm
from lifecycle.blueprints.recruitment.forms import GroupForm
from lifecycle.blueprints.recruitment.forms import NotSelectedForm
from lifecycle.blueprints.recruitment.forms import StatusForm
from lifecycle.blueprints.recruitment.forms import StepForm
from lifecycle.blueprints.recruitment.forms import VacancyFilterForm
from lifecycle.blueprints.recruitment.forms import VacancyForm
from lifecycle.blueprints.recruitment.forms import weights_form
from lifecycle.enums import Language
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import OrgUnit
from lifecycle.models import User
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateSource
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import NotSelectedReason
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.policy import can_manage_vacancy
from lifecycle.policy import get_managed_vacancy_or_404
from lifecycle.policy import get_vacancy_or_404
from lifecycle.policy import may_open_vacancies
from lifecycle.policy import sees_vacancies
from lifecycle.policy import signed_in
from lifecycle.policy import visible_vacancies_clause
from lifecycle.services.accounts import get_user_by_email
from lifecycle.services.accounts import hr_users
from lifecycle.services.manager_queries import manager_by_employee_number
from lifecycle.services.organisation import unit_tree
from lifecycle.services.platform import get_platform
from lifecycle.services.recruitment import StepCursor
from lifecycle.services.recruitment import VacancyError
from lifecycle.services.recruitment import VacancyFilter
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import add_candidate
from lifecycle.services.recruitment import add_external_candidate
from lifecycle.services.recruitment import candidacy_of
from lifecycle.services.recruitment import candidates_at_step
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import first_candidates_by_step
from lifecycle.services.recruitment import move_candidate
from lifecycle.services.recruitment import not_select
from lifecycle.services.recruitment import set_recruitment_group
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.services.recruitment import status_moves
from lifecycle.services.recruitment import step_counts
from lifecycle.services.recruitment import update_vacancy
from lifecycle.services.recruitment import vacancies_page
from lifecycle.services.recruitment.vacancies import heaviest_first
from lifecycle.services.recruitment.vacancies import weighable_expectations
from lifecycle.tasks import queue_after_commit
from lifecycle.tasks import queue_not_selected
from lifecycle.timeutil import local_today
from lifecycle.urls import parse_id

bp = Blueprint("recruitment", __name__, template_folder="templates")


@bp.app_context_processor
def recruitment_menu() -> dict[str, object]:
    # The menu asks (one indexed query) only for a user who is not HR: HR always sees recruitment.
    return {"sees_vacancies": sees_vacancies}


PER_PAGE = 50
VACANCY_ID = "<int(min=1, max=2147483647):vacancy_id>"
CANDIDACY_ID = "<int(min=1, max=2147483647):candidacy_id>"


# -- the list -----------------------------------------------------------------------------------------


@bp.get("/vacancies")
def vacancies() -> str:
    """The vacancies the user may see, filtered by unit, status and HR partner, newest first."""
    user = signed_in()
    form = VacancyFilterForm(request.args)
    everything = SelectChoice(0, _("All"))
    form.unit.choices = [everything] + [
        SelectChoice(unit.id, "\u2003" * depth + unit.name) for unit, depth in unit_tree()
    ]
    form.hr_partner.choices = [everything] + [SelectChoice(u.id, u.name) for u in hr_users()]
    form.validate()
    statuses = tuple(VacancyStatus(value) for value in (form.status.data or []) if not form.status.errors)
    filters = VacancyFilter(
        unit_id=(form.unit.data or None) if not form.unit.errors else None,
        statuses=statuses or VacancyStatus.active(),
        hr_partner_id=(form.hr_partner.data or None) if not form.hr_partner.errors else None,
    )
    page = form.page.data if form.page.data and not form.page.errors else 1
    rows, total = vacancies_page(filters, visible_vacancies_clause(user), page, PER_PAGE)
    return render_template(
        "recruitment/vacancies.html",
        form=form,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, (total + PER_PAGE - 1) // PER_PAGE),
        filtered=filters != VacancyFilter(),
        may_create=may_open_vacancies(user),
    )


# -- one vacancy ------------------------------------------------------------------------------------


#: the candidates a step shows on the vacancy's page, and then a page of one step at a time
STEP_PREVIEW = 25
STEP_PAGE = 100


def _step_cursor(value: str | None) -> StepCursor | None:
    """The `after` of a step's page: the last listed candidate's application date and id."""
    moment, _sep, ident = (value or "").rpartition("_")
    number = parse_id(ident)
    try:
        applied_on = date.fromisoformat(moment)
    except ValueError:
        return None
    return (applied_on, number) if number is not None else None


@bp.get(f"/vacancies/{VACANCY_ID}")
def vacancy(vacancy_id: int) -> str:
    """The vacancy: its details, weighed expectations, recruitment group and candidates per step.

    Every step shows its count and its first candidates; `?step=` lists that step alone, a page at a
    time (`after` the last one listed), so a popular vacancy's page stays as quick as a small one's.
    """
    user = signed_in()
    found = get_vacancy_or_404(user, vacancy_id)
    manages = can_manage_vacancy(user, found)
    status_form = StatusForm()
    status_form.status.choices = [SelectChoice(status.value, status.title) for status in status_moves(found)]
    chosen = request.args.get("step")
    step = CandidateStep(chosen) if chosen in {s.value for s in CandidateStep} else None
    counts = step_counts(found)
    # Each listed step: its candidates, and the cursor of the next page when more follow.
    listed: dict[CandidateStep, tuple[list[Candidacy], str | None]] = {}
    if step is None:
        for each, candidacies in first_candidates_by_step(found, STEP_PREVIEW).items():
            listed[each] = (candidacies, None)
    else:
        page = candidates_at_step(found, step, _step_cursor(request.args.get("after")), STEP_PAGE + 1)
        last = page[STEP_PAGE - 1] if len(page) > STEP_PAGE else None
        listed[step] = (page[:STEP_PAGE], f"{last.applied_on.isoformat()}_{last.id}" if last else None)
    return render_template(
        "recruitment/vacancy.html",
        vacancy=found,
        listed=listed,
        counts=counts,
        chosen=step,
        steps=CandidateStep,
        # Translated once for the page, not once a row: a popular vacancy has hundreds of candidates.
        source_titles={source: str(source.title) for source in CandidateSource},
        # Each row's labels, translated once and filled in with the row's name.
        row_labels={
            "step_for": _("Step for %(name)s"),
            "why_not": _("Why %(name)s is not selected"),
            "language_to": _("Language of the e-mail to %(name)s"),
        },
        manages=manages,
        status_form=status_form,
        not_selected_form=NotSelectedForm(),
        localized=localized,
    )


def _vacancy_form(form: VacancyForm) -> None:
    form.org_unit_id.choices = [SelectChoice(0, _("Choose …"))] + [
        SelectChoice(unit.id, "\u2003" * depth + unit.name) for unit, depth in unit_tree()
    ]
    form.hr_partner_id.choices = [SelectChoice(0, _("None"))] + [
        SelectChoice(u.id, u.name) for u in hr_users()
    ]


def _values(form: VacancyForm) -> VacancyValues | None:
    """The form's values, unit and people loaded; None, with the field's error, when one names nobody."""
    unit = db.session.get(OrgUnit, form.org_unit_id.data) if form.org_unit_id.data else None
    if unit is None:
        form.org_unit_id.errors = [_("Choose the unit of the post.")]
        return None
    hiring_manager = None
    if form.hiring_manager_email.data:
        hiring_manager = get_user_by_email(form.hiring_manager_email.data)
        if hiring_manager is None or not hiring_manager.is_enabled:
            form.hiring_manager_email.errors = [_("No active user account has this e-mail address.")]
            return None
    hr_partner = db.session.get(User, form.hr_partner_id.data) if form.hr_partner_id.data else None
    return VacancyValues(
        title=form.title.data or "",
        org_unit=unit,
        hiring_manager=hiring_manager,
        hr_partner=hr_partner,
        published_on=form.published_on.data,
        closes_on=form.closes_on.data,
        planned_start_on=form.planned_start_on.data,
        unit_text=form.unit_text.data or "",
        role_text=form.role_text.data or "",
    )


@bp.route("/vacancies/new", methods=["GET", "POST"])
def new_vacancy() -> str | Response:
    """Open a draft vacancy (HR); the expectations it weighs and its group come next."""
    user = signed_in()
    form = VacancyForm()
    _vacancy_form(form)
    if not form.is_submitted():
        form.hr_partner_id.data = user.id if user.has_role(Role.HR) else 0
    if form.validate_on_submit() and (values := _values(form)) is not None:
        try:
            created = create_vacancy(values, actor=user)
        except VacancyError as refused:
            db.session.rollback()
            form[refused.field].errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("The vacancy is saved as a draft. Choose the expectations it weighs."), "success")
            return redirect(url_for("recruitment.weights", vacancy_id=created.id))
    return render_template("recruitment/vacancy_form.html", form=form, vacancy=None)


@bp.route(f"/vacancies/{VACANCY_ID}/edit", methods=["GET", "POST"])
def edit_vacancy(vacancy_id: int) -> str | Response:
    """Change the vacancy's details (HR)."""
    found = get_managed_vacancy_or_404(signed_in(), vacancy_id)
    form = VacancyForm(obj=found)
    _vacancy_form(form)
    if not form.is_submitted():
        form.hiring_manager_email.data = found.hiring_manager.email if found.hiring_manager else ""
        form.hr_partner_id.data = found.hr_partner_id or 0
    if form.validate_on_submit() and (values := _values(form)) is not None:
        try:
            update_vacancy(found, values)
        except VacancyError as refused:
            db.session.rollback()
            form[refused.field].errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("The vacancy is saved."), "success")
            return redirect(url_for("recruitment.vacancy", vacancy_id=found.id))
    return render_template("recruitment/vacancy_form.html", form=form, vacancy=found)


@bp.route(f"/vacancies/{VACANCY_ID}/expectations", methods=["GET", "POST"])
def weights(vacancy_id: int) -> str | Response:
    """Choose the expectations the vacancy weighs most, 1–3 each (HR)."""
    found = get_managed_vacancy_or_404(signed_in(), vacancy_id)
    platform = get_platform()
    offered = weighable_expectations(found, platform)
    pillars = list(dict.fromkeys(expectation.pillar for expectation in offered))
    current = {weight.expectation_id: weight.weight for weight in found.weights}
    form = weights_form(offered, current, request.form if request.method == "POST" else None)
    error = None
    if form.validate_on_submit():
        chosen = {e: form[f"e{e.id}"].data for e in offered if form[f"e{e.id}"].data}
        try:
            set_weights(found, heaviest_first(chosen))
        except VacancyError as refused:
            db.session.rollback()
            error = str(refused)
        else:
            db.session.commit()
            flash(_("The weighed expectations are saved."), "success")
            return redirect(url_for("recruitment.vacancy", vacancy_id=found.id))
    return render_template(
        "recruitment/weights.html",
        vacancy=found,
        form=form,
        pillars=pillars,
        offered=offered,
        error=error,
        localized=localized,
    )


@bp.route(f"/vacancies/{VACANCY_ID}/group", methods=["GET", "POST"])
def group(vacancy_id: int) -> str | Response:
    """Choose the recruitment group: the user accounts that interview (HR)."""
    found = get_managed_vacancy_or_404(signed_in(), vacancy_id)
    form = GroupForm()
    if not form.is_submitted():
        form.interviewers.data = "\n".join(user.email for user in found.interviewers)
    if form.validate_on_submit():
        addresses = list(
            dict.fromkeys(
                line.strip() for line in (form.interviewers.data or "").splitlines() if line.strip()
            )
        )
        people = [get_user_by_email(address) for address in addresses]
        unknown = [
            a for a, person in zip(addresses, people, strict=True) if person is None or not person.is_enabled
        ]
        if unknown:
            form.interviewers.errors = [
                ngettext(
                    "No active user account has this address: %(addresses)s",
                    "No active user accounts have these addresses: %(addresses)s",
                    len(unknown),
                    addresses=", ".join(unknown),
                )
            ]
        else:
            try:
                set_recruitment_group(found, [person for person in people if person is not None])
            except VacancyError as refused:
                db.session.rollback()
                form.interviewers.errors = [str(refused)]
            else:
                db.session.commit()
                flash(_("The recruitment group is saved."), "success")
                return redirect(url_for("recruitment.vacancy", vacancy_id=found.id))
    return render_template("recruitment/group.html", vacancy=found, form=form)


@bp.post(f"/vacancies/{VACANCY_ID}/status")
def status(vacancy_id: int) -> Response:
    """Move the vacancy on: open it, start interviewing, cancel or close it (HR)."""
    found = get_managed_vacancy_or_404(signed_in(), vacancy_id)
    form = StatusForm()
    form.status.choices = [SelectChoice(s.value, s.title) for s in status_moves(found)]
    if not form.validate_on_submit():
        flash(_("Choose one of the statuses offered."), "error")
    else:
        try:
            set_status(found, VacancyStatus(form.status.data), local_today())
        except VacancyError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("The vacancy is now: %(status)s.", status=found.status.title), "success")
    return redirect(url_for("recruitment.vacancy", vacancy_id=found.id))


# -- candidates -------------------------------------------------------------------------------------


@bp.route(f"/vacancies/{VACANCY_ID}/candidates/new", methods=["GET", "POST"])
def new_candidate(vacancy_id: int) -> str | Response:
    """Add a candidate: a person already on the journey, or a new external applicant (HR)."""
    user = signed_in()
    found = get_managed_vacancy_or_404(user, vacancy_id)
    form = CandidateForm()
    if form.validate_on_submit():
        applied_on = form.applied_on.data or local_today()
        try:
            if form.employee_number.data:
                person = manager_by_employee_number(form.employee_number.data)
                if person is None:
                    raise VacancyError(
                        "employee_number", _("No one on the journey has this employee number.")
                    )
                candidacy = add_candidate(found, person, user, applied_on)
            elif form.name.data:
                candidacy = add_external_candidate(
                    found,
                    name=form.name.data,
                    email=form.email.data or None,
                    actor=user,
                    applied_on=applied_on,
                )
            else:
                raise VacancyError(
                    "employee_number", _("Give an employee number, or the name of a new applicant.")
                )
        except VacancyError as refused:
            db.session.rollback()
            form[{"person": "employee_number"}.get(refused.field, refused.field)].errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("%(name)s is a candidate.", name=candidacy.manager.name), "success")
            return redirect(url_for("recruitment.vacancy", vacancy_id=found.id))
    return render_template("recruitment/candidate_form.html", vacancy=found, form=form)


@bp.post(f"/vacancies/{VACANCY_ID}/candidates/{CANDIDACY_ID}/step")
def candidate_step(vacancy_id: int, candidacy_id: int) -> Response:
    """Move a candidate to another step before the decision (HR)."""
    found = get_managed_vacancy_or_404(signed_in(), vacancy_id)
    candidacy = candidacy_of(found, candidacy_id)
    if candidacy is None:
        abort(404)
    form = StepForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the steps offered."), "error")
    else:
        try:
            move_candidate(candidacy, CandidateStep(form.step.data))
        except VacancyError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("%(name)s: %(step)s.", name=candidacy.manager.name, step=candidacy.step.title), "success")
    return redirect(url_for("recruitment.vacancy", vacancy_id=found.id))


@bp.post(f"/vacancies/{VACANCY_ID}/candidates/{CANDIDACY_ID}/not-selected")
def not_selected(vacancy_id: int, candidacy_id: int) -> Response:
    """Record that a candidate is not selected, with the reason (HR)."""
    user = signed_in()
    found = get_managed_vacancy_or_404(user, vacancy_id)
    candidacy = candidacy_of(found, candidacy_id)
    if candidacy is None:
        abort(404)
    form = NotSelectedForm()
    if not form.validate_on_submit():
        flash(
            str(form.reason.errors[0] if form.reason.errors else _("Choose the language of the e-mail.")),
            "error",
        )
    else:
        tell_in = Language(form.language.data) if form.tell.data else None
        try:
            not_select(candidacy, NotSelectedReason(form.reason.data), user, local_today(), tell_in)
        except VacancyError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("%(name)s is not selected.", name=candidacy.manager.name), "success")
            if tell_in is not None:
                queue_after_commit(queue_not_selected, [candidacy.id])
    return redirect(url_for("recruitment.vacancy", vacancy_id=found.id))


# The hand-over's pages share this blueprint; importing them registers their routes.
from lifecycle.blueprints.recruitment import handover as _handover  # noqa: E402, F401

# Interviews, scorecards, the matrix and the decision live in their own module on this blueprint.
from lifecycle.blueprints.recruitment import interviews as _interviews  # noqa: E402, F401
