"""Forms of the recruitment's materials: bank entries, the ad's blocks, and the language to show."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag
from wtforms.validators import AnyOf
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from lifecycle.blueprints.managers.forms import strip
from lifecycle.enums import Language
from lifecycle.services.recruitment.ads import LANGUAGE_NAMES
from lifecycle.services.recruitment.ads import AdParagraph
from lifecycle.services.recruitment.banks import TEXT_MAX_LENGTH
from lifecycle.services.recruitment.vacancies import TEXT_MAX_LENGTH as BLOCK_MAX_LENGTH

#: the radio value of "my own words" among a paragraph's phrases
OWN = "own"


def language_choices() -> list[Any]:
    return [SelectChoice(language.value, LANGUAGE_NAMES[language]) for language in Language]


class LanguageForm(FlaskForm):  # type: ignore[misc]
    """The language a material is shown in (a GET form that only reads)."""

    class Meta:
        csrf = False

    language = SelectField(_l("Language of the text"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()

    def chosen(self, default: Language) -> Language:
        """The language asked for, or `default` when none (or none known) is."""
        value = self.language.data
        return Language(value) if value in {language.value for language in Language} else default


_TEXT_VALIDATORS = [DataRequired(_l("Write the text.")), Length(max=TEXT_MAX_LENGTH)]


class NewEntryForm(FlaskForm):  # type: ignore[misc]
    language = SelectField(_l("Language"), validators=[DataRequired()])
    text = TextAreaField(_l("Text"), filters=[strip], validators=_TEXT_VALIDATORS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()


class EntryForm(FlaskForm):  # type: ignore[misc]
    text = TextAreaField(_l("Text"), filters=[strip], validators=_TEXT_VALIDATORS)


class RetireForm(FlaskForm):  # type: ignore[misc]
    retired = HiddenField(validators=[AnyOf(["0", "1"])])


class MoveForm(FlaskForm):  # type: ignore[misc]
    direction = HiddenField(validators=[AnyOf(["up", "down"])])


def ad_form(paragraphs: Sequence[AdParagraph], formdata: Any, unit: str, role: str) -> FlaskForm:
    """The ad's blocks: the unit's and the role's texts, and per expectation a phrase or one's own words."""

    class AdForm(FlaskForm):  # type: ignore[misc]
        unit_text = TextAreaField(
            _l("About us"),
            filters=[strip],
            validators=[Optional(), Length(max=BLOCK_MAX_LENGTH)],
            default=unit,
            description=_l("The unit's own words; prefilled from the vacancy."),
        )
        role_text = TextAreaField(
            _l("About the role"),
            filters=[strip],
            validators=[Optional(), Length(max=BLOCK_MAX_LENGTH)],
            default=role,
            description=_l("The assignment, its scope and what it offers; prefilled from the vacancy."),
        )

    for paragraph in paragraphs:
        expectation_id = paragraph.expectation.id
        choices = [SelectChoice(str(entry.id), entry.text) for entry in paragraph.offered]
        choices.append(SelectChoice(OWN, _l("My own words, below")))
        if paragraph.own_text is not None:
            chosen = OWN
        elif paragraph.phrase is not None:
            chosen = str(paragraph.phrase.id)
        else:
            chosen = OWN
        setattr(
            AdForm,
            f"phrase_{expectation_id}",
            RadioField(
                _l("Paragraph"),
                choices=choices,
                default=chosen,
                validators=[InputRequired(_l("Choose a phrase, or your own words."))],
            ),
        )
        setattr(
            AdForm,
            f"text_{expectation_id}",
            TextAreaField(
                _l("Own words"),
                filters=[strip],
                validators=[Optional(), Length(max=TEXT_MAX_LENGTH)],
                default=paragraph.own_text or paragraph.text,
            ),
        )
    return AdForm(formdata=formdata)
