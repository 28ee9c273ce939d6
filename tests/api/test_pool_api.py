"""The talent pool in the API (HR): the filtered list a page at a time, one member, adding one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import User
from lifecycle.models.talent_pool import PoolSource
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.talent_pool import ProfileValues
from lifecycle.services.talent_pool import add_new_person_to_pool
from lifecycle.timeutil import local_today
from tests.api.conftest import ApiClient
from tests.api.conftest import ResponseChecker
from tests.factories import make_manager
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("clock")

#: every operation of the talent pool; test_openapi.py leaves these to this module
POOL_OPERATIONS = frozenset(
    {("/talent-pool", "get"), ("/talent-pool", "post"), ("/talent-pool/{profile_id}", "get")}
)


def test_hr_lists_reads_and_adds_members_as_the_document_says(
    app_ctx: Flask, api_as: Callable[[User], ApiClient], check: ResponseChecker
) -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    hr = make_user(Role.HR)
    api = api_as(hr)
    for number in range(3):
        add_new_person_to_pool(
            name=f"Kontakt{number} Person",
            email=None,
            employee_number=None,
            values=ProfileValues(PoolSource.EVENT, local_today() - timedelta(days=number)),
            actor=hr,
            today=local_today(),
        )
    manager = make_manager("Ivar Intern")
    db.session.commit()

    first = check.response(api.get("/api/v1/talent-pool?limit=2&source=event"), "get", "/talent-pool")
    body = first.get_json()
    assert [m["name"] for m in body["items"]] == ["Kontakt0 Person", "Kontakt1 Person"]
    rest = api.get(f"/api/v1/talent-pool?limit=2&source=event&cursor={body['next_cursor']}").get_json()
    assert [m["name"] for m in rest["items"]] == ["Kontakt2 Person"] and rest["next_cursor"] is None
    assert body["items"][0]["consent_until"] == (local_today() + timedelta(days=730)).isoformat()

    new = check.request_body(
        {
            "manager_id": manager.id,
            "source": "aspirant",
            "expectations": ["leader.trust"],
            "notes": "Vill vidare",
        },
        "post",
        "/talent-pool",
    )
    created = check.response(api.post("/api/v1/talent-pool", json=new), "post", "/talent-pool")
    assert created.status_code == 201
    member = created.get_json()
    assert (member["stage"], member["pillars"], member["expectations"]) == (
        Stage.DEVELOP.value,
        ["leader"],
        ["leader.trust"],
    )
    one = check.response(api.get(created.headers["Location"]), "get", "/talent-pool/{profile_id}")
    assert one.get_json() == member
    external = api.post(
        "/api/v1/talent-pool",
        json={"name": "Extern Ny", "email": "ny@example.org", "source": "external_contact"},
    )
    assert external.status_code == 201 and external.get_json()["stage"] == Stage.ATTRACT.value
    filtered = api.get("/api/v1/talent-pool?pillar=leader").get_json()
    assert [m["name"] for m in filtered["items"]] == ["Ivar Intern"]

    # Refusals: a bad query, a bad body, someone already in the pool, nobody at all, no such member.
    check.response(api.get("/api/v1/talent-pool?runs_out_soon=kanske"), "get", "/talent-pool")  # 400
    check.response(api.get("/api/v1/talent-pool?source=okänd"), "get", "/talent-pool")  # 400
    check.response(api.post("/api/v1/talent-pool", json={"source": 1}), "post", "/talent-pool")  # 400
    again = check.response(api.post("/api/v1/talent-pool", json=new), "post", "/talent-pool")
    assert again.status_code == 422 and "manager_id" in again.get_json()["error"]["fields"]
    nobody = api.post("/api/v1/talent-pool", json={"source": "event"})
    assert nobody.status_code == 422
    future = api.post(
        "/api/v1/talent-pool",
        json={
            "name": "Framtid",
            "source": "event",
            "consent_given_on": (local_today() + timedelta(days=1)).isoformat(),
        },
    )
    assert future.status_code == 422 and "consent_given_on" in future.get_json()["error"]["fields"]
    check.response(api.get("/api/v1/talent-pool/999999"), "get", "/talent-pool/{profile_id}")  # 404
    # A manager's token reaches nothing of the pool.
    outsider = api_as(make_manager("Vanlig Chef", with_account=True).user)  # type: ignore[arg-type]
    check.response(outsider.get("/api/v1/talent-pool"), "get", "/talent-pool")  # 404
    assert {(path, method) for method, path, _status in check.checked} == POOL_OPERATIONS
