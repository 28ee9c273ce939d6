"""The effect map in the API: HR and managers read Örebro's effects with their figures per period; HR
alone narrows them to a unit; a bad period is a 400 naming it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import User
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from tests.api.conftest import ApiClient
from tests.api.conftest import ResponseChecker
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("clock")

#: every operation of the effect map; test_openapi.py leaves these to this module
EFFECT_MAP_OPERATIONS = frozenset({("/effect-map", "get")})


def test_hr_and_a_manager_read_the_map_as_the_document_says(
    app_ctx: Flask, api_as: Callable[[User], ApiClient], check: ResponseChecker
) -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    unit = make_unit("Kartenheten")
    anna = make_manager("Anna Karta", with_account=True, org_unit=unit)
    hr = make_user(Role.HR)
    db.session.commit()
    hr_api, anna_api = api_as(hr), api_as(anna.user)  # type: ignore[arg-type]

    whole = check.response(hr_api.get("/api/v1/effect-map"), "get", "/effect-map").get_json()
    assert whole["unit_id"] is None
    assert len(whole["effects"]) == 4  # Örebro's file ships four effects
    by_kind = {effect["measure_kind"]: effect for effect in whole["effects"]}
    assert by_kind["pulse_statement"]["has_data"] is False
    assert by_kind["pillar_coverage"]["has_data"] is True

    one_unit = check.response(
        hr_api.get(f"/api/v1/effect-map?unit_id={unit.id}&period=4q"), "get", "/effect-map"
    ).get_json()
    assert one_unit["unit_id"] == unit.id

    assert anna_api.get("/api/v1/effect-map").status_code == 200
    refused = check.response(anna_api.get(f"/api/v1/effect-map?unit_id={unit.id}"), "get", "/effect-map")
    assert refused.status_code == 404  # only HR narrows the map to a unit
    bad = check.response(hr_api.get("/api/v1/effect-map?period=5y"), "get", "/effect-map")
    assert bad.status_code == 400 and "period" in bad.get_data(as_text=True)
    assert {(p, m) for m, p, _status in check.checked} == EFFECT_MAP_OPERATIONS
