"""Forms of mentoring: marking a role model, starting a mentorship, logging a meeting, ending it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import IntegerField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from lifecycle.blueprints.managers.forms import strip
from lifecycle.blueprints.plans.forms import CheckboxListField
from lifecycle.models.mentoring import MAX_CADENCE_WEEKS
from lifecycle.models.mentoring import MAX_CAPACITY
from lifecycle.models.mentoring import TEXT_MAX_LENGTH


class StrengthsForm(FlaskForm):  # type: ignore[misc]
    """A role model's strengths, capacity and the study's note."""

    pillars = CheckboxListField(_l("Pillars they are strong in"), validators=[Optional()])
    expectations = CheckboxListField(_l("Expectations they are strong in"), validators=[Optional()])
    capacity = IntegerField(
        _l("Mentees at once"),
        default=1,
        validators=[
            InputRequired(_l("Say how many mentees they take at once.")),
            NumberRange(1, MAX_CAPACITY, _l("Choose from %(min)s to %(max)s.")),
        ],
    )
    study_note = TextAreaField(
        _l("What the study found (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX_LENGTH)],
        description=_l("What makes them a role model. Name no one's health or private life."),
    )


class MarkForm(StrengthsForm):
    """Which manager HR marks as a role model, by employee number."""

    employee_number = StringField(
        _l("Employee number"),
        filters=[strip],
        validators=[DataRequired(_l("Give the manager's employee number.")), Length(max=40)],
    )


class StartForm(FlaskForm):  # type: ignore[misc]
    """A mentorship: the mentor, the period, the agreed goals and how often they meet."""

    mentor_number = StringField(
        _l("The mentor's employee number"),
        filters=[strip],
        validators=[DataRequired(_l("Give the mentor's employee number.")), Length(max=40)],
    )
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(_l("Give a start date."))])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(_l("Give an end date."))])
    goals = TextAreaField(
        _l("Agreed goals"),
        filters=[strip],
        validators=[
            DataRequired(_l("Write what the mentorship is to work on.")),
            Length(max=TEXT_MAX_LENGTH),
        ],
    )
    cadence_weeks = IntegerField(
        _l("Meet at least every (weeks)"),
        default=4,
        validators=[
            InputRequired(_l("Say how often they meet.")),
            NumberRange(1, MAX_CADENCE_WEEKS, _l("Choose from %(min)s to %(max)s.")),
        ],
    )


class MeetingForm(FlaskForm):  # type: ignore[misc]
    """A meeting that took place, and what it built."""

    held_on = DateField(_l("Held on"), validators=[InputRequired(_l("Give the date of the meeting."))])
    title = StringField(_l("Topic (optional)"), filters=[strip], validators=[Optional(), Length(max=200)])
    pillars = CheckboxListField(_l("Pillars the meeting built"), validators=[Optional()])
    expectations = CheckboxListField(_l("Expectations the meeting built"), validators=[Optional()])
    notes = TextAreaField(
        _l("Notes (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX_LENGTH)],
        description=_l("Mentor, mentee and HR read them."),
    )


class EndForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(
        _l("Why it ends (optional)"), filters=[strip], validators=[Optional(), Length(max=TEXT_MAX_LENGTH)]
    )


class ConfirmForm(FlaskForm):  # type: ignore[misc]
    """A button that changes something: only its CSRF token."""
