"""Forms of the workshops: planning one, its group, the outcome of a pillar, and HR's discussion guide."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateField
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import TimeField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from lifecycle.blueprints.managers.forms import strip
from lifecycle.blueprints.plans.forms import CheckboxListField
from lifecycle.enums import Language
from lifecycle.enums import ObstacleSeverity
from lifecycle.models.obstacles import TITLE_MAX_LENGTH as OBSTACLE_TITLE_MAX_LENGTH
from lifecycle.models.workshops import TEXT_MAX_LENGTH
from lifecycle.models.workshops import TITLE_MAX_LENGTH
from lifecycle.services.platform_file import MAX_BANK_TEXT_LENGTH

#: empty rows offered on the outcome page for development areas and obstacles (empty ones are skipped)
GOAL_ROWS = 3
OBSTACLE_ROWS = 2
SEVERITIES = frozenset(s.value for s in ObstacleSeverity)


class WorkshopForm(FlaskForm):  # type: ignore[misc]
    """The workshop's title, time, facilitator and the pillars it discusses."""

    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(_l("Give the workshop a title.")), Length(max=TITLE_MAX_LENGTH)],
    )
    held_on = DateField(_l("Date"), validators=[DataRequired(_l("Give the date of the workshop."))])
    held_time = TimeField(_l("Time"), validators=[DataRequired(_l("Give the time of the workshop."))])
    facilitator = StringField(
        _l("Facilitator"),
        filters=[strip],
        validators=[Optional(), Length(max=254)],
        description=_l("The e-mail address of their account in Chefsresan. Leave empty for none yet."),
    )
    pillars = CheckboxListField(
        _l("Pillars to discuss"), validators=[DataRequired(_l("Choose at least one pillar to discuss."))]
    )


class PlanWorkshopForm(WorkshopForm):
    """A new workshop: also the unit whose management team meets."""

    unit = SelectField(_l("Unit"), validators=[DataRequired(_l("Choose the unit whose managers meet."))])


class ParticipantForm(FlaskForm):  # type: ignore[misc]
    """A manager to add to the group, by employee number."""

    employee_number = StringField(
        _l("Employee number"),
        filters=[strip],
        validators=[DataRequired(_l("Give the manager's employee number.")), Length(max=40)],
    )


class GoalRowForm(Form):
    """A development area: the group goal it becomes."""

    text = TextAreaField(_l("Development area (the group goal)"), filters=[strip], validators=[Optional()])
    # The service checks the owner is a participant, and says so in the user's language.
    owner = SelectField(_l("Owner"), validate_choice=False, validators=[Optional()])
    follow_up_on = DateField(_l("Follow-up date"), validators=[Optional()])


class ObstacleRowForm(Form):
    """An obstacle the group found, for the obstacle log."""

    title = StringField(
        _l("Obstacle"), filters=[strip], validators=[Optional(), Length(max=OBSTACLE_TITLE_MAX_LENGTH)]
    )
    # An empty row is skipped whatever its severity; a row with an obstacle needs one of the choices
    # (validate_severity), so no generic choice check and no Optional() that would end the chain early.
    severity = SelectField(
        _l("How serious is it?"),
        choices=[SelectChoice(s.value, s.title) for s in ObstacleSeverity],
        default=ObstacleSeverity.MEDIUM.value,
        validate_choice=False,
    )
    shared = BooleanField(_l("Other managers in the unit may read it"), validators=[Optional()])

    def validate_severity(self, field: SelectField) -> None:
        if (self.title.data or "").strip() and field.data not in SEVERITIES:
            raise ValidationError(_l("Choose how serious the obstacle is."))


class OutcomeForm(FlaskForm):  # type: ignore[misc]
    """The outcome of one pillar: notes, development areas and obstacles."""

    notes = TextAreaField(
        _l("Notes from the discussion"),
        filters=[strip],
        validators=[Optional(), Length(max=TEXT_MAX_LENGTH)],
        description=_l("Every participant reads them. Name no one's health or private life."),
    )
    goals = FieldList(FormField(GoalRowForm), min_entries=GOAL_ROWS, max_entries=GOAL_ROWS)
    obstacles = FieldList(FormField(ObstacleRowForm), min_entries=OBSTACLE_ROWS, max_entries=OBSTACLE_ROWS)


class QuestionForm(FlaskForm):  # type: ignore[misc]
    """A question of the discussion guide."""

    language = RadioField(
        _l("Language"),
        choices=[SelectChoice(language.value, language.native_name) for language in Language],
        default=Language.SV.value,
        validators=[DataRequired(_l("Choose the language."))],
    )
    text = TextAreaField(
        _l("Question"),
        filters=[strip],
        validators=[DataRequired(_l("Write the question.")), Length(max=MAX_BANK_TEXT_LENGTH)],
    )


class EditQuestionForm(FlaskForm):  # type: ignore[misc]
    text = TextAreaField(
        _l("Question"),
        filters=[strip],
        validators=[DataRequired(_l("Write the question.")), Length(max=MAX_BANK_TEXT_LENGTH)],
    )
