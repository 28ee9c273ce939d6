"""Chefsresan with another municipality's platform: four pillars, other keys, no programme of its own.

A test of Örebro's platform proves nothing about another, so this one loads tests/platforms/nordby.yaml
and runs the demo, the default programme, every page a user can reach by following links (as an admin,
HR, a line manager and a manager), the API and an activity import, with nothing of Örebro's in sight.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urldefrag
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import CatalogueItem
from lifecycle.models import Manager
from lifecycle.models import Pillar
from lifecycle.services.accounts import get_user_by_email
from lifecycle.services.activity_imports import apply_activity_import
from lifecycle.services.activity_imports import plan_activity_import
from lifecycle.services.activity_imports import read_activity_file
from lifecycle.services.demo import DEMO_PASSWORD
from lifecycle.services.demo import DOMAIN
from lifecycle.services.demo import seed_demo_data
from lifecycle.services.introductions import ensure_default_template
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.tokens import create_token
from lifecycle.timeutil import local_today
from tests.conftest import REPO_ROOT
from tests.conftest import post_form
from tests.factories import make_manager

NORDBY = Path(__file__).parent / "platforms" / "nordby.yaml"
NORDBY_PILLARS = {"trygg", "modig", "nyfiken", "tydlig"}
#: Örebro's keys, read from its file: none of them may show up anywhere with Nordby's platform
OREBRO_EXPECTATIONS = set(
    re.findall(r"key: ((?:secure|developer|leader)\.[a-z_]+)", DEFAULT_PLATFORM.read_text())
)
#: pages that are not worth crawling further, or that would end the session
SKIP = re.compile(r"^/(logout|static/)|\.(csv|xlsx|ics)$|/export")

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def nordby(app_ctx: Flask) -> Flask:
    load_platform(parse_platform(NORDBY.read_bytes()))
    seed_demo_data()
    db.session.commit()
    return app_ctx


def _keys_of(pillars: object) -> set[str]:
    return {p.key for p in pillars}  # type: ignore[attr-defined]


def test_orebro_keys_are_read_from_its_file() -> None:
    assert len(OREBRO_EXPECTATIONS) == 16


def test_the_demo_and_the_default_programme_are_tagged_with_the_loaded_platform(nordby: Flask) -> None:
    assert {p.key for p in db.session.scalars(select(Pillar))} == NORDBY_PILLARS
    template = ensure_default_template()
    assert template.milestones
    tagged = {p.key for m in template.milestones for p in m.pillars}
    assert tagged == NORDBY_PILLARS, "the built programme builds every pillar of the platform"
    assert {e.key.split(".")[0] for m in template.milestones for e in m.expectations} <= NORDBY_PILLARS
    catalogue = list(db.session.scalars(select(CatalogueItem)))
    assert {p.key for item in catalogue for p in item.pillars} == NORDBY_PILLARS
    # Introduction milestones were launched for the demo's newcomers, with Nordby's tags.
    milestones = list(
        db.session.scalars(select(Activity).where(Activity.kind == ActivityKind.INTRODUCTION_MILESTONE))
    )
    assert milestones and all(_keys_of(a.pillars) <= NORDBY_PILLARS for a in milestones)
    assert db.session.scalar(select(Manager).where(Manager.stage == Stage.INTRODUCE)) is not None


def _crawl(app: Flask, email: str, limit: int = 400) -> dict[str, int]:
    """Log in as `email` and follow every link the pages show; return each page's status."""
    browser = app.test_client()
    response = post_form(browser, "/login", {"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{email} could not log in"
    seen: dict[str, int] = {}
    queue = deque([response.headers["Location"], "/"])
    while queue and len(seen) < limit:
        url = urldefrag(queue.popleft())[0]
        parts = urlsplit(url)
        if parts.netloc or url in seen or SKIP.search(parts.path):
            continue
        page = browser.get(url)
        seen[url] = page.status_code
        assert page.status_code < 500, f"{url} as {email}: {page.status_code}"
        if page.status_code == 200 and page.mimetype == "text/html":
            body = page.get_data(as_text=True)
            shown = [key for key in OREBRO_EXPECTATIONS if key in body]
            assert not shown, f"{url} as {email} names Örebro's {shown}"
            queue.extend(re.findall(r'href="(/[^"]*)"', body.replace("&amp;", "&")))
    return seen


@pytest.mark.parametrize("who", ["admin", "hr", "line manager", "manager"])
def test_every_page_a_user_can_reach_works(nordby: Flask, who: str) -> None:
    reports = select(Manager.line_manager_id).where(Manager.line_manager_id.is_not(None))
    if who in {"admin", "hr"}:
        email = f"{who}@{DOMAIN}"
    else:
        query = select(Manager).where(Manager.user_id.is_not(None), Manager.stage == Stage.DEVELOP)
        query = query.where(Manager.id.in_(reports) if who == "line manager" else Manager.id.not_in(reports))
        person = db.session.scalars(query.order_by(Manager.id)).first()
        assert person is not None and person.email
        email = person.email
    seen = _crawl(nordby, email)
    assert sum(1 for status in seen.values() if status == 200) >= (40 if who in {"admin", "hr"} else 8)
    # A link the app shows leads somewhere: nothing it offers is missing.
    assert [url for url, status in seen.items() if status == 404] == []


def test_the_api_speaks_the_loaded_platform(nordby: Flask) -> None:
    hr = get_user_by_email(f"hr@{DOMAIN}")
    assert hr is not None
    _token, secret = create_token(hr, "test")
    db.session.commit()
    api = nordby.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    platform = api.get("/api/v1/platform", headers=headers).get_json()
    assert {p["key"] for p in platform["pillars"]} == NORDBY_PILLARS
    document = api.get("/api/v1/openapi.json").get_data(as_text=True)
    assert '"trygg"' in document and "trygg.ansvar" in document
    assert not [key for key in OREBRO_EXPECTATIONS if key in document]
    manager = db.session.scalars(select(Manager).where(Manager.stage == Stage.DEVELOP)).first()
    assert manager is not None
    body = {
        "kind": "course",
        "title": "Modigt ledarskap",
        "pillars": ["modig"],
        "expectations": ["tydlig.mal"],
    }
    created = api.post(f"/api/v1/managers/{manager.id}/activities", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert set(created.get_json()["pillars"]) == {"modig", "tydlig"}
    refused = api.post(
        f"/api/v1/managers/{manager.id}/activities",
        json={**body, "pillars": ["leader"], "expectations": ["leader.feedback"]},
        headers=headers,
    )
    assert refused.status_code in {400, 422} and "error" in refused.get_json()


def test_an_obstacle_hinders_the_loaded_platforms_pillars(nordby: Flask) -> None:
    manager = db.session.scalars(
        select(Manager).where(
            Manager.user_id.is_not(None), Manager.org_unit_id.is_not(None), Manager.stage == Stage.DEVELOP
        )
    ).first()
    assert manager is not None and manager.user is not None
    _token, secret = create_token(manager.user, "test")
    db.session.commit()
    api = nordby.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"title": "Ingen lokal", "severity": "medium", "expectations": ["modig.prova"]}
    created = api.post("/api/v1/obstacles", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert (created.get_json()["pillars"], created.get_json()["expectations"]) == (["modig"], ["modig.prova"])
    refused = api.post("/api/v1/obstacles", json={**body, "expectations": ["leader.trust"]}, headers=headers)
    assert refused.status_code == 422 and "expectations" in refused.get_json()["error"]["fields"]
    hr = get_user_by_email(f"hr@{DOMAIN}")
    assert hr is not None
    browser = nordby.test_client()
    post_form(browser, "/login", {"email": hr.email, "password": DEMO_PASSWORD})
    page = browser.get(f"/obstacles/overview?pillar={created.get_json()['pillars'] and ''}").get_data(
        as_text=True
    )
    assert "Ingen lokal" in page


def test_an_activity_import_uses_the_loaded_platforms_keys(nordby: Flask) -> None:
    people = db.session.scalars(select(Manager).where(Manager.stage == Stage.DEVELOP).limit(2)).all()
    numbers = [p.employee_number for p in people]
    done = local_today().isoformat()
    rows = [
        "employee_numbers;kind;title;pillars;expectations;due_on;completed_on;description;reference",
        f"{numbers[0]};course;Nyfiken på omvärlden;nyfiken;nyfiken.omvarld;;{done};;N-1",
        f"{numbers[0]} {numbers[1]};workshop;Tydlig återkoppling;;tydlig.aterkoppla;;{done};;N-2",
        f"{numbers[1]};course;Fel plattform;leader;leader.feedback;;{done};;N-3",
    ]
    plan = plan_activity_import(read_activity_file(("\r\n".join(rows) + "\r\n").encode()), local_today())
    errors = {row.reference: row.errors for row in plan.rows if row.errors}
    assert list(errors) == ["N-3"], errors
    good = plan_activity_import(read_activity_file(("\r\n".join(rows[:3]) + "\r\n").encode()), local_today())
    apply_activity_import(good, actor=None)
    db.session.flush()
    imported = db.session.scalars(select(Activity).where(Activity.import_reference.in_(["N-1", "N-2"]))).all()
    assert {p.key for a in imported for p in a.pillars} == {"nyfiken", "tydlig"}


def test_no_code_names_orebros_expectations() -> None:
    """Only Örebro's platform file may: everything else takes its keys from the loaded platform."""
    found = []
    for path in sorted((REPO_ROOT / "lifecycle").rglob("*")):
        relative = path.relative_to(REPO_ROOT)
        if not path.is_file() or relative.parts[1] in {"platforms", "translations", "static"}:
            continue
        if path.suffix not in {".py", ".html", ".txt", ".yaml", ".json", ".js"}:
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{relative}: {key}" for key in OREBRO_EXPECTATIONS if key in text]
        found += [
            f"{relative}: pillar {key!r}" for key in ("secure", "developer", "leader") if f'"{key}"' in text
        ]
    assert found == []


# -- mentoring ---------------------------------------------------------------------------------------------


def test_role_models_and_suggestions_use_the_loaded_platforms_keys(nordby: Flask) -> None:
    from lifecycle.enums import Assessor
    from lifecycle.models import Expectation
    from lifecycle.models import RoleModel
    from lifecycle.services.mentoring import mark_role_model
    from lifecycle.services.mentoring import suggest_mentors
    from lifecycle.services.plans import ensure_plan
    from lifecycle.services.reviews import record_assessments

    demo = db.session.scalars(select(RoleModel)).all()
    assert demo and {p.key for r in demo for p in r.pillars} <= {"trygg", "modig", "nyfiken", "tydlig"}
    newcomer = make_manager("Nina Nordby", with_account=True)
    listener = make_manager("Lars Lyssnare", with_account=True)
    mark_role_model(listener, pillar_keys=[], expectation_keys=["tydlig.aterkoppla"], capacity=1, actor=None)
    feedback = db.session.scalar(select(Expectation).where(Expectation.key == "tydlig.aterkoppla"))
    assert feedback is not None
    review = ensure_plan(newcomer, local_today()).reviews[0]
    record_assessments(review, Assessor.LINE_MANAGER, {feedback.id: (1, "")})
    suggestions = suggest_mentors(newcomer, local_today())
    by_name = {s.mentor.name: s for s in suggestions}
    assert "Lars Lyssnare" in by_name
    assert any(r.weakness.expectation == feedback for r in by_name["Lars Lyssnare"].reasons)
    # Örebro's keys are unknown here.
    with pytest.raises(ValueError):
        mark_role_model(newcomer, pillar_keys=["leader"], expectation_keys=[], capacity=1, actor=None)


# -- wstests ----
if TYPE_CHECKING:
    from lifecycle.models import OrgUnit
    from lifecycle.models import User
    from lifecycle.models.workshops import Workshop

#: Nordby's file's discussion guide: two pillars only (trygg in both languages, nyfiken in Swedish)
NORDBY_QUESTIONS = {
    (pillar.key, language): list(listed)
    for pillar in parse_platform(NORDBY.read_bytes()).pillars
    for language, listed in pillar.workshop_questions.items()
}


def _nordby_group() -> tuple[OrgUnit, list[Manager], User]:
    """A unit of two managers in post and an HR user, committed; the Nordby fixture's demo aside."""
    from lifecycle.enums import Role
    from tests.factories import make_unit
    from tests.factories import make_user

    unit = make_unit("Nordby socialförvaltning")
    managers = [
        make_manager(name, org_unit=unit, with_account=True) for name in ("Nils Nordby", "Nora Nordby")
    ]
    return unit, managers, make_user(Role.HR, email="hr.workshop@nordby.example", name="Hilda HR")


def _nordby_workshop(unit: OrgUnit, hr: User, *pillar_keys: str) -> Workshop:
    from datetime import datetime
    from datetime import time
    from datetime import timedelta

    from lifecycle.services.workshops import WorkshopValues
    from lifecycle.services.workshops import plan_workshop
    from lifecycle.timeutil import STOCKHOLM

    pillars = db.session.scalars(select(Pillar).where(Pillar.key.in_(pillar_keys))).all()
    held_at = datetime.combine(local_today() - timedelta(days=1), time(9), tzinfo=STOCKHOLM)
    values = WorkshopValues("Nordbys ledningsgrupp", held_at, hr, [p.id for p in pillars])
    return plan_workshop(unit, values, hr)


def test_the_discussion_guide_is_seeded_from_nordbys_file_with_its_pillars(nordby: Flask) -> None:
    from lifecycle.enums import Language
    from lifecycle.models.workshops import WorkshopQuestion
    from lifecycle.services.workshops.guide import guide_for

    assert {key for key, _language in NORDBY_QUESTIONS} == {"trygg", "nyfiken"}
    pillars = {p.key: p for p in db.session.scalars(select(Pillar))}
    for language in Language:
        guide = guide_for([p.id for p in pillars.values()], language)
        for key, pillar in pillars.items():
            texts = [q.text for q in guide[pillar.id]]
            assert texts == NORDBY_QUESTIONS.get((key, language.value), []), (key, language)
    # Nothing of Örebro's guide (six questions a pillar) was seeded: each question is Nordby's.
    stored = db.session.scalars(select(WorkshopQuestion)).all()
    assert len(stored) == sum(len(texts) for texts in NORDBY_QUESTIONS.values()) == 5
    assert {q.pillar.key for q in stored} == {"trygg", "nyfiken"}
    assert all(q.seed_number for q in stored)


def test_a_workshops_outcome_is_recorded_per_nordby_pillar(nordby: Flask) -> None:
    from lifecycle.services.workshops import PillarOutcome
    from lifecycle.services.workshops import WorkshopError
    from lifecycle.services.workshops import record_outcome

    unit, managers, hr = _nordby_group()
    workshop = _nordby_workshop(unit, hr, *NORDBY_PILLARS)
    pillars = {p.key: p for p in workshop.pillars}
    assert list(pillars) == ["trygg", "modig", "nyfiken", "tydlig"], "in the platform's order"
    record_outcome(
        workshop,
        [PillarOutcome(pillar.id, notes=f"Om {key}") for key, pillar in pillars.items()],
        hr,
        local_today(),
    )
    notes = {o.pillar.key: o.notes for o in workshop.outcomes}
    assert notes == {key: f"Om {key}" for key in NORDBY_PILLARS}
    activities = db.session.scalars(select(Activity).where(Activity.workshop_id == workshop.id)).all()
    assert {a.participants[0].id for a in activities} == {m.id for m in managers}
    assert all(_keys_of(a.pillars) == NORDBY_PILLARS and a.completed_on for a in activities)
    # A pillar the workshop did not discuss has no outcome to record.
    only_trygg = _nordby_workshop(unit, hr, "trygg")
    with pytest.raises(WorkshopError) as refused:
        record_outcome(only_trygg, [PillarOutcome(pillars["modig"].id)], hr, local_today())
    assert refused.value.field == "pillars"


def test_a_group_goal_is_tagged_with_a_nordby_pillar_and_its_expectations(nordby: Flask) -> None:
    from datetime import timedelta

    from lifecycle.models import Expectation
    from lifecycle.services.workshops import GoalDraft
    from lifecycle.services.workshops import PillarOutcome
    from lifecycle.services.workshops import WorkshopError
    from lifecycle.services.workshops import record_outcome
    from lifecycle.services.workshops.queries import group_goals_of

    unit, (nils, nora), hr = _nordby_group()
    workshop = _nordby_workshop(unit, hr, "modig", "tydlig")
    modig = next(p for p in workshop.pillars if p.key == "modig")
    expectations = {e.key: e for e in db.session.scalars(select(Expectation))}
    follow_up = local_today() + timedelta(days=30)

    def goal(*keys: str) -> PillarOutcome:
        ids = [expectations[key].id for key in keys]
        return PillarOutcome(
            modig.id, goals=[GoalDraft("Pröva ett nytt arbetssätt", nils.id, follow_up, ids)]
        )

    with pytest.raises(WorkshopError) as refused:  # an expectation of another of Nordby's pillars
        record_outcome(workshop, [goal("tydlig.mal")], hr, local_today())
    assert refused.value.field == "modig-goals-0-expectations"
    (made,) = record_outcome(workshop, [goal("modig.prova", "modig.vaga")], hr, local_today()).goals
    assert [p.key for p in made.pillars] == ["modig"] and made.pillar.key == "modig"
    assert [e.key for e in made.expectations] == ["modig.prova", "modig.vaga"]
    assert group_goals_of(nils) == [made] == group_goals_of(nora)


def test_the_workshop_page_shows_nordbys_guide_in_english(nordby: Flask) -> None:
    unit, _managers, hr = _nordby_group()
    workshop = _nordby_workshop(unit, hr, "trygg", "nyfiken")
    db.session.commit()
    browser = nordby.test_client()
    post_form(browser, "/login", {"email": hr.email, "password": "correct horse battery"})
    url = f"/workshops/{workshop.id}"
    english = browser.get(f"{url}?lang=en").get_data(as_text=True)
    assert "Steady manager" in english and "Curious learner" in english
    for text in NORDBY_QUESTIONS["trygg", "en"]:
        assert text in english
    assert not [text for text in NORDBY_QUESTIONS["trygg", "sv"] if text in english]
    # Nyfiken's questions are Swedish only: in English its guide is empty, not Swedish.
    assert NORDBY_QUESTIONS["nyfiken", "sv"][0] not in english
    assert "The guide has no questions for this pillar." in english
    swedish = browser.get(f"{url}?lang=sv").get_data(as_text=True)
    assert all(
        text in swedish for text in NORDBY_QUESTIONS["trygg", "sv"] + NORDBY_QUESTIONS["nyfiken", "sv"]
    )
    guide = browser.get("/workshops/guide/trygg?lang=en").get_data(as_text=True)
    assert all(text in guide for text in NORDBY_QUESTIONS["trygg", "en"])
