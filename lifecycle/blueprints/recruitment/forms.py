"""Forms for recruitment: the list's filters, a vacancy, its weighed expectations, its group, candidates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateField
from wtforms import EmailField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from lifecycle.blueprints.managers.forms import strip
from lifecycle.enums import Language
from lifecycle.models import Expectation
from lifecycle.models.recruitment import WEIGHTS
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import NotSelectedReason
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.recruitment.decision import REASON_MAX_LENGTH as DECISION_REASON_MAX_LENGTH
from lifecycle.services.recruitment.vacancies import TEXT_MAX_LENGTH
from lifecycle.services.recruitment.vacancies import TITLE_MAX_LENGTH


class VacancyFilterForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False  # a GET form that only reads

    unit = SelectField(_l("Administration or unit"), coerce=int, validators=[Optional()])
    status = SelectMultipleField(_l("Status"), validators=[Optional()])
    hr_partner = SelectField(_l("HR partner"), coerce=int, validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)], default=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice(status.value, status.title) for status in VacancyStatus]


class VacancyForm(FlaskForm):  # type: ignore[misc]
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(_l("Give the vacancy a title.")), Length(max=TITLE_MAX_LENGTH)],
        description=_l("As the ad will say it, e.g. Rektor för Västra skolan."),
    )
    org_unit_id = SelectField(
        _l("Organisation unit"), coerce=int, validators=[DataRequired(_l("Choose the unit of the post."))]
    )
    hiring_manager_email = EmailField(
        _l("Hiring manager's e-mail address"),
        filters=[strip],
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
        description=_l("The user account that decides whom to hire; they see this vacancy."),
    )
    hr_partner_id = SelectField(_l("HR partner"), coerce=int, validators=[Optional()])
    published_on = DateField(_l("Published on"), validators=[Optional()])
    closes_on = DateField(_l("Last day to apply"), validators=[Optional()])
    planned_start_on = DateField(_l("Planned start"), validators=[Optional()])
    unit_text = TextAreaField(
        _l("About the unit"),
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX_LENGTH)],
        description=_l("The unit's own words for the ad: who you are and what you do."),
    )
    role_text = TextAreaField(
        _l("About the role"),
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX_LENGTH)],
        description=_l("The assignment, its scope and what it offers."),
    )


def weights_form(expectations: Sequence[Expectation], current: dict[int, int], formdata: Any) -> FlaskForm:
    """A form with one weight choice per current expectation of the platform (not weighed, or 1–3)."""
    choices = [SelectChoice(0, _l("Not weighed")), *(SelectChoice(w, _weight_title(w)) for w in WEIGHTS)]

    class WeightsForm(FlaskForm):  # type: ignore[misc]
        pass

    for expectation in expectations:
        setattr(
            WeightsForm,
            f"e{expectation.id}",
            SelectField(coerce=int, choices=choices, default=current.get(expectation.id, 0)),
        )
    return WeightsForm(formdata=formdata)


def _weight_title(weight: int) -> Any:
    return {1: _l("1 – important"), 2: _l("2 – very important"), 3: _l("3 – decisive")}[weight]


class GroupForm(FlaskForm):  # type: ignore[misc]
    interviewers = TextAreaField(
        _l("The interviewers' e-mail addresses, one a line"),
        filters=[strip],
        validators=[Optional(), Length(max=20_000)],
        description=_l("Any user accounts. They see this vacancy and its candidates."),
    )


class StatusForm(FlaskForm):  # type: ignore[misc]
    status = SelectField(_l("New status"), validators=[DataRequired()])


class CandidateForm(FlaskForm):  # type: ignore[misc]
    """A candidate: a person already on the journey by employee number, or a new external applicant."""

    employee_number = StringField(
        _l("Employee number of a person on the journey"),
        filters=[strip],
        validators=[Optional(), Length(max=40)],
        description=_l(
            "For someone in the talent pool or a manager in post. Leave empty for a new applicant."
        ),
    )
    name = StringField(
        _l("Name of a new applicant"), filters=[strip], validators=[Optional(), Length(max=200)]
    )
    email = EmailField(
        _l("The applicant's e-mail address"),
        filters=[strip],
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    applied_on = DateField(_l("Applied on"), validators=[Optional()], description=_l("Default: today."))


class StepForm(FlaskForm):  # type: ignore[misc]
    step = SelectField(_l("Step"), validators=[DataRequired()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step.choices = [SelectChoice(step.value, step.title) for step in CandidateStep.in_process()]


class NotSelectedForm(FlaskForm):  # type: ignore[misc]
    reason = SelectField(_l("Reason"), validators=[DataRequired(_l("Choose the reason."))])
    #: HR's choice: a polite e-mail that gives no reason, in the language chosen next to it
    tell = BooleanField(_l("Tell the candidate by e-mail"))
    language = SelectField(
        _l("E-mail in"),
        choices=[SelectChoice(language.value, language.native_name) for language in Language],
        default=Language.SV.value,
        # No Optional(): it would let a blank-looking value (a lone "\x85") past the choice check.
        validators=[DataRequired(_l("Choose the language of the e-mail."))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reason.choices = [SelectChoice("", _l("Choose …"))] + [
            SelectChoice(r.value, r.title) for r in NotSelectedReason
        ]


class HireForm(FlaskForm):  # type: ignore[misc]
    """The hand-over of a hired candidate: the agreed start date, confirmed."""

    start_on = DateField(
        _l("Start date"),
        validators=[DataRequired(_l("Enter the start date (YYYY-MM-DD)."))],
        description=_l("The introduction programme's milestones are dated from it, on working days."),
    )
    #: asked only while the vacancy has no decision: hiring from the offer step is the decision
    reason = TextAreaField(
        _l("Reason for the decision"),
        filters=[strip],
        validators=[Optional(), Length(max=DECISION_REASON_MAX_LENGTH)],
        description=_l("What the decision rests on, for the recruitment's records."),
    )
