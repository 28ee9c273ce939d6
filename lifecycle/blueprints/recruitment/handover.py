"""The hand-over page: HR or the hiring manager hires a candidate at the offer step (or hired) and
confirms the start date; the new manager moves to introduction with their programme, an invitation and
proposed goals (`services.recruitment.handover`). Registered on the recruitment blueprint.
"""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from lifecycle.blueprints.recruitment.forms import HireForm
from lifecycle.blueprints.recruitment.views import CANDIDACY_ID
from lifecycle.blueprints.recruitment.views import VACANCY_ID
from lifecycle.blueprints.recruitment.views import bp
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.policy import can_hire_for
from lifecycle.policy import get_hiring_vacancy_or_404
from lifecycle.policy import signed_in
from lifecycle.services.recruitment import candidacy_of
from lifecycle.services.recruitment.handover import HANDED_OVER_FROM
from lifecycle.services.recruitment.handover import HandOver
from lifecycle.services.recruitment.handover import HandOverError
from lifecycle.services.recruitment.handover import hand_over
from lifecycle.services.recruitment.handover import hand_over_decides
from lifecycle.services.recruitment.handover import proposed_expectations
from lifecycle.tasks import queue_after_commit
from lifecycle.tasks import queue_invitations


@bp.app_context_processor
def hiring() -> dict[str, object]:
    # The vacancy page offers the hand-over to whom the policy lets hire.
    return {"may_hire": can_hire_for, "hands_over_from": HANDED_OVER_FROM}


def _report(done: HandOver) -> None:
    person = done.candidacy.manager
    flash(
        _(
            "%(name)s is handed over to introduction, starting on %(date)s.",
            name=person.name,
            date=done.candidacy.starts_on.isoformat() if done.candidacy.starts_on else "",
        ),
        "success",
    )
    if done.invitation is not None:
        flash(_("An invitation is on its way to %(email)s.", email=person.email), "success")
        if not queue_after_commit(queue_invitations, [done.invitation.id]):
            flash(
                _("The worker is not reachable right now: the e-mail is sent as soon as it runs again."),
                "warning",
            )
    elif done.invitation_refused is not None:
        flash(_("No invitation was sent: %(reason)s", reason=done.invitation_refused), "warning")
    if done.proposed_goals:
        flash(
            ngettext(
                "%(num)d goal is proposed in the development plan, for HR or the line manager to accept.",
                "%(num)d goals are proposed in the development plan, for HR or the line manager to accept.",
                len(done.proposed_goals),
            ),
            "success",
        )


@bp.route(f"/vacancies/{VACANCY_ID}/candidates/{CANDIDACY_ID}/hire", methods=["GET", "POST"])
def hire(vacancy_id: int, candidacy_id: int) -> str | Response:
    """Hire the candidate and hand them over to introduction from the start date (HR, the hiring manager)."""
    user = signed_in()
    found = get_hiring_vacancy_or_404(user, vacancy_id)
    candidacy = candidacy_of(found, candidacy_id)
    if candidacy is None or candidacy.step not in HANDED_OVER_FROM or candidacy.starts_on is not None:
        abort(404)
    proposed = proposed_expectations(candidacy)
    # Hiring from the offer step before any decision is the decision: its reason is asked here.
    asks_reason = hand_over_decides(candidacy)
    form = HireForm()
    if not form.is_submitted():
        form.start_on.data = found.planned_start_on
    refusal = None
    if form.validate_on_submit() and form.start_on.data is not None:
        try:
            done = hand_over(candidacy, form.start_on.data, proposed, user, reason=form.reason.data or "")
        except HandOverError as refused:
            db.session.rollback()
            if refused.field in ("start_on", "reason"):
                form[refused.field].errors = [str(refused)]
            else:
                refusal = str(refused)
        else:
            db.session.commit()
            _report(done)
            return redirect(url_for("recruitment.vacancy", vacancy_id=found.id))
    return render_template(
        "recruitment/hire.html",
        vacancy=found,
        candidacy=candidacy,
        proposed=proposed,
        form=form,
        refusal=refusal,
        asks_reason=asks_reason,
        localized=localized,
    )
