"""The forms of inviting: a confirmation (CSRF alone) and the invitee's first password."""

from __future__ import annotations

from flask_wtf import FlaskForm

from lifecycle.blueprints.auth.password_forms import PasswordResetForm


class ConfirmForm(FlaskForm):  # type: ignore[misc]
    """A button that changes something: invite, send again, withdraw."""


class FirstPasswordForm(PasswordResetForm):
    """The invitee's first password, typed twice."""
