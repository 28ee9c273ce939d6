"""Changing one's password, and choosing a new one through an e-mailed link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length

# Created before the new-password fields: WTForms orders fields (and the error summary) by creation.
_CURRENT_PASSWORD = PasswordField(
    _l("Current password"),
    validators=[DataRequired(_l("Enter your current password.")), Length(max=1024)],
    render_kw={"autocomplete": "current-password"},
)


class PasswordResetForm(FlaskForm):  # type: ignore[misc]
    """A new password, typed twice (an e-mailed reset link)."""

    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password.")), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    repeat_password = PasswordField(
        _l("The new password again"),
        validators=[
            DataRequired(_l("Enter the new password again.")),
            EqualTo("new_password", _l("The two new passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordChangeForm(PasswordResetForm):
    """The current password first, then the new one twice."""

    current_password = _CURRENT_PASSWORD
