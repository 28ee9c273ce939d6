"""Logging in and out, changing the password, and resetting a forgotten one by e-mail."""

from __future__ import annotations

import logging

from flask import Blueprint
from flask import after_this_request
from flask import current_app
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_user
from flask_login import logout_user
from werkzeug.wrappers import Response

from lifecycle.auth import verify_password
from lifecycle.blueprints.auth.emailed_links import acceptable_password
from lifecycle.blueprints.auth.emailed_links import no_referrer
from lifecycle.blueprints.auth.emailed_links import start_over
from lifecycle.blueprints.auth.forms import ForgotPasswordForm
from lifecycle.blueprints.auth.forms import LoginForm
from lifecycle.blueprints.auth.password_forms import PasswordChangeForm
from lifecycle.blueprints.auth.password_forms import PasswordResetForm
from lifecycle.extensions import db
from lifecycle.extensions import limiter
from lifecycle.i18n import SESSION_KEY as LANGUAGE_SESSION_KEY
from lifecycle.passwords import password_problem
from lifecycle.policy import current
from lifecycle.policy import home_endpoint
from lifecycle.policy import signed_in
from lifecycle.ratelimits import login_account_key
from lifecycle.ratelimits import login_failed
from lifecycle.ratelimits import login_limit
from lifecycle.ratelimits import password_reset_email_key
from lifecycle.ratelimits import password_reset_email_limit
from lifecycle.ratelimits import password_reset_limit
from lifecycle.ratelimits import request_accepted
from lifecycle.ratelimits import too_many_resets
from lifecycle.services.accounts import authenticate
from lifecycle.services.accounts import end_all_sessions
from lifecycle.services.accounts import set_password
from lifecycle.services.password_reset import LinkState
from lifecycle.services.password_reset import check_reset_digest
from lifecycle.services.password_reset import check_reset_link
from lifecycle.services.password_reset import reset_password as reset_password_through
from lifecycle.tasks import queue_password_reset
from lifecycle.urls import safe_next

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__, template_folder="templates")

#: the digest (never the secret) of the reset link opened in this browser
RESET_SESSION_KEY = "password_reset_link"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], deduct_when=login_failed)
@limiter.limit(login_limit, key_func=login_account_key, methods=["POST"], deduct_when=login_failed)
def login() -> str | Response:
    """Show the login form and log the user in."""
    already = current()
    if already is not None:
        return redirect(url_for(home_endpoint(already)))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            language = session.get(LANGUAGE_SESSION_KEY)
            # A fresh session on login: nothing from before it (fixation) survives.
            session.clear()
            if language:
                session[LANGUAGE_SESSION_KEY] = language
            login_user(user)
            db.session.commit()
            logger.info("user %s logged in", user.id)
            return redirect(safe_next(request.args.get("next"), url_for(home_endpoint(user))))
        db.session.rollback()
        logger.info("failed login from %s", request.remote_addr)
        form.password.errors = [*form.password.errors, _("Wrong e-mail address or password.")]
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    """Log out here and everywhere else: every session of the user ends."""
    user = current()
    if user is not None:
        end_all_sessions(user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], deduct_when=login_failed)
def change_password() -> str | Response:
    """Change the password; every other session of the user ends, this one continues."""
    user = signed_in()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        problem = password_problem(form.new_password.data or "", email=user.email, name=user.name)
        if not verify_password(user, form.current_password.data or ""):
            form.current_password.errors = [_("The current password is wrong.")]
        elif problem:
            form.new_password.errors = [problem]
        else:
            set_password(user, form.new_password.data or "")
            end_all_sessions(user)
            db.session.commit()
            login_user(user)  # this browser continues with the new session token
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(url_for("account.settings"))
        db.session.rollback()
    return render_template("auth/password.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(
    password_reset_limit, methods=["POST"], deduct_when=request_accepted, on_breach=too_many_resets
)
@limiter.limit(
    password_reset_email_limit,
    key_func=password_reset_email_key,
    methods=["POST"],
    deduct_when=request_accepted,
    on_breach=too_many_resets,
)
def forgot_password() -> tuple[str, int] | Response:
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot_password.html", form=form), 400 if form.is_submitted() else 200
    # The lookup, the link and the e-mail happen in the worker, so neither the answer nor its timing
    # tells whether the address has an account, and the link's secret is minted there.
    queue_password_reset(
        form.email.data or "", str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    )
    return make_response(render_template("auth/forgot_password_sent.html", email=form.email.data))


@bp.get("/reset-password/<secret>")
@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password(secret: str | None = None) -> tuple[str, int] | Response:
    """Choose a new password through an e-mailed link; every session of the account ends.

    The e-mailed address holds the secret: opening it keeps the secret's digest in the session and
    redirects to `/reset-password`, so the secret is in no later address, form or log line.
    """
    after_this_request(no_referrer)
    if secret is not None:
        return _open_reset_link(secret)
    opened = session.get(RESET_SESSION_KEY)
    state, token = check_reset_digest(opened if isinstance(opened, str) else "")
    if token is None or state is not LinkState.VALID:
        return _refused_link(state)
    user = token.user
    form = PasswordResetForm()
    password = acceptable_password(form, user)
    if password is not None:
        if not reset_password_through(token, password):
            db.session.rollback()
            return _refused_link(LinkState.USED)
        db.session.commit()
        # Whoever was logged in in this browser is out too; the owner logs in with the new password.
        start_over()
        flash(
            _("Your password is changed, and you are logged out everywhere. Log in with it now."), "success"
        )
        return redirect(url_for("auth.login"))
    db.session.rollback()
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form, user=user), status


def _open_reset_link(secret: str) -> tuple[str, int] | Response:
    """Remember a working link by its digest in this browser's session and leave its address at once."""
    state, token = check_reset_link(secret)
    if token is None or state is not LinkState.VALID:
        return _refused_link(state)
    session[RESET_SESSION_KEY] = token.token_digest
    # 303: the page is fetched anew with GET; reloading it or going back never sends the secret again.
    return redirect(url_for("auth.reset_password"), code=303)


def _refused_link(state: LinkState) -> tuple[str, int]:
    """A link that cannot be used: say why, offer a new one (410 for a spent link, 404 for none)."""
    status = 404 if state is LinkState.UNKNOWN else 410
    return render_template("auth/reset_link_refused.html", state=state.value), status
