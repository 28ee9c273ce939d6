"""Talent pool pages (HR): the filtered list of members, adding one, a member's page, and its actions.

Every member loads through `policy` (HR only; anyone else gets 404), each change calls one service of
`services.talent_pool`, and the view commits. An attract activity for members is registered with the
ordinary activity form, which takes its participants from the list's selection.
"""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.talent_pool.forms import ConsentForm
from lifecycle.blueprints.talent_pool.forms import MemberForm
from lifecycle.blueprints.talent_pool.forms import PoolFilterForm
from lifecycle.blueprints.talent_pool.forms import ProfileForm
from lifecycle.blueprints.talent_pool.forms import RecruitForm
from lifecycle.blueprints.talent_pool.forms import RemoveForm
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import Expectation
from lifecycle.models import Pillar
from lifecycle.models import Vacancy
from lifecycle.models.talent_pool import PoolSource
from lifecycle.models.talent_pool import TalentProfile
from lifecycle.policy import get_pool_member_or_404
from lifecycle.policy import signed_in
from lifecycle.services.activities import ActivityError
from lifecycle.services.activities import resolve_tags
from lifecycle.services.audit import record_read
from lifecycle.services.manager_queries import manager_by_employee_number
from lifecycle.services.platform import get_platform
from lifecycle.services.recruitment import VacancyError
from lifecycle.services.talent_pool import PoolError
from lifecycle.services.talent_pool import PoolFilter
from lifecycle.services.talent_pool import ProfileValues
from lifecycle.services.talent_pool import add_new_person_to_pool
from lifecycle.services.talent_pool import add_to_pool
from lifecycle.services.talent_pool import candidacies_of
from lifecycle.services.talent_pool import consent_until
from lifecycle.services.talent_pool import live_candidacies
from lifecycle.services.talent_pool import move_into_recruitment
from lifecycle.services.talent_pool import pool_page
from lifecycle.services.talent_pool import pool_retention_period
from lifecycle.services.talent_pool import receiving_vacancies
from lifecycle.services.talent_pool import recent_activities
from lifecycle.services.talent_pool import remove_from_pool
from lifecycle.services.talent_pool import renew_consent
from lifecycle.services.talent_pool import update_profile
from lifecycle.services.talent_pool.queries import MEMBERS_PER_PAGE
from lifecycle.timeutil import local_today

bp = Blueprint("talent_pool", __name__, template_folder="templates")

PROFILE_ID = "<id:profile_id>"
#: the services' names for the fields of the forms
FORM_FIELDS = {"person": "person_number"}


# -- the list -----------------------------------------------------------------------------------------


def _tag_choices(form: PoolFilterForm | ProfileForm, kept: TalentProfile | None = None) -> None:
    """Offer the platform's current pillars and expectations, and the retired ones a profile keeps."""
    platform = get_platform()
    pillars = [
        p for p in (platform.pillars if platform else []) if not p.is_retired or (kept and p in kept.pillars)
    ]
    expectations = [
        (e, p)
        for p in pillars
        for e in p.expectations
        if not e.is_retired or (kept and e in kept.expectations)
    ]
    pillar_choices = [SelectChoice(p.key, localized(p, "name")) for p in pillars]
    expectation_choices = [
        SelectChoice(e.key, f"{localized(e, 'text')} ({localized(p, 'name')})") for e, p in expectations
    ]
    if isinstance(form, PoolFilterForm):
        everything = SelectChoice("", _("All"))
        form.pillar.choices = [everything, *pillar_choices]
        form.expectation.choices = [everything, *expectation_choices]
    else:
        form.pillars.choices = pillar_choices
        form.expectations.choices = expectation_choices


@bp.get("/talent-pool")
def members() -> str:
    """The pool's members, consent running out first, filtered by source, strength and consent."""
    signed_in()
    form = PoolFilterForm(request.args)
    _tag_choices(form)
    form.validate()
    filters = PoolFilter(
        sources=tuple(PoolSource(v) for v in (form.source.data or []) if not form.source.errors),
        pillar=(form.pillar.data or None) if not form.pillar.errors else None,
        expectation=(form.expectation.data or None) if not form.expectation.errors else None,
        runs_out_soon=bool(form.soon.data) and not form.soon.errors,
        query=(form.q.data or "") if not form.q.errors else "",
    )
    page = form.page.data if form.page.data and not form.page.errors else 1
    period = pool_retention_period()
    profiles, total = pool_page(filters, local_today(), period, page, MEMBERS_PER_PAGE)
    return render_template(
        "talent_pool/members.html",
        form=form,
        profiles=profiles,
        candidacies=live_candidacies([profile.manager_id for profile in profiles]),
        total=total,
        page=page,
        pages=max(1, (total + MEMBERS_PER_PAGE - 1) // MEMBERS_PER_PAGE),
        filtered=filters != PoolFilter(),
        until=lambda profile: consent_until(profile.consent_given_on, period),
        localized=localized,
    )


# -- adding and changing a member --------------------------------------------------------------------


def _values(form: ProfileForm, kept: TalentProfile | None = None) -> ProfileValues:
    """The form's values, its tags loaded; a tag that names nothing current is a PoolError."""
    pillar_keys, expectation_keys = form.pillars.data or [], form.expectations.data or []
    retired_pillars = [p for p in (kept.pillars if kept else []) if p.is_retired and p.key in pillar_keys]
    retired_expectations = [
        e for e in (kept.expectations if kept else []) if e.is_retired and e.key in expectation_keys
    ]
    current_pillars = [key for key in pillar_keys if key not in {p.key for p in retired_pillars}]
    current_expectations = [
        key for key in expectation_keys if key not in {e.key for e in retired_expectations}
    ]
    pillars: list[Pillar] = []
    expectations: list[Expectation] = []
    if current_pillars or current_expectations:
        try:
            pillars, expectations = resolve_tags(current_pillars, current_expectations)
        except ActivityError as refused:
            raise PoolError(refused.field, str(refused)) from refused
    return ProfileValues(
        source=PoolSource(form.source.data),
        consent_given_on=form.consent_given_on.data or local_today(),
        notes=form.notes.data or "",
        pillars=[*pillars, *retired_pillars],
        expectations=[*expectations, *retired_expectations],
    )


def _show_refusal(form: ProfileForm, refused: PoolError) -> None:
    """Undo the refused change and show why next to the field to fix."""
    db.session.rollback()
    name = FORM_FIELDS.get(refused.field, refused.field)
    form[name if name in form else "source"].errors = [str(refused)]


@bp.route("/talent-pool/new", methods=["GET", "POST"])
def new_member() -> str | Response:
    """Add a person to the pool: someone on the journey by employee number, or someone new (attract)."""
    user = signed_in()
    form = MemberForm()
    _tag_choices(form)
    today = local_today()
    if not form.is_submitted():
        form.consent_given_on.data = today
    if form.validate_on_submit():
        try:
            values = _values(form)
            if form.person_number.data:
                person = manager_by_employee_number(form.person_number.data)
                if person is None:
                    raise PoolError("person_number", _("No one on the journey has this employee number."))
                profile = add_to_pool(person, values, user, today)
            elif form.name.data:
                profile = add_new_person_to_pool(
                    name=form.name.data,
                    email=form.email.data or None,
                    employee_number=form.employee_number.data or None,
                    values=values,
                    actor=user,
                    today=today,
                )
            else:
                raise PoolError(
                    "person_number", _("Give the employee number of a person on the journey, or a new name.")
                )
        except PoolError as refused:
            _show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("%(name)s is in the talent pool.", name=profile.manager.name), "success")
            return redirect(url_for("talent_pool.member", profile_id=profile.id))
    return render_template("talent_pool/member_form.html", form=form, profile=None)


@bp.get(f"/talent-pool/{PROFILE_ID}")
def member(profile_id: int) -> str:
    """A member: source, strengths, consent, their recruitments and activities, and HR's actions."""
    user = signed_in()
    profile = get_pool_member_or_404(user, profile_id)
    person = profile.manager
    consent_form = ConsentForm()
    consent_form.consent_given_on.data = local_today()
    recruit_form = RecruitForm()
    recruit_form.vacancy_id.choices = _vacancy_choices()
    page = render_template(
        "talent_pool/member.html",
        profile=profile,
        person=person,
        until=consent_until(profile.consent_given_on),
        candidacies=candidacies_of(person),
        activities=recent_activities(person),
        consent_form=consent_form,
        recruit_form=recruit_form,
        localized=localized,
    )
    record_read(user, person, "talent_profile", profile.id)
    db.session.commit()
    return page


@bp.route(f"/talent-pool/{PROFILE_ID}/edit", methods=["GET", "POST"])
def edit_member(profile_id: int) -> str | Response:
    """Change a member's source, strengths, note or consent date."""
    profile = get_pool_member_or_404(signed_in(), profile_id)
    form = ProfileForm(obj=profile)
    _tag_choices(form, kept=profile)
    if not form.is_submitted():
        form.source.data = profile.source.value
        form.pillars.data = [p.key for p in profile.pillars]
        form.expectations.data = [e.key for e in profile.expectations]
    if form.validate_on_submit():
        try:
            update_profile(profile, _values(form, kept=profile), local_today())
        except PoolError as refused:
            _show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The member's profile is saved."), "success")
            return redirect(url_for("talent_pool.member", profile_id=profile.id))
    return render_template("talent_pool/member_form.html", form=form, profile=profile)


# -- consent, recruitment, removal ---------------------------------------------------------------------


@bp.post(f"/talent-pool/{PROFILE_ID}/consent", endpoint="renew_consent")
def renew_consent_of(profile_id: int) -> Response:
    """Record the member's renewed consent to be kept in the pool."""
    profile = get_pool_member_or_404(signed_in(), profile_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(
            " ".join(map(str, form.consent_given_on.errors)) or _("Give the day of the new consent."), "error"
        )
    else:
        try:
            until = renew_consent(profile, form.consent_given_on.data or local_today(), local_today())
        except PoolError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("The consent is renewed; it lasts until %(date)s.", date=until.isoformat()), "success")
    return redirect(url_for("talent_pool.member", profile_id=profile_id))


def _vacancy_choices() -> list[SelectChoice]:
    vacancies: list[Vacancy] = receiving_vacancies()
    return [SelectChoice(0, _("Choose …"))] + [
        SelectChoice(v.id, f"{v.title} ({v.org_unit.name}, {str(v.status.title).lower()})") for v in vacancies
    ]


@bp.post(f"/talent-pool/{PROFILE_ID}/recruit")
def recruit(profile_id: int) -> Response:
    """Move the member into a recruitment: they become a candidate for the chosen vacancy."""
    user = signed_in()
    profile = get_pool_member_or_404(user, profile_id)
    form = RecruitForm()
    form.vacancy_id.choices = _vacancy_choices()
    if not form.validate_on_submit():
        flash(_("Choose one of the vacancies offered."), "error")
        return redirect(url_for("talent_pool.member", profile_id=profile_id))
    vacancy = db.session.get(Vacancy, form.vacancy_id.data)
    try:
        if vacancy is None:
            raise PoolError("vacancy_id", _("Choose one of the vacancies offered."))
        candidacy = move_into_recruitment(profile, vacancy, user, local_today())
    except (PoolError, VacancyError) as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("talent_pool.member", profile_id=profile_id))
    db.session.commit()
    flash(
        _("%(name)s is a candidate for %(title)s.", name=candidacy.manager.name, title=vacancy.title),
        "success",
    )
    return redirect(url_for("recruitment.vacancy", vacancy_id=vacancy.id))


@bp.route(f"/talent-pool/{PROFILE_ID}/remove", methods=["GET", "POST"])
def remove(profile_id: int) -> str | Response:
    """Remove a member from the pool: their profile is erased, a person only in the pool anonymised."""
    user = signed_in()
    profile = get_pool_member_or_404(user, profile_id)
    form = RemoveForm()
    if form.validate_on_submit():
        anonymised = remove_from_pool(
            [profile], user, local_today(), reason=_("Removed from the talent pool by HR.")
        )
        db.session.commit()
        flash(
            _("The person is removed from the talent pool and anonymised.")
            if anonymised
            else _("The person is removed from the talent pool; their journey goes on."),
            "success",
        )
        return redirect(url_for("talent_pool.members"))
    return render_template("talent_pool/remove.html", form=form, profile=profile, person=profile.manager)
