"""Forms of the effect map: an effect with its measure and tags, a driver, an obstacle."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from lifecycle.blueprints.managers.forms import strip
from lifecycle.blueprints.plans.forms import CheckboxListField
from lifecycle.models.effect_map import TEXT_MAX_LENGTH
from lifecycle.models.effect_map import TITLE_MAX_LENGTH


class EffectForm(FlaskForm):  # type: ignore[misc]
    """A desired effect, its one measure, and the pillars and expectations that feed it."""

    title_sv = StringField(
        _l("Effect (Swedish)"),
        filters=[strip],
        validators=[DataRequired(_l("Write it in Swedish.")), Length(max=TITLE_MAX_LENGTH)],
    )
    title_en = StringField(
        _l("Effect (English)"),
        filters=[strip],
        validators=[Optional(), Length(max=TITLE_MAX_LENGTH)],
        description=_l("Leave empty to show the Swedish text."),
    )
    description_sv = TextAreaField(
        _l("Description (Swedish)"), filters=[strip], validators=[Optional(), Length(max=TEXT_MAX_LENGTH)]
    )
    description_en = TextAreaField(
        _l("Description (English)"), filters=[strip], validators=[Optional(), Length(max=TEXT_MAX_LENGTH)]
    )
    measure_kind = SelectField(
        _l("Measure"),
        validators=[DataRequired(_l("Choose how the effect is measured."))],
    )
    measure_statement = SelectField(
        _l("Statement of the pulse survey"),
        validators=[Optional()],
        description=_l("For a pulse survey measure."),
    )
    measure_pillar = SelectField(
        _l("Pillar measured"),
        validators=[Optional()],
        description=_l(
            "Required for the coverage of a pillar; for time to removal, only that pillar's obstacles."
        ),
    )
    pillars = CheckboxListField(_l("Pillars that feed the effect"))
    expectations = CheckboxListField(_l("Expectations that feed the effect"))


class TextsForm(FlaskForm):  # type: ignore[misc]
    """A driver, or an obstacle described in words, in Swedish and English."""

    text_sv = TextAreaField(
        _l("Swedish"),
        filters=[strip],
        validators=[DataRequired(_l("Write it in Swedish.")), Length(max=TEXT_MAX_LENGTH)],
    )
    text_en = TextAreaField(
        _l("English"),
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX_LENGTH)],
        description=_l("Leave empty to show the Swedish text."),
    )


class DriverForm(TextsForm):
    """A driver of the effect."""


class ObstacleForm(FlaskForm):  # type: ignore[misc]
    """An obstacle of the log by its number, or one described in words."""

    obstacle = IntegerField(
        _l("Number of an obstacle in the log"),
        validators=[
            Optional(),
            NumberRange(min=1, max=2_147_483_647, message=_l("Give an obstacle's number.")),
        ],
        description=_l("The number the obstacle log shows. Leave empty to describe an obstacle instead."),
    )
    text_sv = TextAreaField(
        _l("Obstacle described in words (Swedish)"),
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX_LENGTH)],
    )
    text_en = TextAreaField(
        _l("Obstacle described in words (English)"),
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX_LENGTH)],
    )
