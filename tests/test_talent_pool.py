"""The talent pool (attract): members, their strengths and consent, moving them into a recruitment,
removing them, attract activities for them, and the two retention jobs (pool consent, candidates).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

from config import ConfigurationError
from config import TestingConfig
from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import AuditEvent
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import StageTransition
from lifecycle.models import TalentProfile
from lifecycle.models import User
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateSource
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import NotSelectedReason
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.models.talent_pool import PoolSource
from lifecycle.services.activities import resolve_tags
from lifecycle.services.gdpr import anonymise_person
from lifecycle.services.gdpr import retention_candidates
from lifecycle.services.journey import move_to_stage
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.recruitment import VacancyError
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import add_candidate
from lifecycle.services.recruitment import add_external_candidate
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import not_select
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.services.recruitment.retention import candidates_past_retention
from lifecycle.services.talent_pool import PoolError
from lifecycle.services.talent_pool import PoolFilter
from lifecycle.services.talent_pool import ProfileValues
from lifecycle.services.talent_pool import add_new_person_to_pool
from lifecycle.services.talent_pool import add_to_pool
from lifecycle.services.talent_pool import apply_pool_retention
from lifecycle.services.talent_pool import consent_until
from lifecycle.services.talent_pool import expired_profiles
from lifecycle.services.talent_pool import move_into_recruitment
from lifecycle.services.talent_pool import pool_page
from lifecycle.services.talent_pool import pool_retention_period
from lifecycle.services.talent_pool import remove_from_pool
from lifecycle.services.talent_pool import renew_consent
from lifecycle.services.talent_pool import update_profile
from lifecycle.timeutil import STOCKHOLM
from lifecycle.timeutil import local_today
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user
from tests.test_migrations import _flask_db
from tests.test_migrations import empty_postgres_database  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("clock")

PERIOD = timedelta(days=730)


@pytest.fixture
def orebro(app_ctx: Flask) -> Flask:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    return app_ctx


def _values(
    source: PoolSource = PoolSource.EXTERNAL_CONTACT, given_on: date | None = None, **more: Any
) -> ProfileValues:
    return ProfileValues(source=source, consent_given_on=given_on or local_today(), **more)


def _contact(name: str = "Karin Kontakt", given_on: date | None = None, **more: Any) -> TalentProfile:
    return add_new_person_to_pool(
        name=name,
        email=more.pop("email", f"{(name.split() or ['x'])[0].lower()}@example.org"),
        employee_number=more.pop("employee_number", None),
        values=_values(given_on=given_on, **more),
        actor=None,
        today=local_today(),
    )


def _profile_ids() -> set[int]:
    return set(db.session.scalars(select(TalentProfile.id)))


def _open_vacancy(unit: OrgUnit, hr: User | None = None, title: str = "Rektor Norra skolan") -> Vacancy:
    vacancy = create_vacancy(VacancyValues(title=title, org_unit=unit), hr)
    trust = db.session.scalar(select(Expectation).where(Expectation.key == "leader.trust"))
    assert trust is not None
    set_weights(vacancy, {trust: 3})
    set_status(vacancy, VacancyStatus.OPEN, local_today())
    return vacancy


# -- members -----------------------------------------------------------------------------------------


def test_someone_new_enters_the_journey_at_attract_with_their_strengths(orebro: Flask) -> None:
    pillars, expectations = resolve_tags([], ["leader.trust"])
    profile = _contact(pillars=[], expectations=expectations, notes="  Träffades på mässan  ")
    person = profile.manager
    assert (person.stage, person.stage_entered_on) == (Stage.ATTRACT, local_today())
    assert person.employee_number is None and person.email == "karin@example.org"
    # An expectation shows strength in its pillar too; the note is trimmed.
    assert [p.key for p in profile.pillars] == ["leader"] == [p.key for p in pillars]
    assert [e.key for e in profile.expectations] == ["leader.trust"]
    assert profile.notes == "Träffades på mässan"
    history = db.session.scalars(select(StageTransition).where(StageTransition.manager_id == person.id))
    assert [(t.from_stage, t.to_stage) for t in history] == [(None, Stage.ATTRACT)]
    assert consent_until(profile.consent_given_on) == local_today() + PERIOD


def test_a_manager_in_post_joins_the_pool_keeping_their_journey(orebro: Flask) -> None:
    manager = make_manager("Ingrid Intern", stage=Stage.DEVELOP)
    profile = add_to_pool(manager, _values(PoolSource.ASPIRANT), None, local_today())
    assert manager.stage is Stage.DEVELOP and profile.manager is manager
    with pytest.raises(PoolError, match="Ingrid Intern") as refused:
        add_to_pool(manager, _values(), None, local_today())
    assert refused.value.field == "person"
    closed = make_manager("Stängd Resa", stage=Stage.ATTRACT, entered_on=date(2026, 1, 1))
    move_to_stage(closed, Stage.CLOSED, None, "", local_today())
    with pytest.raises(PoolError):
        add_to_pool(closed, _values(), None, local_today())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "   "}, "name"),
        ({"given_on": date(2026, 11, 5)}, "consent_given_on"),  # tomorrow
        ({"given_on": date(2024, 11, 3)}, "consent_given_on"),  # ran out already
        ({"notes": "x" * 1001}, "notes"),
        ({"employee_number": "E-1"}, "employee_number"),
        ({"email": "FINNS@example.org"}, "email"),
    ],
)
def test_a_refused_member_names_the_field_to_fix(orebro: Flask, change: dict[str, Any], field: str) -> None:
    existing = make_manager("Finns Redan")
    existing.employee_number, existing.email = "E-1", "finns@example.org"
    db.session.flush()
    before = db.session.scalar(select(func.count()).select_from(Manager))
    with pytest.raises(PoolError) as refused:
        _contact(change.pop("name", "Ny Kontakt"), **change)
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Manager)) == before


def test_the_consent_is_renewed_and_the_profile_changed(orebro: Flask) -> None:
    profile = _contact(given_on=local_today() - timedelta(days=700))
    until = renew_consent(profile, local_today(), local_today())
    assert until == local_today() + PERIOD and profile.consent_given_on == local_today()
    with pytest.raises(PoolError) as refused:
        renew_consent(profile, local_today() - timedelta(days=1), local_today())
    assert refused.value.field == "consent_given_on"
    pillars, _none = resolve_tags(["secure"], [])
    update_profile(profile, _values(PoolSource.EVENT, pillars=pillars, notes="Ny"), local_today())
    assert (profile.source, [p.key for p in profile.pillars], profile.notes) == (
        PoolSource.EVENT,
        ["secure"],
        "Ny",
    )


def test_changes_to_a_member_are_audited_without_their_values(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    profile = add_new_person_to_pool(
        name="Audit Person",
        email=None,
        employee_number=None,
        values=_values(notes="Hemligt"),
        actor=hr,
        today=local_today(),
    )
    renew_consent(profile, local_today(), local_today())
    db.session.flush()
    events = list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "talent_profile").order_by(AuditEvent.id)
        )
    )
    assert (events[0].action, events[0].subject_manager_id) == ("create", profile.manager_id)
    assert all("Hemligt" not in str(e.detail) for e in events)


def test_the_pool_filters_by_source_strength_consent_and_name(orebro: Flask) -> None:
    today = local_today()
    _pillars, expectations = resolve_tags([], ["developer.scout"])
    scout = _contact("Sara Spanare", expectations=expectations)
    soon = _contact("Sonja Snart", given_on=today - PERIOD + timedelta(days=30))
    manager = make_manager("Ivar Intern")
    aspirant = add_to_pool(manager, _values(PoolSource.ASPIRANT), None, today)
    anonymised = _contact("Anna Anonym")
    anonymise_person(anonymised.manager, None)

    def names(**filters: Any) -> list[str]:
        profiles, total = pool_page(PoolFilter(**filters), today, PERIOD, 1)
        assert total == len(profiles)
        return [profile.manager.name for profile in profiles]

    # Consent running out first; the anonymised person's profile went with their data.
    assert names() == ["Sonja Snart", "Sara Spanare", "Ivar Intern"]
    assert _profile_ids() == {scout.id, soon.id, aspirant.id}
    assert names(sources=(PoolSource.ASPIRANT,)) == ["Ivar Intern"]
    assert names(pillar="developer") == names(expectation="developer.scout") == ["Sara Spanare"]
    assert names(pillar="secure") == []
    assert names(runs_out_soon=True) == ["Sonja Snart"]
    assert names(query="spana") == ["Sara Spanare"]
    assert names(query="100%_") == []


def test_the_pool_page_reads_the_same_number_of_statements_for_more_members(
    orebro: Flask, count_queries: Callable[[], Any]
) -> None:
    pillars, expectations = resolve_tags(["leader"], ["leader.trust"])
    for number in range(3):
        _contact(f"Person{number} Nummer", pillars=pillars, expectations=expectations)
    with count_queries() as few:
        pool_page(PoolFilter(), local_today(), PERIOD, 1)
    for number in range(3, 15):
        _contact(f"Person{number} Nummer", pillars=pillars, expectations=expectations)
    with count_queries() as many:
        profiles, _total = pool_page(PoolFilter(), local_today(), PERIOD, 1)
        [(p.manager.name, list(p.pillars), list(p.expectations)) for p in profiles]
    assert many.count == few.count


# -- into recruitment, and out of the pool -------------------------------------------------------------


def test_a_member_moves_into_a_recruitment_with_one_action_and_stays_linked(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    vacancy = _open_vacancy(make_unit())
    profile = _contact()
    candidacy = move_into_recruitment(profile, vacancy, hr, local_today())
    assert (candidacy.source, candidacy.step) == (CandidateSource.TALENT_POOL, CandidateStep.APPLIED)
    assert profile.manager.stage is Stage.RECRUIT
    assert db.session.get(TalentProfile, profile.id) is profile
    with pytest.raises(VacancyError, match="Karin Kontakt"):
        move_into_recruitment(profile, vacancy, hr, local_today())
    # Not selected, their journey closes: the pool shows them no more, and the job erases the profile.
    not_select(candidacy, NotSelectedReason.OTHER_CANDIDATE, hr, local_today())
    assert pool_page(PoolFilter(), local_today(), PERIOD, 1)[1] == 0
    assert [p.id for p in expired_profiles(local_today(), PERIOD)] == [profile.id]


def test_removing_someone_only_in_the_pool_closes_their_journey_and_anonymises_them(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    profile = _contact("Rut Raderad", notes="Ring i vår")
    person_id = profile.manager_id
    assert remove_from_pool([profile], hr, local_today(), reason="Bad själv om det") == [person_id]
    db.session.commit()
    person = db.session.get(Manager, person_id)
    assert person is not None and person.anonymised_at is not None and "Rut" not in person.name
    assert person.stage is Stage.CLOSED and person.email is None
    assert db.session.scalar(select(func.count()).select_from(TalentProfile)) == 0
    actions = set(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_manager_id == person_id))
    )
    assert {"delete", "move", "anonymise"} <= actions


def test_removing_a_manager_in_post_erases_only_their_place_in_the_pool(orebro: Flask) -> None:
    manager = make_manager("Maja Kvar")
    profile = add_to_pool(manager, _values(PoolSource.ASPIRANT), None, local_today())
    assert remove_from_pool([profile], None, local_today(), reason="") == []
    assert (manager.stage, manager.name, manager.anonymised_at) == (Stage.DEVELOP, "Maja Kvar", None)
    assert db.session.scalar(select(func.count()).select_from(TalentProfile)) == 0


# -- the pool's retention job -------------------------------------------------------------------------


def _travel_to(day: date) -> time_machine.travel:
    return time_machine.travel(datetime(day.year, day.month, day.day, 3, 0, tzinfo=STOCKHOLM), tick=False)


def test_the_pool_job_removes_a_member_the_day_after_the_consent_ran_out_not_before(
    app: Flask, orebro: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "TALENT_POOL_RETENTION_DAYS", 730)
    given = local_today()
    contact = _contact("Gunnel Gammal", given_on=given)
    manager = make_manager("Hanna Chef")
    add_to_pool(manager, _values(PoolSource.ASPIRANT, given_on=given), None, given)
    renewed = _contact("Nora Förnyad", given_on=given)
    person_id = contact.manager_id
    db.session.commit()
    task = app.extensions["celery"].tasks["talent_pool.retention"]
    last_day = consent_until(given)
    with _travel_to(last_day):
        assert local_today() == last_day
        assert task.apply().get() == 0
        renew_consent(renewed, last_day, last_day)
        db.session.commit()
    with _travel_to(last_day + timedelta(days=1)):
        assert task.apply().get() == 2
        assert task.apply().get() == 0, "a second run finds nobody"
    db.session.expire_all()
    assert _profile_ids() == {renewed.id}
    person = db.session.get(Manager, person_id)
    assert person is not None and person.anonymised_at is not None and person.stage is Stage.CLOSED
    # The manager in post keeps their journey; only the pool forgets them.
    assert db.session.get(Manager, manager.id).anonymised_at is None  # type: ignore[union-attr]
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "anonymise", AuditEvent.subject_manager_id == person_id)
    )
    assert event is not None and event.actor_id is None and event.source == "system"
    assert event.detail.get("reason") == "talent_pool_retention"


def test_the_pool_period_is_read_when_the_job_runs(
    app: Flask, orebro: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    _contact(given_on=local_today() - timedelta(days=40))
    monkeypatch.setitem(app.config, "TALENT_POOL_RETENTION_DAYS", 30)
    assert pool_retention_period() == timedelta(days=30)
    assert len(apply_pool_retention().removed) == 1


# -- the candidates' retention job --------------------------------------------------------------------


def _not_selected(vacancy: Vacancy, name: str, decided_at: datetime) -> Manager:
    candidacy = add_external_candidate(
        vacancy, name=name, email=f"{name[:3].lower()}@example.org", actor=None, applied_on=decided_at.date()
    )
    not_select(candidacy, NotSelectedReason.REQUIREMENTS, None, decided_at.date())
    candidacy.step_changed_at = decided_at
    db.session.flush()
    return candidacy.manager


def test_candidates_not_selected_are_anonymised_after_the_period_from_the_decision(
    app: Flask, orebro: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "CANDIDATE_RETENTION_DAYS", 730)
    vacancy = _open_vacancy(make_unit())
    decided = datetime(2026, 11, 4, 15, 0, tzinfo=STOCKHOLM)
    rejected = _not_selected(vacancy, "Nils Nej", decided)
    in_post = make_manager("Petter Kvar", stage=Stage.DEVELOP)
    internal = add_candidate(vacancy, in_post, None, decided.date())
    not_select(internal, NotSelectedReason.OTHER_CANDIDATE, None, decided.date())
    internal.step_changed_at = decided
    # Not selected for another vacancy, but still in the process for this one: kept.
    other = _open_vacancy(make_unit(), title="Förskolechef")
    running = add_external_candidate(
        vacancy, name="Rita Ring", email=None, actor=None, applied_on=decided.date()
    ).manager
    elsewhere = add_candidate(other, running, None, decided.date())
    not_select(elsewhere, NotSelectedReason.REQUIREMENTS, None, decided.date())
    elsewhere.step_changed_at = decided
    rejected_id, candidacy_id = (
        rejected.id,
        db.session.scalar(select(Candidacy.id).where(Candidacy.manager_id == rejected.id)),
    )
    db.session.commit()
    task = app.extensions["celery"].tasks["recruitment.candidate_retention"]
    kept_until = decided.date() + timedelta(days=730)
    with _travel_to(kept_until):
        assert task.apply().get() == 0
    with _travel_to(kept_until + timedelta(days=1)):
        assert [m.id for m in candidates_past_retention(local_today(), timedelta(days=730))] == [rejected_id]
        assert task.apply().get() == 1
        assert task.apply().get() == 0, "a second run finds nobody"
    db.session.expire_all()
    person = db.session.get(Manager, rejected_id)
    assert person is not None and person.anonymised_at is not None
    assert "Nils" not in person.name and person.email is None
    # The candidacy, its step and its reason code stay for statistics.
    candidacy = db.session.get(Candidacy, candidacy_id)
    assert candidacy is not None
    assert (candidacy.step, candidacy.not_selected_reason) == (
        CandidateStep.NOT_SELECTED,
        NotSelectedReason.REQUIREMENTS,
    )
    for kept in (in_post.id, running.id):
        assert db.session.get(Manager, kept).anonymised_at is None  # type: ignore[union-attr]
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "anonymise", AuditEvent.subject_manager_id == rejected_id
        )
    )
    assert (
        event is not None and event.source == "system" and event.detail.get("reason") == "candidate_retention"
    )


def test_the_retention_commands_list_who_is_due_on_a_dry_run_and_change_nothing(
    app: Flask, orebro: Flask
) -> None:
    """HR and the archivist check a run before the night's job makes it: ids only, nothing changed."""
    day = local_today() + timedelta(days=740)  # the run looked at, two years on
    old = _contact("Gunnel Gammal")
    fresh = _contact("Frida Färsk")
    fresh.consent_given_on = day - timedelta(days=10)  # renewed meanwhile
    vacancy = _open_vacancy(make_unit())
    rejected = _not_selected(vacancy, "Nils Nej", datetime(2026, 6, 3, 15, 0, tzinfo=STOCKHOLM))
    recent = _not_selected(vacancy, "Rut Ny", datetime(2026, 11, 3, 15, 0, tzinfo=STOCKHOLM))
    candidacy = db.session.scalars(select(Candidacy).where(Candidacy.manager_id == recent.id)).one()
    candidacy.step_changed_at = datetime.combine(day - timedelta(days=100), time(15), STOCKHOLM)
    old_id, fresh_id, rejected_id, recent_id = old.id, fresh.id, rejected.id, recent.id
    db.session.commit()
    runner = app.test_cli_runner()
    today = ["--today", day.isoformat()]

    listed = runner.invoke(args=["gdpr", "pool-retention", "--dry-run", *today])
    assert listed.exit_code == 0, listed.output
    assert f"pool member {old_id} " in listed.output and f"pool member {fresh_id} " not in listed.output
    assert "Gunnel" not in listed.output and "Dry run: 1 " in listed.output
    listed = runner.invoke(args=["gdpr", "candidate-retention", "--dry-run", *today])
    assert listed.exit_code == 0, listed.output
    assert f"manager {rejected_id}:" in listed.output and f"manager {recent_id}:" not in listed.output
    assert "Nils" not in listed.output and "Dry run: 1 " in listed.output
    db.session.expire_all()
    assert _profile_ids() == {old_id, fresh_id}
    assert db.session.get(Manager, rejected_id).anonymised_at is None  # type: ignore[union-attr]

    removed = runner.invoke(args=["gdpr", "pool-retention", *today])
    assert removed.exit_code == 0 and "1 pool members removed, 1 people anonymised" in removed.output
    anonymised = runner.invoke(args=["gdpr", "candidate-retention", *today])
    assert anonymised.exit_code == 0 and "1 candidates not selected" in anonymised.output
    db.session.expire_all()
    assert _profile_ids() == {fresh_id}
    assert db.session.get(Manager, rejected_id).anonymised_at is not None  # type: ignore[union-attr]
    assert db.session.get(Manager, recent_id).anonymised_at is None  # type: ignore[union-attr]


def test_the_gdpr_retention_leaves_candidates_not_selected_to_their_own_period(
    app: Flask, orebro: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    vacancy = _open_vacancy(make_unit())
    decided = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)
    rejected = _not_selected(vacancy, "Greta Gdpr", decided)
    later = date(2026, 11, 4) + timedelta(days=400)
    assert rejected not in retention_candidates(later, timedelta(days=100))
    monkeypatch.setitem(app.config, "CANDIDATE_RETENTION_DAYS", 100)
    with _travel_to(later):
        assert app.extensions["celery"].tasks["recruitment.candidate_retention"].apply().get() == 1


def test_beat_runs_both_retention_jobs_daily(app: Flask) -> None:
    schedule = app.extensions["celery"].conf.beat_schedule
    for entry, task in (
        ("talent-pool-retention", "talent_pool.retention"),
        ("candidate-retention", "recruitment.candidate_retention"),
    ):
        assert schedule[entry]["task"] == task and task in app.extensions["celery"].tasks
        assert schedule[entry]["schedule"].hour == {1}


@pytest.mark.parametrize("name", ["TALENT_POOL_RETENTION_DAYS", "CANDIDATE_RETENTION_DAYS"])
def test_the_retention_settings_default_to_730_days_and_refuse_nonsense(tmp_path: Path, name: str) -> None:
    assert TestingConfig.from_environment(tmp_path, {})[name] == 730
    assert TestingConfig.from_environment(tmp_path, {name: "365"})[name] == 365
    for wrong in ("0", "-5", "tjugofyra"):
        with pytest.raises(ConfigurationError, match=name):
            TestingConfig.from_environment(tmp_path, {name: wrong})


# -- the pages ----------------------------------------------------------------------------------------


@pytest.fixture
def hr_client(orebro: Flask, client: FlaskClient, login: Callable[..., Any]) -> FlaskClient:
    hr = make_user(Role.HR, email="hr.pool@example.org")
    db.session.commit()
    login(hr.email)
    return client


def test_hr_adds_someone_new_and_finds_them_in_the_pool(hr_client: FlaskClient) -> None:
    response = post_form(
        hr_client,
        "/talent-pool/new",
        {
            "name": "Elsa Extern",
            "email": "elsa@example.org",
            "source": "event",
            "consent_given_on": local_today().isoformat(),
            "pillars": ["leader"],
            "expectations": ["leader.feedback"],
            "notes": "Frågade om rektorstjänster",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    profile = db.session.scalar(select(TalentProfile))
    assert profile is not None and response.headers["Location"].endswith(f"/talent-pool/{profile.id}")
    page = hr_client.get("/talent-pool?pillar=leader&source=event").get_data(as_text=True)
    assert "Elsa Extern" in page
    assert "Elsa Extern" not in hr_client.get("/talent-pool?pillar=secure").get_data(as_text=True)
    member = hr_client.get(f"/talent-pool/{profile.id}").get_data(as_text=True)
    assert "Frågade om rektorstjänster" in member and "Elsa Extern" in member


def test_a_wrong_form_shows_the_error_next_to_the_field_and_changes_nothing(hr_client: FlaskClient) -> None:
    response = post_form(
        hr_client,
        "/talent-pool/new",
        {"person_number": "FINNS-INTE", "source": "aspirant", "consent_given_on": local_today().isoformat()},
    )
    assert response.status_code == 200
    assert 'id="person_number-error"' in response.get_data(as_text=True)
    response = post_form(hr_client, "/talent-pool/new", {"source": "bogus", "consent_given_on": "igår"})
    assert response.status_code == 200 and 'id="source-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TalentProfile)) == 0


def test_hr_moves_a_member_into_a_vacancy_renews_and_removes(hr_client: FlaskClient) -> None:
    vacancy = _open_vacancy(make_unit())
    manager = make_manager("Viktor Aspirant", stage=Stage.ATTRACT, entered_on=date(2026, 1, 5))
    profile = add_to_pool(manager, _values(PoolSource.PROGRAMME), None, local_today())
    db.session.commit()
    url = f"/talent-pool/{profile.id}"
    page = hr_client.get(url).get_data(as_text=True)
    assert "Rektor Norra skolan" in page
    token = csrf_token_from(page)
    response = hr_client.post(f"{url}/recruit", data={"vacancy_id": str(vacancy.id), "csrf_token": token})
    assert response.headers["Location"].endswith(f"/vacancies/{vacancy.id}")
    db.session.expire_all()
    candidacy = db.session.scalar(select(Candidacy).where(Candidacy.manager_id == manager.id))
    assert candidacy is not None and candidacy.source is CandidateSource.TALENT_POOL
    # A bad choice is a message, never a 500.
    response = hr_client.post(f"{url}/recruit", data={"vacancy_id": "999999", "csrf_token": token})
    assert response.status_code == 302
    response = hr_client.post(f"{url}/consent", data={"consent_given_on": "2020-01-01", "csrf_token": token})
    assert response.status_code == 302
    # Removing asks for confirmation first.
    assert post_form(hr_client, f"{url}/remove", {}).status_code == 200
    response = post_form(hr_client, f"{url}/remove", {"confirm": "y"})
    assert response.headers["Location"].endswith("/talent-pool")
    db.session.expire_all()
    assert _profile_ids() == set()
    assert db.session.get(Manager, manager.id).stage is Stage.RECRUIT  # type: ignore[union-attr]


def test_an_attract_activity_takes_its_participants_from_the_pool(hr_client: FlaskClient) -> None:
    first, second = _contact("Ada Aspirant"), _contact("Bo Besökare")
    stranger = make_manager("Inte Poolen")
    db.session.commit()
    chosen = "&".join(f"member={i}" for i in (first.manager_id, second.manager_id, stranger.id))
    url = f"/activities/new?{chosen}&kind=aspirant_programme"
    page = hr_client.get(url).get_data(as_text=True)
    assert "Ada Aspirant" in page and "Bo Besökare" in page and "Inte Poolen" not in page
    assert re.search(r'<option selected value="aspirant_programme">', page)
    response = post_form(
        hr_client,
        url,
        {
            "title": "Aspirantträff",
            "kind": "aspirant_programme",
            "pillars": "leader",
            "members": [str(first.manager_id)],
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/talent-pool")
    activity = db.session.scalar(select(Activity).where(Activity.title == "Aspirantträff"))
    assert activity is not None and activity.kind is ActivityKind.ASPIRANT_PROGRAMME
    assert [m.id for m in activity.participants] == [first.manager_id]
    assert [p.key for p in activity.pillars] == ["leader"]
    # Nobody ticked and no number typed: the error stands at the participants' field.
    response = post_form(hr_client, url, {"title": "Tom", "kind": "employer_branding", "pillars": "leader"})
    assert response.status_code == 200 and 'id="participants-error"' in response.get_data(as_text=True)


def test_only_hr_sees_the_pool(orebro: Flask, client: FlaskClient, login: Callable[..., Any]) -> None:
    profile = _contact()
    manager = make_manager("Vanlig Chef", with_account=True)
    db.session.commit()
    assert manager.user is not None
    login(manager.user.email)
    for url in ("/talent-pool", f"/talent-pool/{profile.id}", "/talent-pool/new"):
        assert client.get(url).status_code == 404
    assert "/talent-pool" not in client.get("/").get_data(as_text=True)


# -- the migration ------------------------------------------------------------------------------------


def _every_kind_is_accepted(url: str) -> None:
    assert _flask_db(url, "upgrade").returncode == 0
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for number, kind in enumerate(ActivityKind, start=1):
                values = {"id": number, "kind": kind.value}
                connection.execute(
                    text(
                        "INSERT INTO activities (id, kind, title, description, responsible_note, created_at)"
                        " VALUES (:id, :kind, 't', '', '', CURRENT_TIMESTAMP)"
                    ),
                    values,
                )
                connection.execute(
                    text(
                        "INSERT INTO catalogue_items (id, kind, title, description, is_active, created_at)"
                        " VALUES (:id, :kind, 't', '', true, CURRENT_TIMESTAMP)"
                    ),
                    values,
                )
    finally:
        engine.dispose()


def test_the_migrated_sqlite_schema_takes_every_activity_kind(tmp_path: Path) -> None:
    _every_kind_is_accepted(f"sqlite:///{tmp_path / 'kinds.sqlite3'}")


@pytest.mark.postgres
def test_the_migrated_postgresql_schema_takes_every_activity_kind(empty_postgres_database: str) -> None:  # noqa: F811
    _every_kind_is_accepted(empty_postgres_database)
