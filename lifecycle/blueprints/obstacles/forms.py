"""Forms of the obstacle log: a report, HR's handling, the owner's status, and HR's overview filters."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from lifecycle.blueprints.managers.forms import strip
from lifecycle.blueprints.plans.forms import CheckboxListField
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import ObstacleStatus
from lifecycle.models.obstacles import TEXT_MAX_LENGTH
from lifecycle.models.obstacles import TITLE_MAX_LENGTH


class ReportForm(FlaskForm):  # type: ignore[misc]
    """What stands in the way, what it hinders, how serious, and who may read it."""

    title = StringField(
        _l("What stands in the way?"),
        filters=[strip],
        validators=[DataRequired(_l("Say briefly what stands in the way.")), Length(max=TITLE_MAX_LENGTH)],
    )
    description = TextAreaField(
        _l("Describe the obstacle"),
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX_LENGTH)],
        description=_l(
            "What happens, since when, and what you have tried. Name no one's health or private life."
        ),
    )
    severity = RadioField(
        _l("How serious is it?"),
        choices=[SelectChoice(s.value, s.title) for s in ObstacleSeverity],
        validators=[DataRequired(_l("Choose how serious the obstacle is."))],
    )
    pillars = CheckboxListField(_l("Pillars it hinders"), validators=[Optional()])
    expectations = CheckboxListField(_l("Expectations it hinders"), validators=[Optional()])
    shared = BooleanField(
        _l("Other managers in my part of the organisation may read it"),
        validators=[Optional()],
        description=_l("Otherwise only you, HR and the person who handles it read it."),
    )


class HandleForm(FlaskForm):  # type: ignore[misc]
    """The owner's change: the status, an explanation, a comment for the history."""

    status = SelectField(_l("Status"), validators=[DataRequired(_l("Choose a status."))])
    explanation = TextAreaField(
        _l("Explanation"),
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX_LENGTH)],
        description=_l("Required when the obstacle cannot be removed; the reporter reads it."),
    )
    comment = TextAreaField(
        _l("Comment for the history"),
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX_LENGTH)],
        description=_l("The reporter reads it with the obstacle's progress."),
    )


class AssignForm(HandleForm):
    """HR's change: also who owns it on the employer side and by when."""

    owner = StringField(
        _l("Owner on the employer side"),
        filters=[strip],
        validators=[Optional(), Length(max=254)],
        description=_l("The e-mail address of their account in Chefsresan. Leave empty for no owner."),
    )
    due_date = DateField(_l("Due date"), validators=[Optional()])


class OverviewFilterForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False  # a GET form that only reads

    unit = SelectField(_l("Unit (with its sub-units)"), validators=[Optional()])
    pillar = SelectField(_l("Pillar"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    after = IntegerField(validators=[Optional(), NumberRange(min=0, max=2**31 - 1)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [
            SelectChoice("", _l("Open (reported or being handled)")),
            *(SelectChoice(s.value, s.title) for s in ObstacleStatus),
            SelectChoice("all", _l("All")),
        ]
