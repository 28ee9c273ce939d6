"""A whole recruitment in a real browser: from HR's new vacancy to the new manager's first day.

HR opens a vacancy weighing three expectations, builds its ad (a bank phrase, their own words) and
downloads it as DOCX, takes one candidate from the talent pool and imports
another from the recruitment system's file; two interviewers score both (neither sees the other's
scores before submitting their own); the matrix shows both; the hiring manager hires one, who is handed
over to introduction with dated milestones, an invitation e-mail and goals proposed on the two
expectations the group scored lowest; the other is closed as not selected and told by e-mail.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from typing import Any

import pytest
from docx import Document
from flask import Flask
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import GoalStatus
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import PlanGoal
from lifecycle.models import Vacancy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import NotSelectedReason
from lifecycle.models.talent_pool import PoolSource
from lifecycle.services.introductions import ensure_default_template
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.talent_pool import ProfileValues
from lifecycle.services.talent_pool import add_new_person_to_pool
from lifecycle.timeutil import local_today
from tests.browser.test_pipeline_browser import log_in
from tests.conftest import Inbox
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("clock")

#: what the vacancy weighs: the ad's and the guide's order
WEIGHTS = {"leader.feedback": 3, "secure.steer": 2, "developer.initiative": 1}
#: each interviewer's scores for the candidate from the pool (Petra) and the imported one (Olle)
SCORES = {
    "ivan": {"petra": (4, 2, 3), "olle": (3, 3, 3)},
    "berit": {"petra": (5, 2, 2), "olle": (3, 4, 3)},
}


@dataclass
class Worker:
    """One worker thread that runs the tasks the pages queue, as a Celery worker would: in its own
    context, no request pushed, one SMTP connection kept open between e-mails and closed when it stops.
    """

    jobs: queue.Queue[tuple[str, list[Any]] | None] = field(default_factory=queue.Queue)
    ran: list[str] = field(default_factory=list)

    def drain(self) -> None:
        self.jobs.join()


@pytest.fixture
def worker(app: Flask, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Worker]:
    from celery.exceptions import Retry
    from flask import has_request_context

    from lifecycle.notifications import _drop_smtp_connection

    found = Worker()
    celery_app = app.extensions["celery"]

    def loop() -> None:
        while (job := found.jobs.get()) is not None:
            name, args = job
            with app.app_context():
                assert not has_request_context()
                try:
                    celery_app.tasks[name].run(*args)
                except Retry:
                    pass
                finally:
                    db.session.remove()
                    found.ran.append(name)
                    found.jobs.task_done()
        _drop_smtp_connection()
        found.jobs.task_done()

    thread = threading.Thread(target=contextvars.Context().run, args=(loop,), daemon=True)
    thread.start()
    monkeypatch.setattr(
        celery_app, "send_task", lambda name, args=None, **_: found.jobs.put((name, list(args or [])))
    )
    yield found
    found.jobs.put(None)
    thread.join(timeout=30)


def _setup(app: Flask) -> dict[str, Any]:
    with app.app_context():
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        ensure_default_template()
        unit = make_unit("Förskolor öster")
        hr = make_user(Role.HR, email="hanna.hr@kommun.example", name="Hanna HR")
        berit = make_manager("Berit Beslutsfattare", with_account=True, org_unit=unit)
        ivan = make_user(Role.MANAGER, email="ivan.intervjuare@kommun.example", name="Ivan Intervjuare")
        today = local_today()
        petra = add_new_person_to_pool(
            name="Petra Pool",
            email="petra.pool@example.org",
            employee_number=None,
            values=ProfileValues(PoolSource.ASPIRANT, today - timedelta(days=30)),
            actor=hr,
            today=today,
        )
        expectations = {
            e.key: e.id for e in db.session.scalars(select(Expectation).where(Expectation.key.in_(WEIGHTS)))
        }
        db.session.commit()
        return {
            "hr": hr.email,
            "berit": berit.user.email,  # type: ignore[union-attr]
            "berit_manager": berit.id,
            "ivan": ivan.email,
            "ivan_id": ivan.id,
            "berit_id": berit.user.id,  # type: ignore[union-attr]
            "unit": unit.id,
            "pool_member": petra.id,
            "expectations": expectations,
            "today": today,
        }


def _tab(browser: Any) -> Any:
    """A Swedish tab of its own: each person signs in in their own browser."""
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(15_000)
    return context.new_page()


def _submit(page: Any) -> None:
    page.locator("main form button[type=submit]").last.click()


def _open_vacancy(page: Any, live_url: str, data: dict[str, Any]) -> int:
    page.goto(f"{live_url}/vacancies/new")
    page.locator("#title").fill("Enhetschef, Förskolor öster")
    page.locator("#org_unit_id").select_option(str(data["unit"]))
    page.locator("#hiring_manager_email").fill(data["berit"])
    start = data["today"] + timedelta(days=60)
    page.locator("#planned_start_on").fill(start.isoformat())
    page.locator("#role_text").fill("Du leder sex förskolor med omkring 60 medarbetare.")
    _submit(page)
    # A new vacancy asks for its weights first.
    page.wait_for_url(lambda url: url.endswith("/expectations"))
    vacancy_id = int(page.url.split("/vacancies/")[1].split("/")[0])
    for key, weight in WEIGHTS.items():
        page.locator(f"#e{data['expectations'][key]}").select_option(str(weight))
    _submit(page)
    page.goto(f"{live_url}/vacancies/{vacancy_id}/group")
    page.locator("#interviewers").fill(f"{data['berit']}\n{data['ivan']}")
    _submit(page)
    page.goto(f"{live_url}/vacancies/{vacancy_id}")
    page.locator("#status").select_option("open")
    page.locator("form:has(#status) button[type=submit]").click()
    return vacancy_id


def _build_ad(page: Any, live_url: str, vacancy_id: int, data: dict[str, Any]) -> None:
    """HR picks a bank phrase for one expectation, writes their own for another, and downloads the ad."""
    page.goto(f"{live_url}/vacancies/{vacancy_id}/ad?language=sv")
    feedback, steer = data["expectations"]["leader.feedback"], data["expectations"]["secure.steer"]
    phrase = page.locator(f"label:has(input[name=phrase_{feedback}]:not([value=own]))")
    assert phrase.count() >= 1, "Örebro's bank has phrases for every expectation"
    phrase.last.locator("input").check()
    chosen_phrase = phrase.last.inner_text().strip()
    page.locator(f"input[name=phrase_{steer}][value=own]").check()
    own_words = "Du styr sex förskolor mot tydliga mål och följer upp dem med dina medarbetare."
    page.locator(f"#text_{steer}").fill(own_words)
    _submit(page)
    page.wait_for_url(lambda url: "/ad/preview" in url)
    preview = page.content()
    assert chosen_phrase in preview and own_words in preview
    with page.expect_download() as download:
        page.locator("a[download]").click()
    assert download.value.suggested_filename == f"ad-{vacancy_id}-sv.docx"
    paragraphs = [p.text for p in Document(download.value.path()).paragraphs]
    assert chosen_phrase in paragraphs and own_words in paragraphs
    assert "Du leder sex förskolor med omkring 60 medarbetare." in paragraphs  # the role, as written


def _candidates(app: Flask, vacancy_id: int) -> dict[str, int]:
    with app.app_context():
        vacancy = db.session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        return {c.manager.name.split()[0].lower(): c.id for c in vacancy.candidacies}


def _score(page: Any, live_url: str, candidate: str, scores: tuple[int, ...], data: dict[str, Any]) -> None:
    page.goto(candidate + "/scorecard")
    for key, score in zip(WEIGHTS, scores, strict=True):
        expectation = data["expectations"][key]
        page.locator(f"input[name=score_{expectation}][value='{score}']").check()
        page.locator(f"#evidence_{expectation}").fill(f"Exempel som gav {score} på {key}")
    page.locator("button[name=action][value=submit]").click()
    assert page.locator(".flashes").count() == 1


def test_a_recruitment_from_the_vacancy_to_the_new_managers_introduction(
    app: Flask, live_url: str, browser: Any, inbox: Inbox, worker: Worker
) -> None:
    data = _setup(app)
    page = _tab(browser)

    # -- HR: the vacancy, its weights and group; a candidate from the pool and one imported --
    log_in(page, live_url, data["hr"])
    vacancy_id = _open_vacancy(page, live_url, data)
    _build_ad(page, live_url, vacancy_id, data)
    page.goto(f"{live_url}/talent-pool/{data['pool_member']}")
    page.locator("#vacancy_id").select_option(str(vacancy_id))
    page.locator("form:has(#vacancy_id) button[type=submit]").click()

    page.goto(f"{live_url}/vacancies/{vacancy_id}/candidates/import")
    varbi = (
        "Förnamn;Efternamn;E-post;Telefon;Ansökningsdatum;Ansöknings-ID\r\n"
        f"Olle;Ny;olle.ny@example.org;;{(data['today'] - timedelta(days=2)).isoformat()};V-1001\r\n"
    )
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "varbi.csv", "mimeType": "text/csv", "buffer": varbi.encode("utf-8")}]
    )
    _submit(page)
    page.wait_for_url(lambda url: "/candidates/import/" in url)
    assert "olle.ny@example.org" in page.content()
    _submit(page)  # import the file: the worker writes it after the request
    page.wait_for_url(lambda url: url.endswith("/progress"))
    worker.drain()
    assert "imports.run" in worker.ran
    candidates = _candidates(app, vacancy_id)
    assert set(candidates) == {"petra", "olle"}
    base = f"{live_url}/vacancies/{vacancy_id}/candidates"

    # HR schedules both interviews, with Ivan and Berit on the panel.
    day = data["today"] + timedelta(days=3)
    for hour, name in (("10:00", "petra"), ("14:00", "olle")):
        page.goto(f"{base}/{candidates[name]}/interviews/new")
        page.locator("#starts_on").fill(day.isoformat())
        page.locator("#starts_time").fill(hour)
        page.locator("#location").fill("Stadshuset, rum 3")
        for user_id in (data["ivan_id"], data["berit_id"]):
            page.locator(f"input[name=interviewers][value='{user_id}']").check()
        _submit(page)
    with app.app_context():
        interviews = db.session.scalars(
            select(Activity).where(Activity.kind == ActivityKind.INTERVIEW).order_by(Activity.id)
        ).all()
        assert len(interviews) == 2
        assert {p.key for p in interviews[0].pillars} == {"leader", "secure", "developer"}

    # -- Ivan scores both; before Berit submits, her page shows none of his scores --
    ivan = _tab(browser)
    log_in(ivan, live_url, data["ivan"])
    for name in ("petra", "olle"):
        _score(ivan, live_url, f"{base}/{candidates[name]}", SCORES["ivan"][name], data)

    berit = _tab(browser)
    log_in(berit, live_url, data["berit"])
    berit.goto(f"{base}/{candidates['petra']}")
    assert "Exempel som gav 4 på leader.feedback" not in berit.content(), "no anchoring on Ivan's scores"
    berit.goto(f"{live_url}/vacancies/{vacancy_id}/matrix")
    assert "Ivan Intervjuare" not in berit.locator("main table").all_inner_texts().__str__()
    for name in ("petra", "olle"):
        _score(berit, live_url, f"{base}/{candidates[name]}", SCORES["berit"][name], data)
    berit.goto(f"{base}/{candidates['petra']}")
    assert "Exempel som gav 4 på leader.feedback" in berit.content(), "after her own, she reads his"

    # The matrix: both interviewers' scores for both candidates, and the weighted totals.
    berit.goto(f"{live_url}/vacancies/{vacancy_id}/matrix")
    matrix = berit.locator("main table").first.inner_text()
    assert "Petra Pool" in matrix and "Olle Ny" in matrix
    # Petra: feedback (4+5)/2 = 4.5 ×3, steer 2 ×2, initiative 2.5 ×1 → 20/6 ≈ 3,3
    assert "3,3" in matrix
    # Olle: feedback 3 ×3, steer 3.5 ×2, initiative 3 ×1 → 19/6 ≈ 3,2
    assert "3,2" in matrix

    # -- Berit decides: Petra; the hand-over proposes goals on the two lowest-scored expectations --
    berit.goto(f"{live_url}/vacancies/{vacancy_id}/decision")
    berit.locator("#candidacy").select_option(str(candidates["petra"]))
    berit.locator("#reason").fill("Starkast i feedback och bäst referenser.")
    _submit(berit)
    berit.wait_for_url(lambda url: url.endswith(f"/candidates/{candidates['petra']}/hire"))
    hire_page = berit.content()
    assert "styra och påverka" in hire_page and "ta initiativ – nyttja handlingsutrymmet" in hire_page
    assert "ge och få feedback" not in hire_page, "the proposals are the two lowest-scored only"
    start = data["today"] + timedelta(days=60)
    assert berit.locator("#start_on").input_value() == start.isoformat()
    _submit(berit)
    berit.wait_for_url(f"{live_url}/vacancies/{vacancy_id}")

    # -- HR closes Olle as not selected, and tells him by e-mail --
    page.goto(f"{live_url}/vacancies/{vacancy_id}")
    olle_form = page.locator(f"form:has(#reason-{candidates['olle']})")
    olle_form.locator(f"#reason-{candidates['olle']}").select_option(NotSelectedReason.OTHER_CANDIDATE.value)
    olle_form.locator("input[name=tell]").check()
    olle_form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_url}/vacancies/{vacancy_id}*")
    for tab in (page, ivan, berit):
        tab.context.close()
    worker.drain()

    with app.app_context():
        vacancy = db.session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        steps = {c.manager.name: c for c in vacancy.candidacies}
        hired, closed = steps["Petra Pool"], steps["Olle Ny"]
        assert hired.step is CandidateStep.HIRED and hired.starts_on == start
        person = db.session.get(Manager, hired.manager_id)
        assert person is not None and person.stage is Stage.INTRODUCE
        assert person.org_unit_id == data["unit"] and person.line_manager_id == data["berit_manager"]
        milestones = db.session.scalars(
            select(Activity)
            .join(Activity.participants)
            .where(Manager.id == person.id, Activity.kind == ActivityKind.INTRODUCTION_MILESTONE)
        ).all()
        assert milestones and all(m.due_on is not None for m in milestones)
        assert max(m.due_on for m in milestones) > start, "dated from the start on working days"  # type: ignore[type-var]
        proposed = db.session.scalars(
            select(PlanGoal).where(PlanGoal.candidacy_id == hired.id, PlanGoal.status == GoalStatus.PROPOSED)
        ).all()
        assert sorted(e.key for g in proposed for e in g.expectations) == [
            "developer.initiative",
            "secure.steer",
        ], "the two expectations the group scored lowest for her"
        assert closed.step is CandidateStep.NOT_SELECTED
        assert closed.not_selected_reason is NotSelectedReason.OTHER_CANDIDATE
        olle = db.session.get(Manager, closed.manager_id)
        assert olle is not None and olle.stage is Stage.CLOSED
    assert inbox.to("petra.pool@example.org"), "the new manager's invitation"
    assert inbox.to("olle.ny@example.org"), "the candidate not selected is told"
