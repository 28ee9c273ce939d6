"""Inviting managers to log in (from the profile, a board selection or an import) and accepting."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint
from flask import abort
from flask import after_this_request
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_user
from werkzeug.wrappers import Response

from lifecycle.blueprints.auth.emailed_links import acceptable_password
from lifecycle.blueprints.auth.emailed_links import no_referrer
from lifecycle.blueprints.auth.emailed_links import start_over
from lifecycle.blueprints.invitations.forms import ConfirmForm
from lifecycle.blueprints.invitations.forms import FirstPasswordForm
from lifecycle.blueprints.pipeline.views import board_selection
from lifecycle.extensions import db
from lifecycle.policy import can_edit_manager
from lifecycle.policy import get_manager_or_404
from lifecycle.policy import home_endpoint
from lifecycle.policy import signed_in
from lifecycle.policy import visible_managers_clause
from lifecycle.services.imports import get_import
from lifecycle.services.invitations import Candidates
from lifecycle.services.invitations import InvitationError
from lifecycle.services.invitations import accept as accept_invitation
from lifecycle.services.invitations import candidates
from lifecycle.services.invitations import candidates_numbered
from lifecycle.services.invitations import check_invitation_digest
from lifecycle.services.invitations import check_invitation_link
from lifecycle.services.invitations import employee_numbers_in
from lifecycle.services.invitations import invite
from lifecycle.services.invitations import invite_managers
from lifecycle.services.invitations import withdraw
from lifecycle.services.password_reset import LinkState
from lifecycle.services.pipeline import filter_clauses
from lifecycle.tasks import queue_after_commit
from lifecycle.tasks import queue_invitations
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

bp = Blueprint("invitations", __name__, template_folder="templates")

#: the digest (never the secret) of the invitation link opened in this browser
INVITATION_SESSION_KEY = "invitation_link"
#: names listed on the confirmation page; the rest are counted
LISTED = 50


def _queue(invitation_ids: list[int]) -> bool:
    """Hand committed invitations to the worker; if the broker is down, the beat sweep sends them later."""
    return queue_after_commit(queue_invitations, invitation_ids)


def _flash_queued(queued: bool) -> None:
    if not queued:
        flash(
            _(
                "The worker is not reachable right now: the invitation is saved and is sent as soon as it "
                "runs again."
            ),
            "warning",
        )


@bp.post("/managers/<id:manager_id>/invite")
def invite_one(manager_id: int) -> Response:
    """Invite the manager, or send the invitation again with a new link (the old one stops working)."""
    user = signed_in()
    manager = get_manager_or_404(user, manager_id)
    if not can_edit_manager(user, manager) or not ConfirmForm().validate_on_submit():
        abort(404 if not can_edit_manager(user, manager) else 400)
    back = url_for("managers.detail", manager_id=manager.id, _anchor="account")
    try:
        invitation = invite(manager, user)
    except InvitationError as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return redirect(back)
    db.session.commit()
    if invitation is None:
        flash(
            _(
                "%(name)s is linked to the existing account %(email)s.",
                name=manager.name,
                email=manager.email,
            ),
            "success",
        )
        return redirect(back)
    flash(_("An invitation is on its way to %(email)s.", email=manager.email), "success")
    _flash_queued(_queue([invitation.id]))
    return redirect(back)


@bp.post("/managers/<id:manager_id>/invitation/withdraw")
def withdraw_one(manager_id: int) -> Response:
    """Withdraw the open invitation: its link stops working and the account stays shut."""
    user = signed_in()
    manager = get_manager_or_404(user, manager_id)
    if not can_edit_manager(user, manager):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        withdraw(manager)
    except InvitationError as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
    else:
        db.session.commit()
        flash(_("The invitation is withdrawn; its link no longer works."), "success")
    return redirect(url_for("managers.detail", manager_id=manager.id, _anchor="account"))


def _selected() -> tuple[Candidates, str, str]:
    """Who the query string selects (an import, else the board's filters), the title and the way back."""
    user = signed_in()
    visible = visible_managers_clause(user)
    import_id = request.args.get("import", type=int)
    if import_id is not None:
        record = get_import(import_id, import_type=None)
        if record is None or record.committed_at is None:
            abort(404)
        # The policy still decides: only the managers of the file this user may see are invited.
        found = candidates_numbered(employee_numbers_in(record), where=[visible])
        title = _("Invite the managers of the file %(filename)s", filename=record.filename)
        return found, title, url_for("imports.progress", import_id=record.id)
    selection = board_selection()
    query: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    where = [visible, *filter_clauses(selection.filters, local_today())]
    return candidates(where), _("Invite the managers of this selection"), url_for("pipeline.board", **query)


@bp.route("/invitations/new", methods=["GET", "POST"])
def invite_selection() -> tuple[str, int] | Response:
    """Invite everyone in a board selection or an import who cannot log in yet, after a confirmation."""
    user = signed_in()
    found, title, back = _selected()
    form = ConfirmForm()
    if form.validate_on_submit() and not found.invitable:
        flash(_("Everyone here can already log in, or has an open invitation."), "info")
        return redirect(back)
    if form.validate_on_submit():
        report = invite_managers(found.invitable, user)
        db.session.commit()
        ids = [invitation.id for invitation in report.invited]
        if ids:
            flash(
                ngettext(
                    "%(num)d invitation is on its way.", "%(num)d invitations are on their way.", len(ids)
                ),
                "success",
            )
            _flash_queued(_queue(ids))
        for manager, reason in report.refused:
            flash(_("%(name)s was not invited: %(reason)s", name=manager.name, reason=reason), "error")
        return redirect(back)
    return render_template(
        "invitations/new.html",
        form=form,
        title=title,
        found=found,
        listed=LISTED,
        back=back,
    ), 400 if form.is_submitted() else 200


# -- the invitee's side ---------------------------------------------------------------------------------


@bp.get("/invitation/<secret>")
@bp.route("/invitation", methods=["GET", "POST"])
def accept(secret: str | None = None) -> tuple[str, int] | Response:
    """Choose the first password through the e-mailed link; the manager is then logged in, on their plan.

    As with a reset link, opening the address keeps the secret's digest in the session and redirects
    to `/invitation`, so the secret is in no later address, form or log line.
    """
    after_this_request(no_referrer)
    if secret is not None:
        state, invitation = check_invitation_link(secret)
        if invitation is None or state is not LinkState.VALID:
            return _refused(state)
        session[INVITATION_SESSION_KEY] = invitation.token_digest
        return redirect(url_for("invitations.accept"), code=303)
    opened = session.get(INVITATION_SESSION_KEY)
    state, invitation = check_invitation_digest(opened if isinstance(opened, str) else "")
    if invitation is None or state is not LinkState.VALID:
        return _refused(state)
    user = invitation.user
    form = FirstPasswordForm()
    password = acceptable_password(form, user)
    if password is not None:
        if not accept_invitation(invitation, password):
            db.session.rollback()
            return _refused(LinkState.USED)
        db.session.commit()
        # Whoever was logged in in this browser is out; the invitee is in, on a fresh session.
        start_over()
        login_user(user)
        flash(
            _("Welcome to Chefsresan. Your password is saved; you log in with %(email)s.", email=user.email),
            "success",
        )
        return redirect(url_for(home_endpoint(user)))
    db.session.rollback()
    status = 400 if form.is_submitted() else 200
    return render_template("invitations/accept.html", form=form, user=user), status


def _refused(state: LinkState) -> tuple[str, int]:
    """A link that cannot be used: say why (410 for a spent or expired link, 404 for none)."""
    status = 404 if state is LinkState.UNKNOWN else 410
    return render_template("invitations/refused.html", state=state.value), status
