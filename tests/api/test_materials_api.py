"""The API's recruitment materials: the banks, a vacancy's ad and its guide, as the document says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from lifecycle.enums import Language
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import User
from lifecycle.services.recruitment import set_recruitment_group
from lifecycle.services.recruitment.ads import ParagraphChoice
from lifecycle.services.recruitment.ads import save_ad
from tests.api.conftest import ApiClient
from tests.api.conftest import ResponseChecker
from tests.factories import make_user
from tests.test_recruitment import _expectation
from tests.test_recruitment import orebro  # noqa: F401  (the fixture: Örebro's platform loaded)
from tests.test_recruitment_materials import _vacancy

pytestmark = pytest.mark.usefixtures("clock", "orebro")

#: the materials' operations; test_openapi.py leaves these to this module
MATERIAL_OPERATIONS = frozenset(
    {
        ("/recruitment/bank-entries", "get"),
        ("/vacancies/{vacancy_id}/ad", "get"),
        ("/vacancies/{vacancy_id}/guide", "get"),
    }
)
BANK = "/recruitment/bank-entries"
AD = "/vacancies/{vacancy_id}/ad"
GUIDE = "/vacancies/{vacancy_id}/guide"


def test_the_banks_the_ad_and_the_guide_answer_as_the_document_says(
    app: Flask, api_as: Callable[[User], ApiClient], check: ResponseChecker
) -> None:
    hr, interviewer, outsider = make_user(Role.HR), make_user(Role.MANAGER), make_user(Role.MANAGER)
    vacancy = _vacancy(hr, {"leader.trust": 3, "secure.decide": 1})
    set_recruitment_group(vacancy, [interviewer])
    trust = _expectation("leader.trust")
    save_ad(
        vacancy,
        Language.EN,
        unit_text="A school by the river.",
        role_text="",
        choices={trust.id: ParagraphChoice(own_text="Our own words.")},
    )
    hr_api, group_api, outside_api = api_as(hr), api_as(interviewer), api_as(outsider)
    db.session.commit()

    def read(response: Any, method: str, path: str) -> Any:
        return check.response(response, method, path).get_json()

    ad_url, guide_url = f"/api/v1/vacancies/{vacancy.id}/ad", f"/api/v1/vacancies/{vacancy.id}/guide"

    entries = read(
        hr_api.get(f"/api/v1{BANK}?kind=question&expectation=leader.trust&language=en"), "get", BANK
    )
    assert len(entries["items"]) >= 2
    assert {(i["kind"], i["expectation"], i["language"]) for i in entries["items"]} == {
        ("question", "leader.trust", "en")
    }
    assert all(i["from_platform_file"] and not i["retired"] for i in entries["items"])
    bad = read(hr_api.get(f"/api/v1{BANK}?kind=poem&language=de"), "get", BANK)
    assert set(bad["error"]["fields"]) == {"kind", "language"}
    check.response(group_api.get(f"/api/v1{BANK}"), "get", BANK)  # 404: the banks are HR's

    ad = read(group_api.get(f"{ad_url}?language=en"), "get", AD)
    assert (
        ad["language"] == "en"
        and ad["saved"]
        and [p["expectation"] for p in ad["paragraphs"]] == ["leader.trust", "secure.decide"]
    )
    assert ad["paragraphs"][0] == {
        "expectation": "leader.trust",
        "weight": 3,
        "phrase_id": None,
        "text": "Our own words.",
        "missing": False,
    }
    assert ad["paragraphs"][1]["phrase_id"] is not None and ad["paragraphs"][1]["text"] in ad["text"]
    assert [b["heading"] for b in ad["blocks"]][:3] == [
        "About us",
        "What we expect of you",
        "Our promise to you",
    ]
    swedish = read(hr_api.get(ad_url, headers={"Accept-Language": "sv"}), "get", AD)
    assert not swedish["saved"] and swedish["blocks"][0]["heading"] == "Om oss"

    guide = read(group_api.get(f"{guide_url}?language=sv"), "get", GUIDE)
    assert [s["expectation"] for s in guide["sections"]] == ["leader.trust", "secure.decide"]
    assert len(guide["sections"][0]["questions"]) >= 2 and not guide["sections"][0]["missing"]
    assert guide["sections"][0]["questions"][0]["text"] in guide["text"]
    check.response(group_api.get(f"{guide_url}?language=fi"), "get", GUIDE)  # 400
    for url, path in ((ad_url, AD), (guide_url, GUIDE)):
        assert read(outside_api.get(url), "get", path)["error"]  # 404 outside the group
    statuses = {status for _method, _path, status in check.checked}
    assert statuses >= {200, 400, 404}
    assert {(path, method) for method, path, _status in check.checked} == MATERIAL_OPERATIONS
