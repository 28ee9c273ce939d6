"""Recruitment pages for interviews: a candidate with their interviews and scorecards, one's own
scorecard (draft, submission, amendment), the group's matrix and the hiring manager's decision.

Registered on the recruitment blueprint. Every object loads through `policy` (someone outside the
vacancy's people gets 404 for all of it), the scorecards through `policy.visible_scorecards_clause`
(a draft only its author; the others' only once one's own is submitted), each change calls one
service of `services.recruitment`, and the view commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.recruitment.interview_forms import CancelInterviewForm
from lifecycle.blueprints.recruitment.interview_forms import DecisionForm
from lifecycle.blueprints.recruitment.interview_forms import InterviewForm
from lifecycle.blueprints.recruitment.interview_forms import scorecard_form
from lifecycle.blueprints.recruitment.views import CANDIDACY_ID
from lifecycle.blueprints.recruitment.views import VACANCY_ID
from lifecycle.blueprints.recruitment.views import bp
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import Expectation
from lifecycle.models import User
from lifecycle.models.interviews import SCORES
from lifecycle.models.interviews import Interview
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import Vacancy
from lifecycle.policy import get_candidacy_or_404
from lifecycle.policy import get_interview_or_404
from lifecycle.policy import get_vacancy_or_404
from lifecycle.policy import is_hr
from lifecycle.policy import may_decide
from lifecycle.policy import may_schedule_interviews
from lifecycle.policy import may_score
from lifecycle.policy import score_visibility
from lifecycle.policy import signed_in
from lifecycle.policy import visible_scorecards_clause
from lifecycle.policy import waits_for_own_scorecard
from lifecycle.services.recruitment import InterviewValues
from lifecycle.services.recruitment import Matrix
from lifecycle.services.recruitment import MatrixOrder
from lifecycle.services.recruitment import MatrixShown
from lifecycle.services.recruitment import ScoreValue
from lifecycle.services.recruitment import VacancyError
from lifecycle.services.recruitment import amend_scorecard
from lifecycle.services.recruitment import cancel_interview
from lifecycle.services.recruitment import decidable_candidates
from lifecycle.services.recruitment import decision_of
from lifecycle.services.recruitment import effective_scores
from lifecycle.services.recruitment import interviews_of
from lifecycle.services.recruitment import panel_choices
from lifecycle.services.recruitment import record_decision
from lifecycle.services.recruitment import reschedule_interview
from lifecycle.services.recruitment import save_draft
from lifecycle.services.recruitment import schedule_interview
from lifecycle.services.recruitment import scorecard_matrix
from lifecycle.services.recruitment import scorecard_of
from lifecycle.services.recruitment import scorecards_for
from lifecycle.services.recruitment import submit_scorecard
from lifecycle.services.recruitment.matrix import ScoreByInterviewer
from lifecycle.timeutil import STOCKHOLM

INTERVIEW_ID = "<int(min=1, max=2147483647):interview_id>"


def _expectations(vacancy: Vacancy) -> list[Expectation]:
    return [weight.expectation for weight in vacancy.weights]


def one_decimal(value: float | None, separator: str = ".") -> str:
    """A mean or total as the page shows it: one decimal, with the reader's separator ("3,5")."""
    if value is None:
        return "–"
    # Half up, as people round: 3.25 is 3,3 (Babel would round half to even).
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(rounded).replace(".", separator)


def one_decimal_in_the_readers_language() -> Callable[[float | None], str]:
    """`one_decimal` with the reader's decimal separator, looked up once for a page of many numbers."""
    separator = str(format_decimal(Decimal("0.5"), format="0.0"))[1]
    return lambda value: one_decimal(value, separator)


# -- a candidate: interviews and scorecards --------------------------------------------------------------


@bp.get(f"/vacancies/{VACANCY_ID}/candidates/{CANDIDACY_ID}")
def candidate(vacancy_id: int, candidacy_id: int) -> str:
    """A candidate of the vacancy: their interviews, one's own scorecard, and the others' one may read."""
    user = signed_in()
    vacancy, candidacy = get_candidacy_or_404(user, vacancy_id, candidacy_id)
    own = scorecard_of(candidacy, user)
    return render_template(
        "recruitment/candidate.html",
        vacancy=vacancy,
        candidacy=candidacy,
        interviews=interviews_of(candidacy),
        schedules=may_schedule_interviews(user, vacancy),
        scores=may_score(user, candidacy) or own is not None,
        own=own,
        waiting=waits_for_own_scorecard(user, candidacy),
        others=[
            s for s in scorecards_for(candidacy, visible_scorecards_clause(user)) if s.author_id != user.id
        ],
        effective_scores=effective_scores,
        cancel_form=CancelInterviewForm(),
        localized=localized,
        stockholm=STOCKHOLM,
    )


def _interview_values(form: InterviewForm, vacancy: Vacancy) -> InterviewValues:
    people = {person.id: person for person in panel_choices(vacancy)}
    # The form validated: day, time and length are there.
    starts_at = datetime.combine(form.starts_on.data, form.starts_time.data, tzinfo=STOCKHOLM)  # type: ignore[arg-type]
    return InterviewValues(
        starts_at=starts_at,
        duration_minutes=form.duration_minutes.data or 0,
        location=form.location.data or "",
        interviewers=[people[i] for i in form.interviewers.data or [] if i in people],
    )


def _interview_form(vacancy: Vacancy, interview: Interview | None) -> InterviewForm:
    form = InterviewForm()
    form.interviewers.choices = [SelectChoice(person.id, person.name) for person in panel_choices(vacancy)]
    if not form.is_submitted():
        if interview is None:
            form.interviewers.data = [person.id for person in vacancy.interviewers]
        else:
            local = interview.starts_at.astimezone(STOCKHOLM)
            form.starts_on.data = local.date()
            form.starts_time.data = local.time().replace(second=0, microsecond=0)
            form.duration_minutes.data = interview.duration_minutes
            form.location.data = interview.location
            form.interviewers.data = [seat.user_id for seat in interview.panel]
    return form


def _field(form: FlaskForm, name: str, fallback: Any) -> Any:
    """The form's field a service's refusal names, else `fallback` (where the message then shows)."""
    return form[name] if name in form else fallback  # noqa: SIM401  (a form has no get())


def _interview_page(
    user: User, vacancy: Vacancy, candidacy: Candidacy, interview: Interview | None
) -> str | Response:
    """The form that schedules an interview (`interview` None) or moves one; HR and the hiring manager."""
    if not may_schedule_interviews(user, vacancy):
        abort(404)
    form = _interview_form(vacancy, interview)
    if form.validate_on_submit():
        values = _interview_values(form, vacancy)
        try:
            if interview is None:
                schedule_interview(candidacy, values, user)
            else:
                reschedule_interview(interview, values)
        except VacancyError as refused:
            db.session.rollback()
            _field(form, refused.field, form.starts_on).errors = [str(refused)]
        else:
            db.session.commit()
            if interview is None:
                flash(
                    _("The interview is scheduled; the interviewers are reminded the working day before."),
                    "success",
                )
            else:
                flash(_("The interview is saved."), "success")
            return redirect(
                url_for("recruitment.candidate", vacancy_id=vacancy.id, candidacy_id=candidacy.id)
            )
    return render_template(
        "recruitment/interview_form.html",
        vacancy=vacancy,
        candidacy=candidacy,
        form=form,
        interview=interview,
    )


@bp.route(f"/vacancies/{VACANCY_ID}/candidates/{CANDIDACY_ID}/interviews/new", methods=["GET", "POST"])
def new_interview(vacancy_id: int, candidacy_id: int) -> str | Response:
    """Schedule an interview of the candidate (HR, the hiring manager)."""
    user = signed_in()
    vacancy, candidacy = get_candidacy_or_404(user, vacancy_id, candidacy_id)
    return _interview_page(user, vacancy, candidacy, None)


@bp.route(
    f"/vacancies/{VACANCY_ID}/candidates/{CANDIDACY_ID}/interviews/{INTERVIEW_ID}/edit",
    methods=["GET", "POST"],
)
def edit_interview(vacancy_id: int, candidacy_id: int, interview_id: int) -> str | Response:
    """Move an interview, change its place or interviewers (HR, the hiring manager)."""
    user = signed_in()
    vacancy, candidacy, interview = get_interview_or_404(user, vacancy_id, candidacy_id, interview_id)
    return _interview_page(user, vacancy, candidacy, interview)


# Endpoints named for the page; the functions are not, so as not to shadow the services they call.
@bp.post(
    f"/vacancies/{VACANCY_ID}/candidates/{CANDIDACY_ID}/interviews/{INTERVIEW_ID}/cancel",
    endpoint="cancel_interview",
)
def cancel_interview_view(vacancy_id: int, candidacy_id: int, interview_id: int) -> Response:
    """Cancel an interview (HR, the hiring manager)."""
    user = signed_in()
    vacancy, candidacy, interview = get_interview_or_404(user, vacancy_id, candidacy_id, interview_id)
    if not may_schedule_interviews(user, vacancy):
        abort(404)
    if CancelInterviewForm().validate_on_submit():
        cancel_interview(interview)
        db.session.commit()
        flash(_("The interview is cancelled."), "success")
    else:
        flash(_("The form has expired; try again."), "error")
    return redirect(url_for("recruitment.candidate", vacancy_id=vacancy.id, candidacy_id=candidacy.id))


# -- one's own scorecard -----------------------------------------------------------------------------


def _score_values(form: FlaskForm, expectations: list[Expectation], amending: bool) -> dict[int, ScoreValue]:
    values = {}
    for expectation in expectations:
        raw = str(form[f"score_{expectation.id}"].data or "").strip()
        evidence = form[f"evidence_{expectation.id}"].data or ""
        # The choices validated it; what is left is a score or blank (the field is optional).
        score = int(raw) if raw in {str(score) for score in SCORES} else None
        if amending and score is None:
            continue
        values[expectation.id] = ScoreValue(score, evidence)
    return values


def _scorer_or_404(user: User, vacancy_id: int, candidacy_id: int) -> tuple[Vacancy, Candidacy]:
    vacancy, candidacy = get_candidacy_or_404(user, vacancy_id, candidacy_id)
    if not may_score(user, candidacy) and scorecard_of(candidacy, user) is None:
        abort(404)
    return vacancy, candidacy


@bp.route(f"/vacancies/{VACANCY_ID}/candidates/{CANDIDACY_ID}/scorecard", methods=["GET", "POST"])
def scorecard(vacancy_id: int, candidacy_id: int) -> str | tuple[str, int] | Response:
    """One's own scorecard for the candidate: save a draft, or submit it (an interviewer of theirs)."""
    user = signed_in()
    vacancy, candidacy = _scorer_or_404(user, vacancy_id, candidacy_id)
    own = scorecard_of(candidacy, user)
    expectations = _expectations(vacancy)
    if own is not None and own.is_submitted:
        if request.method == "POST":  # sent twice, or from a page opened before submitting
            flash(_("Your scorecard is already submitted; change a score with an amendment."), "warning")
            return redirect(
                url_for("recruitment.scorecard", vacancy_id=vacancy.id, candidacy_id=candidacy.id)
            )
        return render_template(
            "recruitment/scorecard.html",
            vacancy=vacancy,
            candidacy=candidacy,
            own=own,
            form=None,
            effective=effective_scores(own),
            localized=localized,
        )
    form = scorecard_form(expectations, request.form if request.method == "POST" else None)
    if not form.is_submitted() and own is not None:
        for row in own.scores:
            if f"score_{row.expectation_id}" in form:
                form[f"score_{row.expectation_id}"].data = str(row.score) if row.score else None
                form[f"evidence_{row.expectation_id}"].data = row.evidence
    submitting = request.form.get("action") == "submit"
    if form.validate_on_submit():
        values = _score_values(form, expectations, amending=False)
        try:
            if submitting:
                submit_scorecard(candidacy, user, values)
            else:
                save_draft(candidacy, user, values)
        except VacancyError as refused:
            db.session.rollback()
            target = _field(form, refused.field, None)
            if target is not None:
                target.errors = [str(refused)]
            else:
                flash(str(refused), "error")
        else:
            db.session.commit()
            if submitting:
                flash(
                    _("Your scorecard is submitted. You now see the other interviewers' scorecards."),
                    "success",
                )
                return redirect(
                    url_for("recruitment.candidate", vacancy_id=vacancy.id, candidacy_id=candidacy.id)
                )
            flash(_("Your draft is saved. Only you see it until you submit it."), "success")
            return redirect(
                url_for("recruitment.scorecard", vacancy_id=vacancy.id, candidacy_id=candidacy.id)
            )
    status = 400 if form.errors else 200
    return render_template(
        "recruitment/scorecard.html",
        vacancy=vacancy,
        candidacy=candidacy,
        own=own,
        form=form,
        effective={},
        localized=localized,
    ), status


@bp.route(
    f"/vacancies/{VACANCY_ID}/candidates/{CANDIDACY_ID}/scorecard/amend",
    methods=["GET", "POST"],
    endpoint="amend_scorecard",
)
def amend_scorecard_view(vacancy_id: int, candidacy_id: int) -> tuple[str, int] | Response:
    """Amend one's submitted scorecard: new scores with the reason; the original stays."""
    user = signed_in()
    vacancy, candidacy = _scorer_or_404(user, vacancy_id, candidacy_id)
    own = scorecard_of(candidacy, user)
    if own is None or not own.is_submitted:
        abort(404)
    expectations = _expectations(vacancy)
    form = scorecard_form(expectations, request.form if request.method == "POST" else None, amending=True)
    if form.validate_on_submit():
        try:
            amend_scorecard(
                own, user, _score_values(form, expectations, amending=True), form.reason.data or ""
            )
        except VacancyError as refused:
            db.session.rollback()
            _field(form, refused.field, form.reason).errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("The amendment is saved; the original scores stay beside it."), "success")
            return redirect(
                url_for("recruitment.scorecard", vacancy_id=vacancy.id, candidacy_id=candidacy.id)
            )
    return render_template(
        "recruitment/amend.html",
        vacancy=vacancy,
        candidacy=candidacy,
        own=own,
        form=form,
        effective=effective_scores(own),
        localized=localized,
    ), 400 if form.errors else 200


# -- the matrix and the decision -----------------------------------------------------------------------


#: the matrix's rows a page: a popular vacancy has hundreds of interviewed candidates, each with up to
#: 8 expectations × 8 interviewers' scores; 25 are what a reader compares at once
MATRIX_PAGE = 25


@bp.get(f"/vacancies/{VACANCY_ID}/matrix")
def matrix(vacancy_id: int) -> str:
    """Candidate × expectation: every interviewer's score one may read, the spread and the weighted total.

    The candidates in process by default, every interviewed one with `?show=all`; a page at a time.
    """
    user = signed_in()
    vacancy = get_vacancy_or_404(user, vacancy_id)
    order = MatrixOrder.NAME if request.args.get("sort") == MatrixOrder.NAME.value else MatrixOrder.TOTAL
    shown = MatrixShown.ALL if request.args.get("show") == MatrixShown.ALL.value else MatrixShown.IN_PROCESS
    page = request.args.get("page", 1, type=int) or 1
    page = min(max(page, 1), 100_000)
    found = scorecard_matrix(vacancy, score_visibility(user), order, shown, page, MATRIX_PAGE)
    one_decimal = one_decimal_in_the_readers_language()
    return render_template(
        "recruitment/matrix.html",
        vacancy=vacancy,
        matrix=found,
        order=order,
        shown=shown,
        page=page,
        pages=max(1, -(-found.total // MATRIX_PAGE)),
        first=(page - 1) * MATRIX_PAGE + 1,
        # Translated once for the page, not once a row.
        step_titles={step: str(step.title) for step in CandidateStep},
        decides=may_decide(user, vacancy),
        hr=is_hr(user),
        decision=decision_of(vacancy),
        one_decimal=one_decimal,
        cells=matrix_cells(found, one_decimal),
        localized=localized,
    )


def matrix_cells(found: Matrix, one_decimal: Callable[[float | None], str]) -> dict[int, dict[int, Markup]]:
    """Each cell's HTML (its interviewers' scores, mean and spread), by candidacy and expectation.

    Made here rather than in the template: a page holds 25 candidates × up to 8 expectations × 8
    interviewers, and a template loop over 1 600 scores cost more than the page's SQL. The few distinct
    list items (an interviewer's name, a score 1–5, amended or not) are escaped and formatted once.
    """
    # Translated once and filled in per cell.
    mean_and_spread = _("mean %(mean)s, spread %(spread)s")
    amended = Markup('<abbr title="{}">*</abbr>').format(_("amended"))
    item = Markup("<li>{}: <strong>{}</strong>{}</li>")
    items: dict[tuple[int, int, bool], Markup] = {}
    cell_html = Markup('<ul class="scores">{}</ul><small>{}</small>')

    def score_item(score: ScoreByInterviewer) -> Markup:
        key = (score.author_id, score.score, score.amended)
        if key not in items:
            items[key] = item.format(score.author_name, score.score, amended if score.amended else "")
        return items[key]

    cells: dict[int, dict[int, Markup]] = {}
    for row in found.rows:
        cells[row.candidacy.id] = {
            expectation_id: cell_html.format(
                Markup("").join(score_item(s) for s in cell.scores),
                mean_and_spread % {"mean": one_decimal(cell.mean), "spread": cell.spread},
            )
            if cell.scores
            else Markup("–")
            for expectation_id, cell in row.cells.items()
        }
    return cells


@bp.route(f"/vacancies/{VACANCY_ID}/decision", methods=["GET", "POST"])
def decision(vacancy_id: int) -> tuple[str, int] | Response:
    """Record whom the vacancy hires, and why (the hiring manager, or HR)."""
    user = signed_in()
    vacancy = get_vacancy_or_404(user, vacancy_id)
    if not may_decide(user, vacancy):
        abort(404)
    made = decision_of(vacancy)
    form = DecisionForm()
    in_process = decidable_candidates(vacancy)
    form.candidacy.choices = [SelectChoice(0, _("Choose …"))] + [
        SelectChoice(c.id, f"{c.manager.name} ({c.step.title})") for c in in_process
    ]
    if made is None and form.validate_on_submit():
        chosen = next((c for c in in_process if c.id == form.candidacy.data), None)
        if chosen is None:
            form.candidacy.errors = [_("Choose one of this vacancy's candidates.")]
        else:
            try:
                record_decision(vacancy, chosen, form.reason.data or "", user)
            except VacancyError as refused:
                db.session.rollback()
                _field(form, refused.field, form.candidacy).errors = [str(refused)]
            else:
                db.session.commit()
                flash(
                    _(
                        "%(name)s is hired. Set the start date to hand them over to introduction, "
                        "then close the other candidates as not selected.",
                        name=chosen.manager.name,
                    ),
                    "success",
                )
                return redirect(url_for("recruitment.hire", vacancy_id=vacancy.id, candidacy_id=chosen.id))
    return render_template(
        "recruitment/decision.html", vacancy=vacancy, form=form, decision=made
    ), 400 if form.errors else 200
