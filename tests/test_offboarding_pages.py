"""Offboarding's pages: the checklist with its dates and responsible people, marking tasks done, the exit
interview form (refusals on their field, nothing recorded), the journey closing, who reads what, and HR's
analysis with its CSV."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.enums import ActivityKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import ExitInterview
from lifecycle.models import Manager
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.factories import make_manager
from tests.factories import make_user
from tests.test_offboarding import END
from tests.test_offboarding import _leaving
from tests.test_offboarding import _offboard
from tests.test_offboarding import orebro  # noqa: F401

pytestmark = pytest.mark.usefixtures("clock")

INTERVIEW = {
    "held_on": "2026-11-03",
    "score_secure": "4",
    "comment_secure": "Bra stöd i budgetfrågor",
    "score_developer": "2",
    "comment_developer": "Lite utrymme att pröva nytt",
    "score_leader": "5",
    "comment_leader": "",
    "reason": "new_job_outside",
    "voluntary": "yes",
    "regrettable": "yes",
    "comment": "",
}


def _post(client: FlaskClient, page: str, url: str, data: dict[str, Any]) -> Any:
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def test_hr_works_through_the_checklist_and_the_journey_closes(
    orebro: Flask,  # noqa: F811
    client: FlaskClient,
    login: Callable[..., Any],
) -> None:
    manager = _leaving()
    checklist = _offboard(manager)
    hr = make_user(Role.HR)
    db.session.commit()
    login(hr.email)
    page = f"/managers/{manager.id}/offboarding"
    html = client.get(page).get_data(as_text=True)
    assert "Överlämning av verksamheten" in html and "14 dec. 2026" in html
    assert manager.line_manager is not None and manager.line_manager.name in html
    form = f"{page}/exit-interview"
    refused = post_form(client, form, {**INTERVIEW, "score_leader": ""})
    assert refused.status_code == 200
    assert 'id="score_leader-error"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExitInterview)) == 0
    assert post_form(client, form, INTERVIEW).status_code == 302
    for task in checklist.tasks:
        if task.kind is not ActivityKind.EXIT_INTERVIEW:
            response = _post(client, page, f"{page}/tasks/{task.id}/done", {"completed_on": "2026-11-04"})
            assert response.status_code == 302
    db.session.expire_all()
    closed = db.session.get(Manager, manager.id)
    assert closed is not None and closed.stage is Stage.CLOSED
    html = client.get(page).get_data(as_text=True)
    # (the new texts' Swedish is in tools/sv-offboarding.json until the catalogue is updated)
    assert 'id="offboarding-status">Avvecklingen är klar och resan är avslutad' in html
    assert "Lite utrymme att pröva nytt" in html
    analysis = client.get("/offboarding/exits").get_data(as_text=True)
    assert '<tr data-pillar="developer">' in analysis
    csv = client.get("/offboarding/exits.csv?table=pillars").get_data(as_text=True)
    assert "Initiativrik utvecklare;1;2.0;0;1" in csv
    reasons = client.get("/offboarding/exits.csv?table=reasons").get_data(as_text=True)
    assert "Nytt jobb utanför kommunen;new_job_outside;1;1;1" in reasons


def test_who_reads_and_who_records(
    orebro: Flask,  # noqa: F811
    app: Flask,
    login: Callable[..., Any],
) -> None:
    manager = _leaving()
    _offboard(manager, END)
    other = make_manager("Annan Chef", with_account=True)
    db.session.commit()
    assert manager.user is not None and manager.line_manager is not None
    assert manager.line_manager.user is not None and other.user is not None
    page = f"/managers/{manager.id}/offboarding"
    for email, reads, records in (
        (manager.user.email, 200, 404),
        (manager.line_manager.user.email, 200, 200),
        (other.user.email, 404, 404),
    ):
        browser = app.test_client()
        login(email, test_client=browser)
        assert browser.get(page).status_code == reads
        assert browser.get(f"{page}/exit-interview").status_code == records
        assert browser.get("/offboarding/exits").status_code == 404


def test_hr_adds_and_retires_a_reason(
    orebro: Flask,  # noqa: F811
    client: FlaskClient,
    login: Callable[..., Any],
) -> None:
    _offboard(_leaving(), END, date(2026, 11, 2))
    hr = make_user(Role.HR)
    db.session.commit()
    login(hr.email)
    bad = post_form(client, "/offboarding/reasons", {"code": "Fel kod", "name_sv": "X", "name_en": "X"})
    assert 'id="code-error"' in bad.get_data(as_text=True)
    good = {"code": "studies", "name_sv": "Studier", "name_en": "Studies"}
    assert post_form(client, "/offboarding/reasons", good).status_code == 302
    html = client.get("/offboarding/reasons").get_data(as_text=True)
    assert "Studier" in html and "studies" in html
