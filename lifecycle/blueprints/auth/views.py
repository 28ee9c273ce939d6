"""Logging in and out, changing the password, and resetting a forgotten one by e-mail."""

from __future__ import annotations

import logging
from functools import partial

from flask import Blueprint
from flask import Flask
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
from lifecycle.blueprints.auth.forms import ForgotPasswordForm
from lifecycle.blueprints.auth.forms import LoginForm
from lifecycle.blueprints.auth.password_forms import PasswordChangeForm
from lifecycle.blueprints.auth.password_forms import PasswordResetForm
from lifecycle.extensions import db
from lifecycle.extensions import limiter
from lifecycle.i18n import SESSION_KEY as LANGUAGE_SESSION_KEY
from lifecycle.notifications import send
from lifecycle.passwords import password_problem
from lifecycle.policy import current
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
from lifecycle.services.password_reset import check_reset_link
from lifecycle.services.password_reset import request_password_reset
from lifecycle.services.password_reset import reset_password as reset_password_through
from lifecycle.urls import safe_next

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], deduct_when=login_failed)
@limiter.limit(login_limit, key_func=login_account_key, methods=["POST"], deduct_when=login_failed)
def login() -> str | Response:
    """Show the login form and log the user in."""
    if current() is not None:
        return redirect(url_for("main.index"))
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
            return redirect(safe_next(request.args.get("next"), url_for("main.index")))
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
    response = make_response(render_template("auth/forgot_password_sent.html", email=form.email.data))
    # The lookup, the link and the e-mail happen after the answer has gone out, so neither the answer
    # nor its timing tells whether the address has an account.
    response.call_on_close(
        partial(
            _send_reset_link,
            current_app._get_current_object(),  # type: ignore[attr-defined]
            form.email.data or "",
            str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
        )
    )
    return response


def _send_reset_link(app: Flask, email: str, locale: str) -> None:
    """Issue a link for an enabled account with this address and e-mail it (its own transaction)."""
    with app.app_context():
        try:
            message = request_password_reset(email, locale)
            db.session.commit()  # before sending: the link must work when the e-mail arrives
            if message is not None:
                send(message)
        except Exception:
            db.session.rollback()
            # The message names neither the address nor the link's secret.
            logger.exception("a password reset link could not be issued or sent")


def _no_referrer(response: Response) -> Response:
    """Keep the link's secret out of the Referer header of anything the page loads or links to."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/reset-password/<secret>")
@bp.post("/reset-password")
def reset_password(secret: str | None = None) -> tuple[str, int] | Response:
    """Choose a new password through an e-mailed link; every session of the account ends."""
    after_this_request(_no_referrer)
    form = PasswordResetForm(token=secret) if request.method == "GET" else PasswordResetForm()
    state, token = check_reset_link(secret if secret is not None else form.token.data or "")
    if token is None or state is not LinkState.VALID:
        return _refused_link(state)
    user = token.user
    if form.validate_on_submit():
        password = form.new_password.data or ""
        problem = password_problem(password, email=user.email, name=user.name)
        if problem:
            form.new_password.errors = [problem]
        elif reset_password_through(token, password):
            db.session.commit()
            language = session.get(LANGUAGE_SESSION_KEY)
            # Whoever was logged in in this browser is out too; the owner logs in with the new password.
            logout_user()
            session.clear()
            if language:
                session[LANGUAGE_SESSION_KEY] = language
            flash(
                _("Your password is changed, and you are logged out everywhere. Log in with it now."),
                "success",
            )
            return redirect(url_for("auth.login"))
        else:
            db.session.rollback()
            return _refused_link(LinkState.USED)
        db.session.rollback()
    return render_template("auth/reset_password.html", form=form, user=user), 200


def _refused_link(state: LinkState) -> tuple[str, int]:
    """A link that cannot be used: say why, offer a new one (410 for a spent link, 404 for none)."""
    status = 404 if state is LinkState.UNKNOWN else 410
    return render_template("auth/reset_link_refused.html", state=state.value), status
