"""The recruitment's materials: HR's phrase and question banks, a vacancy's job ad and interview guide.

The banks are HR's (add, edit, retire, restore, reorder per expectation and language). The ad is built
by HR and read, like the interview guide, by whoever sees the vacancy (`policy.get_vacancy_or_404`):
on the page, as plain text to copy, as a printable page and as a Word file.
"""

from __future__ import annotations

import io

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lifecycle.blueprints.recruitment.material_forms import OWN
from lifecycle.blueprints.recruitment.material_forms import EntryForm
from lifecycle.blueprints.recruitment.material_forms import LanguageForm
from lifecycle.blueprints.recruitment.material_forms import MoveForm
from lifecycle.blueprints.recruitment.material_forms import NewEntryForm
from lifecycle.blueprints.recruitment.material_forms import RetireForm
from lifecycle.blueprints.recruitment.material_forms import ad_form
from lifecycle.enums import Language
from lifecycle.extensions import db
from lifecycle.i18n import current_language
from lifecycle.i18n import localized
from lifecycle.models import Expectation
from lifecycle.models.recruitment_banks import BankKind
from lifecycle.policy import can_manage_vacancy
from lifecycle.policy import get_bank_entry_or_404
from lifecycle.policy import get_managed_vacancy_or_404
from lifecycle.policy import get_vacancy_or_404
from lifecycle.policy import may_edit_banks
from lifecycle.policy import signed_in
from lifecycle.services.platform import get_platform
from lifecycle.services.recruitment.ads import IN_LANGUAGE
from lifecycle.services.recruitment.ads import LANGUAGE_NAMES
from lifecycle.services.recruitment.ads import AdError
from lifecycle.services.recruitment.ads import ParagraphChoice
from lifecycle.services.recruitment.ads import ad_material
from lifecycle.services.recruitment.ads import ad_of
from lifecycle.services.recruitment.ads import save_ad
from lifecycle.services.recruitment.banks import BankError
from lifecycle.services.recruitment.banks import add_entry
from lifecycle.services.recruitment.banks import bank_counts
from lifecycle.services.recruitment.banks import bank_page
from lifecycle.services.recruitment.banks import edit_entry
from lifecycle.services.recruitment.banks import move_entry
from lifecycle.services.recruitment.banks import set_retired
from lifecycle.services.recruitment.documents import plain_text
from lifecycle.services.recruitment.docx_files import DOCX_MIMETYPE
from lifecycle.services.recruitment.docx_files import docx_of
from lifecycle.services.recruitment.guides import expectation_heading
from lifecycle.services.recruitment.guides import guide_material
from lifecycle.services.recruitment.guides import guide_of

bp = Blueprint("materials", __name__, template_folder="templates")

#: the banks by their address
BANKS = {"phrases": BankKind.PHRASE, "questions": BankKind.QUESTION}
SLUGS = {kind: slug for slug, kind in BANKS.items()}
BANK = "<any(phrases, questions):bank>"
ID = "<int(min=1, max=2147483647):{}>"
VACANCY_ID = ID.format("vacancy_id")


@bp.app_context_processor
def material_helpers() -> dict[str, object]:
    return {"bank_slugs": SLUGS, "language_names": LANGUAGE_NAMES, "in_language": IN_LANGUAGE}


def _language() -> tuple[LanguageForm, Language]:
    """The language the material is asked for in (`?language=`), else the page's own."""
    form = LanguageForm(request.args)
    return form, form.chosen(current_language())


# -- the banks ----------------------------------------------------------------------------------------


@bp.get(f"/recruitment/banks/{BANK}")
def banks(bank: str) -> str:
    """A bank's overview: every current expectation, by pillar, with its entries per language."""
    signed_in()
    kind = BANKS[bank]
    platform = get_platform()
    pillars = [pillar for pillar in (platform.pillars if platform else []) if not pillar.is_retired]
    return render_template(
        "materials/banks.html",
        kind=kind,
        pillars=pillars,
        counts=bank_counts(kind),
        languages=list(Language),
        localized=localized,
    )


def _current_expectation_or_404(expectation_id: int) -> Expectation:
    expectation = db.session.get(Expectation, expectation_id)
    if expectation is None:
        abort(404)
    return expectation


@bp.route(f"/recruitment/banks/{BANK}/{ID.format('expectation_id')}", methods=["GET", "POST"])
def bank(bank: str, expectation_id: int) -> str | Response:
    """One expectation's bank, per language, with HR's changes; a new entry goes at the end."""
    signed_in()
    kind = BANKS[bank]
    expectation = _current_expectation_or_404(expectation_id)
    form = NewEntryForm()
    if not form.is_submitted():
        form.language.data = _language()[1].value
    if form.validate_on_submit():
        try:
            entry = add_entry(kind, expectation, Language(form.language.data), form.text.data or "")
        except BankError as refused:
            db.session.rollback()
            form[refused.field].errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("The entry is added."), "success")
            return redirect(
                url_for("materials.bank", bank=bank, expectation_id=expectation_id) + f"#entry-{entry.id}"
            )
    return render_template(
        "materials/bank.html",
        kind=kind,
        bank=bank,
        expectation=expectation,
        entries=bank_page(kind, expectation),
        form=form,
        localized=localized,
    )


def _back_to_bank(entry_kind: BankKind, expectation_id: int, anchor: str = "") -> Response:
    target = url_for("materials.bank", bank=SLUGS[entry_kind], expectation_id=expectation_id)
    return redirect(target + anchor)


@bp.route(
    f"/recruitment/banks/entries/{ID.format('entry_id')}/edit", methods=["GET", "POST"], endpoint="edit_entry"
)
def edit_entry_page(entry_id: int) -> str | Response:
    """Change an entry's words (HR)."""
    entry = get_bank_entry_or_404(signed_in(), entry_id)
    form = EntryForm(obj=entry)
    if form.validate_on_submit():
        try:
            edit_entry(entry, form.text.data or "")
        except BankError as refused:
            db.session.rollback()
            form.text.errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("The entry is saved."), "success")
            return _back_to_bank(entry.kind, entry.expectation_id, f"#entry-{entry.id}")
    return render_template(
        "materials/entry_form.html", entry=entry, form=form, bank=SLUGS[entry.kind], localized=localized
    )


@bp.post(f"/recruitment/banks/entries/{ID.format('entry_id')}/retire")
def retire_entry(entry_id: int) -> Response:
    """Retire an entry (no longer offered) or bring it back (HR)."""
    entry = get_bank_entry_or_404(signed_in(), entry_id)
    form = RetireForm()
    if form.validate_on_submit():
        set_retired(entry, form.retired.data == "1")
        db.session.commit()
        flash(_("The entry is retired.") if entry.is_retired else _("The entry is back in use."), "success")
    else:
        flash(_("Nothing was changed."), "error")
    return _back_to_bank(entry.kind, entry.expectation_id)


@bp.post(f"/recruitment/banks/entries/{ID.format('entry_id')}/move", endpoint="move_entry")
def move_entry_page(entry_id: int) -> Response:
    """Move an entry one place up or down in its bank (HR)."""
    entry = get_bank_entry_or_404(signed_in(), entry_id)
    form = MoveForm()
    if form.validate_on_submit() and move_entry(entry, -1 if form.direction.data == "up" else 1):
        db.session.commit()
    return _back_to_bank(entry.kind, entry.expectation_id, f"#entry-{entry.id}")


# -- the ad -------------------------------------------------------------------------------------------


@bp.route(f"/vacancies/{VACANCY_ID}/ad", methods=["GET", "POST"])
def ad(vacancy_id: int) -> str | Response:
    """Build the vacancy's ad in a language: its texts, and a paragraph per weighed expectation (HR)."""
    found = get_managed_vacancy_or_404(signed_in(), vacancy_id)
    language_form, language = _language()
    current = ad_of(found, language)
    form = ad_form(
        current.paragraphs,
        request.form if request.method == "POST" else None,
        current.unit_text,
        current.role_text,
    )
    if form.validate_on_submit():
        choices = {}
        for paragraph in current.paragraphs:
            expectation_id = paragraph.expectation.id
            picked = form[f"phrase_{expectation_id}"].data
            if picked == OWN:
                choices[expectation_id] = ParagraphChoice(own_text=form[f"text_{expectation_id}"].data or "")
            elif picked:
                choices[expectation_id] = ParagraphChoice(phrase_id=int(picked))
        try:
            save_ad(
                found,
                language,
                unit_text=form.unit_text.data or "",
                role_text=form.role_text.data or "",
                choices=choices,
            )
        except AdError as refused:
            db.session.rollback()
            name = refused.field
            if refused.expectation_id is not None:
                name = f"{'text' if refused.field == 'own_text' else 'phrase'}_{refused.expectation_id}"
            form[name].errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("The ad is saved."), "success")
            return redirect(url_for("materials.ad_preview", vacancy_id=found.id, language=language.value))
    return render_template(
        "materials/ad.html",
        vacancy=found,
        ad=current,
        form=form,
        language=language,
        language_form=language_form,
        heading=expectation_heading,
        localized=localized,
    )


@bp.get(f"/vacancies/{VACANCY_ID}/ad/preview")
def ad_preview(vacancy_id: int) -> str:
    """The ad as it reads, and as plain text to copy into a job board."""
    user = signed_in()
    found = get_vacancy_or_404(user, vacancy_id)
    language_form, language = _language()
    current = ad_of(found, language)
    material = ad_material(current, get_platform())
    return render_template(
        "materials/ad_preview.html",
        vacancy=found,
        ad=current,
        material=material,
        text=plain_text(material),
        language=language,
        language_form=language_form,
        manages=can_manage_vacancy(user, found),
        edits_banks=may_edit_banks(user),
        heading=expectation_heading,
    )


def _docx(data: bytes, name: str) -> Response:
    response = send_file(io.BytesIO(data), mimetype=DOCX_MIMETYPE, as_attachment=True, download_name=name)
    # An ad may name a contact person: like every download, it is never cached.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get(f"/vacancies/{VACANCY_ID}/ad.docx")
def ad_docx(vacancy_id: int) -> Response:
    """The ad as a Word file."""
    found = get_vacancy_or_404(signed_in(), vacancy_id)
    language = _language()[1]
    material = ad_material(ad_of(found, language), get_platform())
    return _docx(docx_of(material), f"ad-{found.id}-{language.value}.docx")


# -- the interview guide ------------------------------------------------------------------------------


@bp.get(f"/vacancies/{VACANCY_ID}/guide")
def guide(vacancy_id: int) -> str:
    """The interview guide, printable: questions per weighed expectation, in interview order."""
    user = signed_in()
    found = get_vacancy_or_404(user, vacancy_id)
    language_form, language = _language()
    current = guide_of(found, language)
    return render_template(
        "materials/guide.html",
        vacancy=found,
        guide=current,
        material=guide_material(current),
        language=language,
        language_form=language_form,
        edits_banks=may_edit_banks(user),
        heading=expectation_heading,
    )


@bp.get(f"/vacancies/{VACANCY_ID}/guide.docx")
def guide_docx(vacancy_id: int) -> Response:
    """The interview guide as a Word file."""
    found = get_vacancy_or_404(signed_in(), vacancy_id)
    language = _language()[1]
    return _docx(
        docx_of(guide_material(guide_of(found, language))), f"guide-{found.id}-{language.value}.docx"
    )
