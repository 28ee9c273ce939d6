"""The user's own account settings."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import refresh
from werkzeug.wrappers import Response

from lifecycle.blueprints.account.forms import SettingsForm
from lifecycle.enums import Language
from lifecycle.extensions import db
from lifecycle.i18n import SESSION_KEY as LANGUAGE_SESSION_KEY
from lifecycle.policy import signed_in
from lifecycle.services.accounts import set_language

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")


@bp.route("/", methods=["GET", "POST"])
def settings() -> str | Response:
    """Show and change the user's language."""
    user = signed_in()
    form = SettingsForm(language=user.language.value if user.language else "")
    if form.validate_on_submit():
        set_language(user, Language(form.language.data) if form.language.data else None)
        db.session.commit()
        # The stored preference now decides; forget a language picked earlier in this session.
        session.pop(LANGUAGE_SESSION_KEY, None)
        refresh()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("account.settings"))
    return render_template("account/settings.html", form=form, user=user)
