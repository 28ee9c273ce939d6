"""Forms of offboarding: the exit interview (a score and a comment per pillar), a task done, HR's reasons
for leaving, and the filter of the analysis."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from lifecycle.blueprints.managers.forms import strip
from lifecycle.i18n import localized
from lifecycle.models import Pillar
from lifecycle.models.offboarding import COMMENT_MAX_LENGTH
from lifecycle.models.offboarding import REASON_CODE_MAX_LENGTH
from lifecycle.models.offboarding import REASON_NAME_MAX_LENGTH
from lifecycle.models.offboarding import SCORES
from lifecycle.services.offboarding import Period

YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]


def score_field(pillar: Pillar) -> str:
    return f"score_{pillar.key}"


def comment_field(pillar: Pillar) -> str:
    return f"comment_{pillar.key}"


class ExitInterviewForm(FlaskForm):  # type: ignore[misc]
    """The exit interview's date and the reason for leaving; `for_pillars` adds a score and a comment per
    pillar."""

    held_on = DateField(
        _l("Date of the interview"), validators=[DataRequired(_l("Give the date of the interview."))]
    )
    voluntary = RadioField(
        _l("Did they leave of their own choice?"),
        choices=YES_NO,
        validators=[DataRequired(_l("Say whether they left of their own choice."))],
    )
    regrettable = RadioField(
        _l("Is it a loss the organisation regrets?"),
        choices=YES_NO,
        validators=[DataRequired(_l("Say whether the organisation regrets the loss."))],
    )
    reason = SelectField(
        _l("Reason for leaving"), validators=[DataRequired(_l("Choose a reason for leaving from the list."))]
    )
    comment = TextAreaField(
        _l("Anything else said (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)],
        description=_l("Personal: read by HR, the line manager and the manager, erased with their data."),
    )

    @classmethod
    def for_pillars(cls, pillars: list[Pillar]) -> type[ExitInterviewForm]:
        """Return the form with a score 1–5 and a comment for each of these pillars."""

        class PillarsForm(cls):  # type: ignore[valid-type,misc]
            pass

        for pillar in pillars:
            name = localized(pillar, "name")
            setattr(
                PillarsForm,
                score_field(pillar),
                RadioField(
                    _l(
                        "%(pillar)s: how well did the support work? (1 = it failed, 5 = it worked)",
                        pillar=name,
                    ),
                    choices=[SelectChoice(str(score), str(score)) for score in SCORES],
                    validators=[DataRequired(_l("Give a score from 1 to 5."))],
                ),
            )
            setattr(
                PillarsForm,
                comment_field(pillar),
                TextAreaField(
                    _l("%(pillar)s: where did the support work, where did it fail?", pillar=name),
                    filters=[strip],
                    validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)],
                ),
            )
        return PillarsForm


class TaskDoneForm(FlaskForm):  # type: ignore[misc]
    """A task done on a date (today by default)."""

    completed_on = DateField(_l("Done on"), validators=[Optional()])


class ReasonForm(FlaskForm):  # type: ignore[misc]
    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[DataRequired(_l("Give the reason a code.")), Length(max=REASON_CODE_MAX_LENGTH)],
        description=_l(
            "Stable, for the API and the CSV: lower-case letters, digits and _, e.g. new_job_outside."
        ),
    )
    name_sv = StringField(
        _l("Name in Swedish"),
        filters=[strip],
        validators=[DataRequired(_l("Give the reason a name.")), Length(max=REASON_NAME_MAX_LENGTH)],
    )
    name_en = StringField(
        _l("Name in English"),
        filters=[strip],
        validators=[DataRequired(_l("Give the reason a name.")), Length(max=REASON_NAME_MAX_LENGTH)],
    )


class RetireReasonForm(FlaskForm):  # type: ignore[misc]
    retired = RadioField(
        choices=[SelectChoice("1", _l("Retire")), SelectChoice("0", _l("Offer again"))],
        validators=[DataRequired()],
    )


class AnalysisFilterForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False

    unit = SelectField(_l("Administration or unit"), validators=[Optional()])
    start = DateField(_l("Last day from"), validators=[Optional()])
    end = DateField(_l("Last day until"), validators=[Optional()])
    per = SelectField(
        _l("Over time by"),
        choices=[
            SelectChoice(Period.QUARTER.value, _l("Quarter")),
            SelectChoice(Period.YEAR.value, _l("Year")),
        ],
        default=Period.QUARTER.value,
        validators=[Optional()],
    )
