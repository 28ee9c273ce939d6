"""HR exports or anonymises a person's personal data; every signed-in user downloads their own."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from lifecycle.blueprints.gdpr.forms import AnonymiseForm
from lifecycle.blueprints.gdpr.forms import same_name
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.policy import get_manager_or_404
from lifecycle.policy import signed_in
from lifecycle.services.gdpr import anonymise_person
from lifecycle.services.gdpr import export_account
from lifecycle.services.gdpr import export_person

bp = Blueprint("gdpr", __name__, template_folder="templates")


def _download(document: dict[str, Any], filename: str) -> Response:
    """Answer the export as a JSON file that no browser or proxy keeps."""
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/managers/<id:manager_id>/personal-data")
def export(manager_id: int) -> Response:
    """Download everything that refers to the person as JSON (HR); the export is audited."""
    user = signed_in()
    manager = get_manager_or_404(user, manager_id)
    document = export_person(manager, actor=user)
    db.session.commit()
    return _download(document, f"personal-data-manager-{manager_id}.json")


@bp.route("/managers/<id:manager_id>/anonymise", methods=["GET", "POST"])
def anonymise(manager_id: int) -> str | tuple[str, int] | BaseResponse:
    """Anonymise the person after HR typed their name to confirm; an open journey is warned about."""
    user = signed_in()
    manager = get_manager_or_404(user, manager_id)
    form = AnonymiseForm()
    if manager.anonymised_at is not None:
        if form.is_submitted():
            # A second click after the first one went through: it is done either way.
            return _anonymised(manager_id)
        return render_template("gdpr/anonymise.html", manager=manager, form=form, journey_open=False)
    if form.validate_on_submit():
        if not same_name(form.confirm_name.data, manager.name):
            form.confirm_name.errors = [_("The name does not match. Type it exactly as it is shown above.")]
        else:
            # False when another request got there first: the person is anonymised all the same.
            anonymise_person(manager, user)
            db.session.commit()
            return _anonymised(manager_id)
    page = render_template(
        "gdpr/anonymise.html", manager=manager, form=form, journey_open=manager.stage is not Stage.CLOSED
    )
    return page, 400 if form.is_submitted() else 200


def _anonymised(manager_id: int) -> BaseResponse:
    # The message names nobody: it travels in the session cookie.
    flash(_("The person is anonymised."), "success")
    return redirect(url_for("managers.detail", manager_id=manager_id))


@bp.get("/account/my-data")
def my_data() -> Response:
    """Download the signed-in user's own personal data (their journey, or just their account) as JSON."""
    user = signed_in()
    document = export_account(user, actor=user)
    db.session.commit()
    return _download(document, "my-personal-data.json")
