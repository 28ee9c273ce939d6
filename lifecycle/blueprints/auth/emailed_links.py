"""What the pages behind an e-mailed link share: the reset link and the invitation link.

Both carry a secret in their address, both end in choosing a password, and both start the browser
over on a fresh session afterwards.
"""

from __future__ import annotations

from flask import session
from flask_login import logout_user
from werkzeug.wrappers import Response

from lifecycle.blueprints.auth.password_forms import PasswordResetForm
from lifecycle.i18n import SESSION_KEY as LANGUAGE_SESSION_KEY
from lifecycle.models import User
from lifecycle.passwords import password_problem


def no_referrer(response: Response) -> Response:
    """Keep the link's secret out of the Referer header of anything the page loads or links to."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def acceptable_password(form: PasswordResetForm, user: User) -> str | None:
    """Return the new password of a valid form if the password rules allow it, else put why on the field."""
    if not form.validate_on_submit():
        return None
    password = form.new_password.data or ""
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        form.new_password.errors = [problem]
        return None
    return password


def start_over() -> None:
    """Log out whoever was logged in in this browser and forget the session, keeping only its language.

    Clearing the session also forgets the link that was opened.
    """
    language = session.get(LANGUAGE_SESSION_KEY)
    logout_user()
    session.clear()
    if language:
        session[LANGUAGE_SESSION_KEY] = language
