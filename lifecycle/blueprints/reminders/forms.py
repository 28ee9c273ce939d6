"""Forms of the reminders pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import Form
from wtforms import FormField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from lifecycle.services.reminders import MAX_DAYS
from lifecycle.services.reminders import ReminderKind


class RuleForm(Form):
    """One kind's rule; an empty number turns that reminder off."""

    days_before = IntegerField(
        _l("Days before the due date"),
        validators=[Optional(), NumberRange(min=1, max=MAX_DAYS)],
    )
    on_due_day = BooleanField(_l("On the due date"))
    days_after = IntegerField(
        _l("Days after the due date, to the line manager and HR partner"),
        validators=[Optional(), NumberRange(min=1, max=MAX_DAYS)],
    )


class ReminderRulesForm(FlaskForm):  # type: ignore[misc]
    """One `RuleForm` per kind of rule, named by its value (`form["development_review"]`)."""


# From the kinds themselves, in their order: a new kind of rule needs nothing here.
for _kind in ReminderKind:
    setattr(ReminderRulesForm, _kind.value, FormField(RuleForm, label=_kind.title))


class PreferencesForm(FlaskForm):  # type: ignore[misc]
    delivery = RadioField(
        _l("Reminder e-mails"),
        choices=[
            SelectChoice("single", _l("One e-mail per reminder")),
            SelectChoice("digest", _l("One e-mail a day with all my reminders (08:00)")),
        ],
        default="single",
    )


class ResendForm(FlaskForm):  # type: ignore[misc]
    """Only the CSRF token: sending a failed reminder again."""
