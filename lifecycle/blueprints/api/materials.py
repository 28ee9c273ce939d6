"""The API's recruitment materials: the phrase and question banks, a vacancy's ad and interview guide."""

from __future__ import annotations

from flask import Response
from flask import jsonify
from flask import request

from lifecycle.blueprints.api.contract import Items
from lifecycle.blueprints.api.material_schemas import BANK_QUERY_PARAMETERS
from lifecycle.blueprints.api.material_schemas import MATERIAL_QUERY_PARAMETERS
from lifecycle.blueprints.api.material_schemas import BankEntry
from lifecycle.blueprints.api.material_schemas import InterviewGuide
from lifecycle.blueprints.api.material_schemas import VacancyAd
from lifecycle.blueprints.api.material_schemas import parse_bank_query
from lifecycle.blueprints.api.material_schemas import parse_language
from lifecycle.blueprints.api.views import bp
from lifecycle.i18n import current_language
from lifecycle.policy import get_vacancy_or_404
from lifecycle.policy import signed_in
from lifecycle.services.platform import get_platform
from lifecycle.services.recruitment.ads import ad_material
from lifecycle.services.recruitment.ads import ad_of
from lifecycle.services.recruitment.banks import bank_entries
from lifecycle.services.recruitment.guides import guide_material
from lifecycle.services.recruitment.guides import guide_of

RECRUITMENT = ["recruitment"]
VACANCY_ID = "<int(min=1, max=2147483647):vacancy_id>"


@bp.operation(
    "GET",
    "/recruitment/bank-entries",
    summary="The phrase and question banks (HR)",
    description="Every entry, current and retired, by expectation, bank, language and HR's order. "
    "Only HR and administrators read the banks; anyone else gets 404.",
    tags=RECRUITMENT,
    query=BANK_QUERY_PARAMETERS,
    response=Items[BankEntry],
    response_description="The entries.",
    errors=(400, 404),
)
def list_bank_entries() -> Response:
    """The banks' entries, narrowed by kind, expectation and language."""
    signed_in()
    kind, expectation, language = parse_bank_query(request.args)
    entries = [BankEntry.of(entry) for entry in bank_entries(kind, expectation, language)]
    return jsonify(Items[BankEntry](items=entries).dump())


@bp.operation(
    "GET",
    f"/vacancies/{VACANCY_ID}/ad",
    summary="A vacancy's job ad, its blocks and its plain text",
    description="Whoever sees the vacancy reads its ad: HR, its hiring manager and its recruitment group.",
    tags=RECRUITMENT,
    query=MATERIAL_QUERY_PARAMETERS,
    response=VacancyAd,
    response_description="The ad.",
    errors=(400, 404),
)
def show_vacancy_ad(vacancy_id: int) -> Response:
    """The vacancy's ad in the language asked for."""
    vacancy = get_vacancy_or_404(signed_in(), vacancy_id)
    ad = ad_of(vacancy, parse_language(request.args, current_language()))
    return jsonify(VacancyAd.of(ad, ad_material(ad, get_platform())).dump())


@bp.operation(
    "GET",
    f"/vacancies/{VACANCY_ID}/guide",
    summary="A vacancy's interview guide",
    description="Behaviour-based questions from the question bank for each weighed expectation, in "
    "interview order. Whoever sees the vacancy reads it.",
    tags=RECRUITMENT,
    query=MATERIAL_QUERY_PARAMETERS,
    response=InterviewGuide,
    response_description="The guide.",
    errors=(400, 404),
)
def show_interview_guide(vacancy_id: int) -> Response:
    """The vacancy's interview guide in the language asked for."""
    vacancy = get_vacancy_or_404(signed_in(), vacancy_id)
    guide = guide_of(vacancy, parse_language(request.args, current_language()))
    return jsonify(InterviewGuide.of(guide, guide_material(guide)).dump())
