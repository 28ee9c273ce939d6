"""Forms for the activity catalogue and for HR adding an activity."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from lifecycle.blueprints.managers.forms import strip
from lifecycle.blueprints.plans.forms import CheckboxListField


class TaggedForm(FlaskForm):  # type: ignore[misc]
    """What every activity has: a kind, a title, and the pillars and expectations it builds."""

    title = StringField(
        _l("Activity title"),
        filters=[strip],
        validators=[DataRequired(_l("Give the activity a title.")), Length(max=200)],
    )
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=4000)])
    pillars = CheckboxListField(_l("Pillars it builds"), validators=[Optional()])
    expectations = CheckboxListField(_l("Expectations it builds (optional)"), validators=[Optional()])


class CatalogueItemForm(TaggedForm):
    pass


class ActivityForm(TaggedForm):
    #: required unless members of the talent pool are chosen (the view checks it)
    participants = StringField(
        _l("Participants' employee numbers"), filters=[strip], validators=[Optional(), Length(max=4000)]
    )
    #: members of the talent pool chosen on its page (an attract activity); most have no employee number
    members = CheckboxListField(_l("From the talent pool"), coerce=int, validators=[Optional()])
    due_on = DateField(_l("Planned date"), validators=[Optional()])
    completed_on = DateField(_l("Completed on"), validators=[Optional()])
