"""Odd input a person or a script might send answers 4xx, never 500, and changes nothing."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lifecycle.enums import Role
from lifecycle.enums import Stage
from tests.factories import make_manager
from tests.factories import make_user


@pytest.fixture
def hr_client(app_ctx: Flask, client: FlaskClient, login):  # type: ignore[no-untyped-def]
    login(make_user(Role.HR).email)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/pipeline?q=a%00b",
        "/pipeline?line_manager=%00",
        "/managers/suggest?q=ab%00",
        "/managers/9999999999",
        "/managers/9999999999/plan",
        "/managers/0",
        "/insight/coverage?unit=%C2%B2",
        "/insight/uncovered?after=%C2%B2",
        "/activities/new?manager=%C2%B2",
        "/activities/new?manager=99999999999",
    ],
)
def test_odd_urls_are_answered_without_a_server_error(hr_client: FlaskClient, url: str) -> None:
    assert hr_client.get(url).status_code < 500


def test_nul_in_a_form_is_a_400_and_changes_nothing(hr_client: FlaskClient) -> None:
    person = make_manager(stage=Stage.INTRODUCE)
    page = hr_client.get(f"/managers/{person.id}/move").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = hr_client.post(
        f"/managers/{person.id}/move",
        data={"csrf_token": token, "to_stage": "develop", "reason": "a\x00b", "effective_date": "2026-01-01"},
    )
    assert response.status_code == 400
    assert person.stage is Stage.INTRODUCE


@pytest.mark.parametrize("target", ["/\t/evil.example", "//evil.example", "/a\nb", "https://evil.example"])
def test_next_after_a_move_stays_on_the_site(hr_client: FlaskClient, target: str) -> None:
    person = make_manager(stage=Stage.INTRODUCE)
    url = f"/managers/{person.id}/move"
    page = hr_client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = hr_client.post(
        url,
        query_string={"next": target},
        data={"csrf_token": token, "to_stage": "develop", "reason": "Klar", "effective_date": "2026-01-01"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/managers/{person.id}"
