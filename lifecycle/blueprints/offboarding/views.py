"""Offboarding's pages: a leaving manager's checklist with its dates and responsible people, marking a
task done, the exit interview by pillar, HR's reasons for leaving, and HR's analysis of exits.

Every checklist loads through `policy` (anyone else gets 404), each change calls one service of
`services.offboarding`, and the view commits.
"""

from __future__ import annotations

import logging

from flask import Blueprint
from flask import Response as FlaskResponse
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.offboarding.forms import AnalysisFilterForm
from lifecycle.blueprints.offboarding.forms import ExitInterviewForm
from lifecycle.blueprints.offboarding.forms import ReasonForm
from lifecycle.blueprints.offboarding.forms import RetireReasonForm
from lifecycle.blueprints.offboarding.forms import TaskDoneForm
from lifecycle.blueprints.offboarding.forms import comment_field
from lifecycle.blueprints.offboarding.forms import score_field
from lifecycle.enums import Stage
from lifecycle.enums import TemplatePurpose
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import ExitReason
from lifecycle.models import OrgUnit
from lifecycle.policy import get_exit_interview_recorder_or_404
from lifecycle.policy import get_offboarding_or_404
from lifecycle.policy import may_do_offboarding_task
from lifecycle.policy import may_record_exit_interview
from lifecycle.policy import signed_in
from lifecycle.services.audit import record_read
from lifecycle.services.exports import Cell
from lifecycle.services.exports import csv_chunks
from lifecycle.services.introductions import default_template
from lifecycle.services.offboarding import ExitFilter
from lifecycle.services.offboarding import ExitInterviewValues
from lifecycle.services.offboarding import OffboardingError
from lifecycle.services.offboarding import Period
from lifecycle.services.offboarding import PillarAnswer
from lifecycle.services.offboarding import add_reason
from lifecycle.services.offboarding import all_reasons
from lifecycle.services.offboarding import by_pillar
from lifecycle.services.offboarding import by_reason
from lifecycle.services.offboarding import by_unit_over_time
from lifecycle.services.offboarding import complete_task
from lifecycle.services.offboarding import current_reasons
from lifecycle.services.offboarding import interview_pillars
from lifecycle.services.offboarding import record_exit_interview
from lifecycle.services.offboarding import set_reason_retired
from lifecycle.services.offboarding import shares
from lifecycle.services.offboarding.analysis import PeriodKey
from lifecycle.services.organisation import unit_tree
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

bp = Blueprint("offboarding", __name__, template_folder="templates")

CHECKLIST = "/managers/<id:manager_id>/offboarding"


# -- a manager's checklist ------------------------------------------------------------------------------


@bp.get(CHECKLIST)
def checklist(manager_id: int) -> str:
    """Show the checklist: each task's date, who is responsible and whether it is done; the exit interview."""
    user = signed_in()
    manager, its = get_offboarding_or_404(user, manager_id)
    page = render_template(
        "offboarding/checklist.html",
        manager=manager,
        checklist=its,
        interview=its.interview,
        today=local_today(),
        may_record=may_record_exit_interview(user, manager),
        may_do=lambda task: may_do_offboarding_task(user, manager, task),
        done_form=TaskDoneForm(),
    )
    if record_read(user, manager, "offboarding", its.id) is not None:
        db.session.commit()
    return page


@bp.post(f"{CHECKLIST}/tasks/<id:task_id>/done")
def task_done(manager_id: int, task_id: int) -> Response:
    """Mark a task done; the last one, with the exit interview recorded, closes the journey."""
    user = signed_in()
    manager, its = get_offboarding_or_404(user, manager_id)
    task = next((t for t in its.tasks if t.id == task_id), None)
    if task is None or not may_do_offboarding_task(user, manager, task):
        abort(404)
    form = TaskDoneForm()
    if not form.validate_on_submit():
        flash(_("Give the date the task was done."), "error")
        return redirect(url_for("offboarding.checklist", manager_id=manager.id))
    try:
        closed = complete_task(its, task, user, form.completed_on.data or local_today())
    except OffboardingError as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("%(title)s is done.", title=task.title), "success")
        if closed:
            flash(_("The offboarding is complete and the journey is closed."), "success")
    return redirect(url_for("offboarding.checklist", manager_id=manager.id))


@bp.route(f"{CHECKLIST}/exit-interview", methods=["GET", "POST"])
def exit_interview(manager_id: int) -> str | Response:
    """Record the exit interview: a score and a comment per pillar, and the reason for leaving."""
    user = signed_in()
    manager, its = get_exit_interview_recorder_or_404(user, manager_id)
    if its.interview is not None:
        flash(_("The exit interview is already recorded."), "info")
        return redirect(url_for("offboarding.checklist", manager_id=manager.id))
    pillars = interview_pillars()
    form = ExitInterviewForm.for_pillars(pillars)()
    form.reason.choices = [SelectChoice("", _("Choose a reason"))] + [
        SelectChoice(r.code, localized(r, "name")) for r in current_reasons()
    ]
    if request.method == "GET":
        form.held_on.data = local_today()
    elif form.validate_on_submit():
        answers = {}
        for pillar in pillars:
            score = form[score_field(pillar)].data or ""
            answers[pillar.key] = PillarAnswer(
                int(score) if score.isdigit() else None, form[comment_field(pillar)].data or ""
            )
        values = ExitInterviewValues(
            held_on=form.held_on.data,
            voluntary=form.voluntary.data == "yes",
            regrettable=form.regrettable.data == "yes",
            reason_code=form.reason.data or "",
            answers=answers,
            comment=form.comment.data or "",
        )
        try:
            record_exit_interview(its, values, user, local_today())
        except OffboardingError as refused:
            db.session.rollback()
            name = refused.field
            if name.endswith(("-score", "-comment")):
                key, part = name.rsplit("-", 1)
                name = f"{part}_{key}"
            target = form._fields.get(name, form.held_on)
            target.errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("The exit interview is recorded."), "success")
            if manager.stage is Stage.CLOSED:
                flash(_("The offboarding is complete and the journey is closed."), "success")
            return redirect(url_for("offboarding.checklist", manager_id=manager.id))
        manager, its = get_exit_interview_recorder_or_404(user, manager_id)
    return render_template(
        "offboarding/exit_interview.html",
        form=form,
        manager=manager,
        pillars=[(p, form[score_field(p)], form[comment_field(p)]) for p in pillars],
    )


# -- HR's reasons for leaving ------------------------------------------------------------------------


@bp.route("/offboarding/reasons", methods=["GET", "POST"])
def reasons() -> str | Response:
    """List HR's reasons for leaving and add one."""
    signed_in()
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            reason = add_reason(form.code.data or "", form.name_sv.data or "", form.name_en.data or "")
        except OffboardingError as refused:
            db.session.rollback()
            form[refused.field].errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("%(name)s is added.", name=localized(reason, "name")), "success")
            return redirect(url_for("offboarding.reasons"))
    return render_template(
        "offboarding/reasons.html",
        form=form,
        reasons=all_reasons(),
        retire_form=RetireReasonForm(),
        checklist_template=default_template(TemplatePurpose.OFFBOARDING),
    )


@bp.post("/offboarding/reasons/<id:reason_id>/retired")
def retire_reason(reason_id: int) -> Response:
    """Retire a reason (no new interview gives it) or offer it again."""
    signed_in()
    reason = db.session.get(ExitReason, reason_id)
    if reason is None:
        abort(404)
    form = RetireReasonForm()
    if form.validate_on_submit():
        set_reason_retired(reason, form.retired.data == "1")
        db.session.commit()
        flash(_("The list of reasons is saved."), "success")
    return redirect(url_for("offboarding.reasons"))


# -- HR's analysis of exits ----------------------------------------------------------------------------


def _filters() -> tuple[AnalysisFilterForm, ExitFilter]:
    form = AnalysisFilterForm(request.args)
    form.unit.choices = [SelectChoice("", _("The whole organisation"))] + [
        SelectChoice(str(unit.id), "\u2003" * depth + unit.name) for unit, depth in unit_tree()
    ]
    form.validate()
    unit_id = form.unit.data if not form.unit.errors else ""
    unit = db.session.get(OrgUnit, int(unit_id)) if (unit_id or "").isdigit() else None
    start = form.start.data if not form.start.errors else None
    end = form.end.data if not form.end.errors else None
    per = Period.YEAR if form.per.data == Period.YEAR.value else Period.QUARTER
    return form, ExitFilter(unit=unit, start=start, end=end, per=per)


def period_label(key: PeriodKey) -> str:
    year, quarter = key
    return _("%(year)s Q%(quarter)s", year=year, quarter=quarter) if quarter else str(year)


def _percent(share: float | None) -> str:
    return f"{round(share * 100)} %" if share is not None else "–"


def _mean(mean: float | None) -> str:
    return f"{mean:.1f}" if mean is not None else "–"


@bp.get("/offboarding/exits")
def analysis() -> str:
    """Show exits by pillar, by reason, voluntary and regrettable shares, and by unit over time."""
    signed_in()
    form, filters = _filters()
    return render_template(
        "offboarding/analysis.html",
        form=form,
        filters=filters,
        pillars=by_pillar(filters, interview_pillars()),
        reasons=by_reason(filters),
        shares=shares(filters),
        units=by_unit_over_time(filters),
        period_label=period_label,
        percent=_percent,
        mean=_mean,
        query=request.query_string.decode(),
    )


def _pillar_rows(filters: ExitFilter) -> tuple[list[str], list[list[Cell]]]:
    header = [
        _("Pillar"),
        _("Answers"),
        _("Mean score"),
        _("Support worked (4–5)"),
        _("Support failed (1–2)"),
    ]
    rows: list[list[Cell]] = [
        [localized(f.pillar, "name"), f.answers, _mean(f.mean), f.worked, f.failed]
        for f in by_pillar(filters, interview_pillars())
    ]
    return header, rows


def _reason_rows(filters: ExitFilter) -> tuple[list[str], list[list[Cell]]]:
    header = [_("Reason"), _("Code"), _("Exits"), _("Voluntary"), _("Regrettable")]
    rows: list[list[Cell]] = [
        [localized(f.reason, "name"), f.reason.code, f.exits, f.voluntary, f.regrettable]
        for f in by_reason(filters)
    ]
    return header, rows


def _unit_rows(filters: ExitFilter) -> tuple[list[str], list[list[Cell]]]:
    units = by_unit_over_time(filters)
    header = [_("Unit"), *(period_label(p) for p in units.periods), _("Total")]
    rows: list[list[Cell]] = [
        [
            _("%(unit)s (directly)", unit=row.unit.name) if row.is_direct else row.unit.name,
            *(row.counts.get(p, 0) for p in units.periods),
            row.total,
        ]
        for row in units.rows
    ]
    return header, rows


TABLES = {"pillars": _pillar_rows, "reasons": _reason_rows, "units": _unit_rows}


@bp.get("/offboarding/exits.csv")
def analysis_csv() -> FlaskResponse:
    """Download one table of the analysis (pillars, reasons or units) as CSV, with the page's filter."""
    signed_in()
    table = request.args.get("table", "pillars")
    if table not in TABLES:
        abort(404)
    _form, filters = _filters()
    header, rows = TABLES[table](filters)
    return FlaskResponse(
        csv_chunks(rows, header=header),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="exits-by-{table}.csv"',
            "Cache-Control": "no-store",
        },
    )
