"""HR's introductions overview, the programme templates and their milestones, and launching a programme."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.introductions.forms import LaunchForm
from lifecycle.blueprints.introductions.forms import MilestoneForm
from lifecycle.blueprints.introductions.forms import OverviewFilterForm
from lifecycle.blueprints.introductions.forms import TemplateForm
from lifecycle.enums import OffsetUnit
from lifecycle.enums import ResponsibleRole
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import IntroductionLaunch
from lifecycle.models import IntroductionTemplate
from lifecycle.models import TemplateMilestone
from lifecycle.policy import get_manager_or_404
from lifecycle.policy import signed_in
from lifecycle.policy import visible_managers_clause
from lifecycle.services.accounts import get_user_by_email
from lifecycle.services.accounts import hr_users
from lifecycle.services.introductions import IntroductionError
from lifecycle.services.introductions import IntroductionFilter
from lifecycle.services.introductions import MilestoneValues
from lifecycle.services.introductions import active_templates
from lifecycle.services.introductions import add_milestone
from lifecycle.services.introductions import create_template
from lifecycle.services.introductions import has_launch
from lifecycle.services.introductions import introductions_overview
from lifecycle.services.introductions import launch_introduction
from lifecycle.services.introductions import remove_milestone
from lifecycle.services.introductions import set_default_template
from lifecycle.services.introductions import update_milestone
from lifecycle.services.introductions import update_template
from lifecycle.services.organisation import unit_tree
from lifecycle.services.platform import get_platform
from lifecycle.timeutil import local_today

bp = Blueprint("introductions", __name__, template_folder="templates")

PER_PAGE = 50


def describe_offset(amount: int, unit: OffsetUnit) -> str:
    """Say when a milestone falls, relative to the start date, in words."""
    if amount == 0:
        return str(_("On the start date"))
    num = abs(amount)
    if amount < 0:
        texts = {
            OffsetUnit.DAYS: ngettext("%(num)s day before the start", "%(num)s days before the start", num),
            OffsetUnit.WEEKS: ngettext(
                "%(num)s week before the start", "%(num)s weeks before the start", num
            ),
            OffsetUnit.MONTHS: ngettext(
                "%(num)s month before the start", "%(num)s months before the start", num
            ),
        }
    else:
        texts = {
            OffsetUnit.DAYS: ngettext("%(num)s day after the start", "%(num)s days after the start", num),
            OffsetUnit.WEEKS: ngettext("%(num)s week after the start", "%(num)s weeks after the start", num),
            OffsetUnit.MONTHS: ngettext(
                "%(num)s month after the start", "%(num)s months after the start", num
            ),
        }
    return str(texts[unit])


# -- the overview ------------------------------------------------------------------------------------


@bp.get("/introductions")
def overview() -> str:
    """Show everyone in the introduce stage with their progress and overdue milestones, a page at a time."""
    user = signed_in()
    form = OverviewFilterForm(request.args)
    everything = SelectChoice(0, _("All"))
    form.unit.choices = [everything] + [
        SelectChoice(unit.id, "\u2003" * depth + unit.name) for unit, depth in unit_tree()
    ]
    form.hr_partner.choices = [everything] + [SelectChoice(u.id, u.name) for u in hr_users()]
    form.validate()
    filters = IntroductionFilter(
        unit_id=(form.unit.data or None) if not form.unit.errors else None,
        hr_partner_id=(form.hr_partner.data or None) if not form.hr_partner.errors else None,
        only_overdue=bool(form.overdue.data),
    )
    page = form.page.data if form.page.data and not form.page.errors else 1
    today = local_today()
    total, rows = introductions_overview(
        visible_managers_clause(user), filters, today, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    return render_template(
        "introductions/overview.html",
        form=form,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, (total + PER_PAGE - 1) // PER_PAGE),
        filtered=filters != IntroductionFilter(),
        today=today,
    )


# -- templates ---------------------------------------------------------------------------------------


def _template_or_404(template_id: int) -> IntroductionTemplate:
    template = db.session.get(IntroductionTemplate, template_id)
    if template is None:
        abort(404)
    return template


@bp.get("/introductions/templates")
def templates() -> str:
    """List the programmes, with how many milestones and launches each has, and which is the default."""
    signed_in()
    launches = dict(
        db.session.execute(
            select(IntroductionLaunch.template_id, func.count()).group_by(IntroductionLaunch.template_id)
        ).all()
    )
    items = db.session.scalars(
        select(IntroductionTemplate)
        .options(selectinload(IntroductionTemplate.milestones))
        .order_by(IntroductionTemplate.is_active.desc(), IntroductionTemplate.name)
    )
    return render_template("introductions/templates.html", templates=list(items), launches=launches)


@bp.route("/introductions/templates/new", methods=["GET", "POST"])
def new_template() -> str | Response:
    """Add a programme; its milestones are added next."""
    signed_in()
    form = TemplateForm()
    if form.validate_on_submit():
        try:
            template = create_template(form.name.data or "", form.description.data or "")
        except IntroductionError as refused:
            db.session.rollback()
            form[refused.field].errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("%(name)s is created. Add its milestones.", name=template.name), "success")
            return redirect(url_for("introductions.edit_template", template_id=template.id))
    return render_template("introductions/template_form.html", form=form, template=None)


@bp.route("/introductions/templates/<id:template_id>", methods=["GET", "POST"])
def edit_template(template_id: int) -> str | Response:
    """Change a programme's name and description, and see its milestones."""
    signed_in()
    template = _template_or_404(template_id)
    form = TemplateForm(obj=template)
    if form.validate_on_submit():
        try:
            update_template(
                template,
                name=form.name.data or "",
                description=form.description.data or "",
                is_active=bool(form.is_active.data),
            )
        except IntroductionError as refused:
            db.session.rollback()
            form[refused.field].errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("The programme is saved."), "success")
            return redirect(url_for("introductions.edit_template", template_id=template.id))
    return render_template(
        "introductions/template_form.html", form=form, template=template, describe_offset=describe_offset
    )


@bp.post("/introductions/templates/<id:template_id>/default")
def set_default(template_id: int) -> Response:
    """Make a programme the one launched when someone enters the introduce stage."""
    signed_in()
    template = _template_or_404(template_id)
    try:
        set_default_template(template)
    except IntroductionError as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(
            _("%(name)s is now launched for everyone entering introduction.", name=template.name), "success"
        )
    return redirect(url_for("introductions.templates"))


# -- milestones ---------------------------------------------------------------------------------------


def _milestone_choices(form: MilestoneForm) -> None:
    platform = get_platform()
    pillars = [p for p in platform.pillars if not p.is_retired] if platform else []
    form.offset_unit.choices = [SelectChoice(unit.value, unit.title) for unit in OffsetUnit]
    form.responsible_role.choices = [SelectChoice(role.value, role.title) for role in ResponsibleRole]
    form.pillars.choices = [SelectChoice(p.key, localized(p, "name")) for p in pillars]
    form.expectations.choices = [
        SelectChoice(e.key, f"{localized(e, 'text')} ({localized(p, 'name')})")
        for p in pillars
        for e in p.expectations
        if not e.is_retired
    ]


def _milestone_values(form: MilestoneForm) -> MilestoneValues | None:
    """Read the form into a milestone, or put an error on the e-mail field and return None."""
    role = ResponsibleRole(form.responsible_role.data)
    person = None
    if role is ResponsibleRole.NAMED and form.responsible_email.data:
        person = get_user_by_email(form.responsible_email.data)
        if person is None:
            form.responsible_email.errors = [_("No user has this e-mail address.")]
            return None
    return MilestoneValues(
        title=form.title.data or "",
        description=form.description.data or "",
        offset_amount=form.offset_amount.data or 0,
        offset_unit=OffsetUnit(form.offset_unit.data),
        responsible_role=role,
        responsible_user=person,
        pillar_keys=form.pillars.data or [],
        expectation_keys=form.expectations.data or [],
    )


def _save_milestone(
    form: MilestoneForm, template: IntroductionTemplate, milestone: TemplateMilestone | None
) -> Response | None:
    values = _milestone_values(form)
    if values is None:
        return None
    try:
        if milestone is None:
            add_milestone(template, values)
        else:
            update_milestone(milestone, values)
    except IntroductionError as refused:
        db.session.rollback()
        form[refused.field].errors = [str(refused)]
        return None
    db.session.commit()
    flash(_("The milestone is saved."), "success")
    return redirect(url_for("introductions.edit_template", template_id=template.id))


@bp.route("/introductions/templates/<id:template_id>/milestones/new", methods=["GET", "POST"])
def new_milestone(template_id: int) -> str | Response:
    """Add a milestone to a programme: what, when from the start date, who, and what it builds."""
    signed_in()
    template = _template_or_404(template_id)
    form = MilestoneForm()
    _milestone_choices(form)
    if request.method == "GET":
        form.offset_unit.data = OffsetUnit.WEEKS.value
        form.responsible_role.data = ResponsibleRole.LINE_MANAGER.value
    if form.validate_on_submit() and (saved := _save_milestone(form, template, None)) is not None:
        return saved
    return render_template("introductions/milestone_form.html", form=form, template=template, milestone=None)


def _milestone_or_404(template: IntroductionTemplate, milestone_id: int) -> TemplateMilestone:
    milestone = db.session.get(TemplateMilestone, milestone_id)
    if milestone is None or milestone.template_id != template.id:
        abort(404)
    return milestone


@bp.route("/introductions/templates/<id:template_id>/milestones/<id:milestone_id>", methods=["GET", "POST"])
def edit_milestone(template_id: int, milestone_id: int) -> str | Response:
    """Change a milestone; programmes already launched keep their milestones."""
    signed_in()
    template = _template_or_404(template_id)
    milestone = _milestone_or_404(template, milestone_id)
    form = MilestoneForm(obj=milestone)
    _milestone_choices(form)
    if request.method == "GET":
        form.offset_unit.data = milestone.offset_unit.value
        form.responsible_role.data = milestone.responsible_role.value
        form.responsible_email.data = milestone.responsible_user.email if milestone.responsible_user else ""
        form.pillars.data = [p.key for p in milestone.pillars]
        form.expectations.data = [e.key for e in milestone.expectations]
    if form.validate_on_submit() and (saved := _save_milestone(form, template, milestone)) is not None:
        return saved
    return render_template(
        "introductions/milestone_form.html", form=form, template=template, milestone=milestone
    )


@bp.post("/introductions/templates/<id:template_id>/milestones/<id:milestone_id>/remove")
def delete_milestone(template_id: int, milestone_id: int) -> Response:
    """Remove a milestone from a programme; what was launched from it stays."""
    signed_in()
    template = _template_or_404(template_id)
    milestone = _milestone_or_404(template, milestone_id)
    title = milestone.title
    remove_milestone(milestone)
    db.session.commit()
    flash(_("%(title)s is removed from the programme.", title=title), "success")
    return redirect(url_for("introductions.edit_template", template_id=template.id))


# -- launching ------------------------------------------------------------------------------------------


@bp.post("/managers/<id:manager_id>/introduction")
def launch(manager_id: int) -> Response:
    """Launch a chosen programme for a manager from a start date (the manager's, or today, by default)."""
    user = signed_in()
    manager = get_manager_or_404(user, manager_id)
    form = LaunchForm()
    form.template_id.choices = [SelectChoice(t.id, t.name) for t in active_templates()]
    back = redirect(url_for("managers.detail", manager_id=manager.id) + "#introduction")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return back
    template = _template_or_404(form.template_id.data)
    start = form.start_date.data or manager.start_date or local_today()
    if has_launch(manager, template, start):
        flash(_("%(name)s is already launched from that start date.", name=template.name), "error")
        return back
    try:
        launch_introduction(manager, template, user, start)
    except IntroductionError as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(
            _("%(name)s is launched for %(manager)s.", name=template.name, manager=manager.name),
            "success",
        )
    return back
