"""The user's own account settings and personal API tokens."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import refresh
from werkzeug.wrappers import Response

from lifecycle.blueprints.account.forms import ApiTokenForm
from lifecycle.blueprints.account.forms import SettingsForm
from lifecycle.enums import Language
from lifecycle.extensions import db
from lifecycle.extensions import limiter
from lifecycle.i18n import SESSION_KEY as LANGUAGE_SESSION_KEY
from lifecycle.models import User
from lifecycle.policy import signed_in
from lifecycle.ratelimits import api_token_limit
from lifecycle.ratelimits import api_token_user_key
from lifecycle.ratelimits import request_accepted
from lifecycle.ratelimits import too_many_tokens
from lifecycle.services.accounts import set_language
from lifecycle.services.tokens import create_token
from lifecycle.services.tokens import get_user_token
from lifecycle.services.tokens import revoke_token
from lifecycle.services.tokens import user_tokens

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")


def _settings_page(
    user: User,
    form: SettingsForm | None = None,
    token_form: ApiTokenForm | None = None,
    new_secret: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    if form is None:
        form = SettingsForm(language=user.language.value if user.language else "", formdata=None)
    return (
        render_template(
            "account/settings.html",
            form=form,
            user=user,
            token_form=token_form or ApiTokenForm(formdata=None),
            tokens=user_tokens(user),
            new_secret=new_secret,
        ),
        status,
    )


@bp.route("/", methods=["GET", "POST"])
def settings() -> tuple[str, int] | Response:
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
    return _settings_page(user, form=form)


@bp.route("/tokens", methods=["GET", "POST"])
@limiter.limit(
    api_token_limit,
    key_func=api_token_user_key,
    methods=["POST"],
    deduct_when=request_accepted,
    on_breach=too_many_tokens,
)
def tokens() -> tuple[str, int]:
    """Create a personal API token; its secret is shown on this response only, never again."""
    user = signed_in()
    token_form = ApiTokenForm()
    if not token_form.validate_on_submit():
        return _settings_page(user, token_form=token_form, status=400 if token_form.is_submitted() else 200)
    _token, secret = create_token(user, token_form.data["name"])
    db.session.commit()
    # Rendered, not redirected: the secret must not travel through the session (flash messages).
    return _settings_page(user, new_secret=secret)


@bp.post("/tokens/<int(min=1, max=2147483647):token_id>/revoke")
def revoke(token_id: int) -> Response:
    """Revoke one of the user's own tokens; it stops working at once."""
    user = signed_in()
    token = get_user_token(user, token_id)
    if token is None:
        abort(404)
    revoke_token(token)
    db.session.commit()
    flash(_("The token %(name)s is revoked.", name=token.name), "success")
    return redirect(url_for("account.settings"))
