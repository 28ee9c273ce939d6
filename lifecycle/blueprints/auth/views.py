"""Logging in and out."""

from __future__ import annotations

import logging

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import login_user
from flask_login import logout_user
from werkzeug.wrappers import Response

from lifecycle.auth import verify_password
from lifecycle.blueprints.auth.forms import LoginForm
from lifecycle.blueprints.auth.password_forms import PasswordChangeForm
from lifecycle.extensions import db
from lifecycle.extensions import limiter
from lifecycle.i18n import SESSION_KEY as LANGUAGE_SESSION_KEY
from lifecycle.passwords import password_problem
from lifecycle.policy import current
from lifecycle.policy import signed_in
from lifecycle.ratelimits import login_account_key
from lifecycle.ratelimits import login_failed
from lifecycle.ratelimits import login_limit
from lifecycle.services.accounts import authenticate
from lifecycle.services.accounts import end_all_sessions
from lifecycle.services.accounts import set_password
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
