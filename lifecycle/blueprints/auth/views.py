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

from lifecycle.blueprints.auth.forms import LoginForm
from lifecycle.extensions import db
from lifecycle.extensions import limiter
from lifecycle.i18n import SESSION_KEY as LANGUAGE_SESSION_KEY
from lifecycle.policy import current
from lifecycle.ratelimits import login_account_key
from lifecycle.ratelimits import login_failed
from lifecycle.ratelimits import login_limit
from lifecycle.services.accounts import authenticate
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
    """Log out and forget the session."""
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
