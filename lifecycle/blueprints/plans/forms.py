"""Forms on the development plan."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from lifecycle.blueprints.managers.forms import strip


class CheckboxListField(SelectMultipleField):
    """Several choices shown as checkboxes rather than a multi-select box."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class GoalForm(FlaskForm):  # type: ignore[misc]
    title = StringField(
        _l("Goal"), filters=[strip], validators=[DataRequired(_l("Give the goal a title.")), Length(max=200)]
    )
    expectations = CheckboxListField(
        _l("Expectations the goal develops"),
        validators=[DataRequired(_l("Tie the goal to at least one expectation."))],
    )
    target_on = DateField(_l("Target date"), validators=[Optional()])
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=4000)])


class CatalogueActivityForm(FlaskForm):  # type: ignore[misc]
    catalogue_item = SelectField(
        _l("Activity from the catalogue"), coerce=int, validators=[DataRequired(_l("Choose an activity."))]
    )
    goal = SelectField(_l("For the goal"), coerce=int, validators=[Optional()])
    due_on = DateField(_l("Planned date"), validators=[Optional()])


class GoalStatusForm(FlaskForm):  # type: ignore[misc]
    status = SelectField(_l("Status"), validators=[DataRequired()])


class CompleteForm(FlaskForm):  # type: ignore[misc]
    completed_on = DateField(_l("Completed on"), validators=[DataRequired(_l("Enter a date (YYYY-MM-DD)."))])


class NotesForm(FlaskForm):  # type: ignore[misc]
    notes = TextAreaField(_l("Notes"), filters=[strip], validators=[Optional(), Length(max=10000)])


class CommentForm(FlaskForm):  # type: ignore[misc]
    body = TextAreaField(
        _l("Comment"), filters=[strip], validators=[DataRequired(_l("Write a comment.")), Length(max=4000)]
    )


class ProposalForm(FlaskForm):  # type: ignore[misc]
    """A goal the recruitment proposed, as HR or the line manager edits it before accepting."""

    title = StringField(
        _l("Goal"), filters=[strip], validators=[DataRequired(_l("Give the goal a title.")), Length(max=200)]
    )
    expectation = SelectField(
        _l("Expectation the goal develops"),
        validators=[DataRequired(_l("Tie the goal to at least one expectation."))],
    )
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=4000)])
    accept = SubmitField(_l("Save and accept"))
    save = SubmitField(_l("Save, still proposed"))


class DecisionForm(FlaskForm):  # type: ignore[misc]
    """Accepting or rejecting a proposed goal: a button, whose form holds its CSRF token alone."""
