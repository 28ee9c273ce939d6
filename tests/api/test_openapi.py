"""The OpenAPI document matches the implementation: every route, every method, every response."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from lifecycle.blueprints.api.openapi import openapi_document
from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.models import User
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from tests.api.conftest import ApiClient
from tests.api.conftest import ResponseChecker
from tests.api.test_effect_map_api import EFFECT_MAP_OPERATIONS
from tests.api.test_handover_api import HANDOVER_OPERATIONS
from tests.api.test_interviews_api import INTERVIEW_OPERATIONS
from tests.api.test_materials_api import MATERIAL_OPERATIONS
from tests.api.test_mentoring_api import MENTORING_OPERATIONS
from tests.api.test_obstacles_api import OBSTACLE_OPERATIONS
from tests.api.test_plans_api import PLAN_OPERATIONS
from tests.api.test_pool_api import POOL_OPERATIONS
from tests.api.test_recruitment_api import RECRUITMENT_OPERATIONS
from tests.api.test_workshops_api import WORKSHOP_OPERATIONS
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

PREFIX = "/api/v1"
HTTP_METHODS = {"get", "put", "post", "patch", "delete"}
RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _documented_operations() -> dict[tuple[str, str], str]:
    document = openapi_document()
    return {
        (path, method): operation["operationId"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def test_every_api_route_is_documented_and_every_documented_route_exists(app: Flask) -> None:
    routes: dict[tuple[str, str], str] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            path = RULE_ARGUMENT.sub(r"{\1}", rule.rule.removeprefix(PREFIX))
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                routes[(path, method.lower())] = rule.endpoint
    documented = {key: f"api.{operation_id}" for key, operation_id in _documented_operations().items()}
    assert set(routes) - set(documented) == set(), "routes missing from the OpenAPI document"
    assert set(documented) - set(routes) == set(), "documented operations without a route"
    assert routes == documented, "operationId must be the view's name"


def test_the_document_is_served_and_well_formed(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document == openapi_document()
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": PREFIX}]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    refs = set(re.findall(r'"#/components/(\w+)/(\w+)"', response.get_data(as_text=True)))
    for kind, name in refs:
        assert name in document["components"][kind], f"dangling $ref to {kind}/{name}"
    for path, item in document["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        declared = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        assert names == declared, path
        for method, operation in item.items():
            if method in HTTP_METHODS:
                assert operation["responses"], (method, path)


def test_responses_match_the_document(
    app_ctx: Flask,
    client: FlaskClient,
    login: Callable[..., object],
    api_as: Callable[[User], ApiClient],
    check: ResponseChecker,
) -> None:
    """A realistic session of an integration, each answer checked against the document."""
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    root = make_unit("Kommunen", kind=OrgUnitKind.MUNICIPALITY)
    unit = make_unit("Skolan", parent=root)
    boss = make_manager("Chefen", org_unit=unit, with_account=True)
    make_manager("Rapporten", org_unit=unit, line_manager=boss)
    hr = make_user(Role.HR)
    api = api_as(hr)

    # Reading.
    check.response(client.get("/api/v1/openapi.json"), "get", "/openapi.json")
    check.response(api.get("/api/v1/managers"), "get", "/managers")
    check.response(api.get("/api/v1/managers?limit=1"), "get", "/managers")
    check.response(api.get(f"/api/v1/managers/{boss.id}"), "get", "/managers/{manager_id}")
    check.response(
        api.get(f"/api/v1/managers/{boss.id}/transitions"), "get", "/managers/{manager_id}/transitions"
    )
    check.response(api.get("/api/v1/units"), "get", "/units")
    check.response(api.get("/api/v1/platform"), "get", "/platform")

    # Creating, changing and moving.
    new = check.request_body(
        {
            "name": "Nina Ny",
            "employee_number": "N-1",
            "email": "nina@kommun.example",
            "org_unit_id": unit.id,
            "line_manager_id": boss.id,
            "hr_partner_id": hr.id,
            "stage": "recruit",
            "effective_date": "2026-05-01",
            "reason": "Ny vakans",
        },
        "post",
        "/managers",
    )
    created = check.response(api.post("/api/v1/managers", json=new), "post", "/managers")
    assert created.status_code == 201
    new_id = created.get_json()["id"]
    change = check.request_body(
        {"title": "Rektor", "start_date": "2026-08-01"}, "patch", "/managers/{manager_id}"
    )
    updated = check.response(
        api.patch(f"/api/v1/managers/{new_id}", json=change), "patch", "/managers/{manager_id}"
    )
    assert updated.status_code == 200
    move = check.request_body(
        {"to_stage": "introduce", "reason": "Anställd", "effective_date": "2026-08-01"},
        "post",
        "/managers/{manager_id}/transitions",
    )
    moved = api.post(f"/api/v1/managers/{new_id}/transitions", json=move)
    check.response(moved, "post", "/managers/{manager_id}/transitions")
    assert moved.status_code == 201
    history = api.get(f"/api/v1/managers/{new_id}/transitions")
    check.response(history, "get", "/managers/{manager_id}/transitions")
    assert [t["to_stage"] for t in history.get_json()["items"]] == [
        Stage.INTRODUCE.value,
        Stage.RECRUIT.value,
    ]

    # Refusals.
    check.response(api.get("/api/v1/managers?limit=0"), "get", "/managers")  # 400
    check.response(
        api.post("/api/v1/managers", data="{", content_type="application/json"), "post", "/managers"
    )
    check.response(api.post("/api/v1/managers", json={"name": 1}), "post", "/managers")  # 400 with fields
    check.response(
        api.post("/api/v1/managers", data="x", content_type="text/plain"), "post", "/managers"
    )  # 415
    check.response(client.get("/api/v1/managers"), "get", "/managers")  # 401
    check.response(ApiClient(client, "chr_unknown").get("/api/v1/units"), "get", "/units")  # 401
    check.response(api.get("/api/v1/managers/999999"), "get", "/managers/{manager_id}")  # 404
    check.response(
        api.patch("/api/v1/managers/999999", json={"title": "x"}), "patch", "/managers/{manager_id}"
    )  # 404
    check.response(
        api.post("/api/v1/managers", json={**new, "employee_number": "N-1"}), "post", "/managers"
    )  # 409
    check.response(
        api.patch(f"/api/v1/managers/{boss.id}", json={"line_manager_id": boss.id}),
        "patch",
        "/managers/{manager_id}",
    )  # 422
    check.response(
        api.post(f"/api/v1/managers/{new_id}/transitions", json={"to_stage": "closed", "reason": "x"}),
        "post",
        "/managers/{manager_id}/transitions",
    )  # 422
    check.response(
        api.post("/api/v1/managers", json={"name": "X", "stage": "closed"}), "post", "/managers"
    )  # 422
    manager_api = api_as(boss.user)  # type: ignore[arg-type]
    check.response(manager_api.post("/api/v1/managers", json=new), "post", "/managers")  # 404: HR only
    login(hr.email)
    check.response(client.post("/api/v1/managers", json=new), "post", "/managers")  # 403: cookie

    statuses = {status for _method, _path, status in check.checked}
    assert statuses >= {200, 201, 400, 401, 403, 404, 409, 415, 422}
    operations = {(path, method) for method, path, _status in check.checked}
    # The development side's, the hand-over's, the talent pool's, recruitment's, the interviews' and the
    # recruitment materials' operations are exercised, each checked the same way, in their own modules
    # (test_plans_api.py, test_handover_api.py, test_pool_api.py, test_recruitment_api.py,
    # test_interviews_api.py, test_materials_api.py, test_obstacles_api.py).
    exercised_elsewhere = (
        PLAN_OPERATIONS
        | HANDOVER_OPERATIONS
        | POOL_OPERATIONS
        | RECRUITMENT_OPERATIONS
        | INTERVIEW_OPERATIONS
        | MATERIAL_OPERATIONS
        | OBSTACLE_OPERATIONS
        # -- mentoring: tests/api/test_mentoring_api.py
        | MENTORING_OPERATIONS
        # -- workshops ----
        | WORKSHOP_OPERATIONS
        # -- effect map: tests/api/test_effect_map_api.py
        | EFFECT_MAP_OPERATIONS
    )
    assert operations == set(_documented_operations()) - exercised_elsewhere, "every operation is exercised"
