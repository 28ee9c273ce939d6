"""Forms for interviews, scorecards (a draft, its submission, an amendment) and the decision."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import TimeField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from lifecycle.blueprints.managers.forms import strip
from lifecycle.models import Expectation
from lifecycle.models.interviews import MAX_MINUTES
from lifecycle.models.interviews import MIN_MINUTES
from lifecycle.models.interviews import SCORES
from lifecycle.services.recruitment.decision import REASON_MAX_LENGTH as DECISION_REASON_MAX_LENGTH
from lifecycle.services.recruitment.interviews import LOCATION_MAX_LENGTH
from lifecycle.services.recruitment.scorecards import EVIDENCE_MAX_LENGTH
from lifecycle.services.recruitment.scorecards import REASON_MAX_LENGTH


class InterviewForm(FlaskForm):  # type: ignore[misc]
    starts_on = DateField(_l("Day"), validators=[DataRequired(_l("Choose the day of the interview."))])
    starts_time = TimeField(
        _l("Time"),
        validators=[DataRequired(_l("Choose the time, e.g. 09:30."))],
        description=_l("Swedish time."),
    )
    duration_minutes = IntegerField(
        _l("Length in minutes"),
        default=60,
        validators=[
            DataRequired(_l("Give the length in minutes.")),
            NumberRange(min=MIN_MINUTES, max=MAX_MINUTES),
        ],
    )
    location = StringField(
        _l("Place"),
        filters=[strip],
        validators=[Optional(), Length(max=LOCATION_MAX_LENGTH)],
        description=_l("A room, an address or a video link's name."),
    )
    interviewers = SelectMultipleField(
        _l("Interviewers"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(_l("Choose at least one interviewer."))],
    )


def scorecard_form(expectations: Sequence[Expectation], formdata: Any, amending: bool = False) -> FlaskForm:
    """A form with a score (1–5) and the evidence for each weighed expectation; an amendment adds a reason.

    In an amendment "no change" leaves a score as it counts now.
    """
    keep = [SelectChoice("", _l("No change"))] if amending else []
    choices = keep + [SelectChoice(str(score), str(score)) for score in SCORES]

    class ScorecardForm(FlaskForm):  # type: ignore[misc]
        pass

    for expectation in expectations:
        setattr(
            ScorecardForm,
            f"score_{expectation.id}",
            (SelectField if amending else RadioField)(
                _l("Score"), choices=choices, validators=[Optional()], validate_choice=True
            ),
        )
        setattr(
            ScorecardForm,
            f"evidence_{expectation.id}",
            TextAreaField(
                _l("Evidence heard"),
                filters=[strip],
                validators=[Optional(), Length(max=EVIDENCE_MAX_LENGTH)],
            ),
        )
    if amending:
        ScorecardForm.reason = TextAreaField(
            _l("Why the score changes"),
            filters=[strip],
            validators=[DataRequired(_l("Say why the score changes.")), Length(max=REASON_MAX_LENGTH)],
        )
    return ScorecardForm(formdata=formdata)


class CancelInterviewForm(FlaskForm):  # type: ignore[misc]
    """Only the CSRF token: cancelling an interview."""


class DecisionForm(FlaskForm):  # type: ignore[misc]
    candidacy = SelectField(
        _l("The candidate to hire"), coerce=int, validators=[DataRequired(_l("Choose the candidate."))]
    )
    reason = TextAreaField(
        _l("Reason"),
        filters=[strip],
        validators=[
            DataRequired(_l("Give the reason for the decision.")),
            Length(max=DECISION_REASON_MAX_LENGTH),
        ],
        description=_l("What the decision rests on, for the recruitment's records."),
    )
