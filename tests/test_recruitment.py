"""Recruitment: vacancies, the expectations they weigh, the recruitment group and candidates' steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateSource
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import NotSelectedReason
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.journey import move_to_stage
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.recruitment import VacancyError
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import add_candidate
from lifecycle.services.recruitment import add_external_candidate
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import move_candidate
from lifecycle.services.recruitment import not_select
from lifecycle.services.recruitment import set_recruitment_group
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

TODAY = date(2026, 3, 2)
NORDBY = Path(__file__).parent / "platforms" / "nordby.yaml"


@pytest.fixture
def orebro(app_ctx: Flask) -> Flask:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    return app_ctx


def _expectation(key: str) -> Expectation:
    found = db.session.scalar(select(Expectation).where(Expectation.key == key))
    assert found is not None
    return found


def _vacancy(hr: User, unit: OrgUnit, **values: Any) -> Vacancy:
    return create_vacancy(
        VacancyValues(title=values.pop("title", "Rektor Västra skolan"), org_unit=unit, **values), hr
    )


def _open(vacancy: Vacancy) -> Vacancy:
    set_weights(vacancy, {_expectation("leader.trust"): 3, _expectation("secure.decide"): 1})
    set_status(vacancy, VacancyStatus.OPEN, TODAY)
    return vacancy


# -- the services ------------------------------------------------------------------------------------


def test_a_vacancy_opens_only_with_weighed_expectations_and_then_is_published(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    vacancy = _vacancy(hr, make_unit("Västra skolan"))
    assert vacancy.status is VacancyStatus.DRAFT
    with pytest.raises(VacancyError) as refused:
        set_status(vacancy, VacancyStatus.OPEN, TODAY)
    assert refused.value.field == "status"
    _open(vacancy)
    assert vacancy.status is VacancyStatus.OPEN and vacancy.published_on == TODAY
    assert [(w.expectation.key, w.weight) for w in vacancy.weights] == [
        ("leader.trust", 3),
        ("secure.decide", 1),
    ]
    with pytest.raises(VacancyError):
        set_status(vacancy, VacancyStatus.DECIDED, TODAY)  # reached by hiring, not by hand
    set_status(vacancy, VacancyStatus.CANCELLED, TODAY)
    with pytest.raises(VacancyError):
        set_weights(vacancy, {_expectation("leader.trust"): 2})  # the recruitment is over


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": "  "}, "title"),
        ({"published_on": date(2026, 3, 10), "closes_on": date(2026, 3, 1)}, "closes_on"),
        ({"closes_on": date(2026, 4, 1), "planned_start_on": date(2026, 3, 1)}, "planned_start_on"),
    ],
)
def test_bad_vacancy_details_are_refused_on_their_field(
    orebro: Flask, values: dict[str, Any], field: str
) -> None:
    with pytest.raises(VacancyError) as refused:
        _vacancy(make_user(Role.HR), make_unit(), **values)
    assert refused.value.field == field


def test_weights_are_one_to_three_for_at_most_eight_expectations(orebro: Flask) -> None:
    vacancy = _vacancy(make_user(Role.HR), make_unit())
    with pytest.raises(VacancyError):
        set_weights(vacancy, {_expectation("leader.trust"): 4})
    every = list(db.session.scalars(select(Expectation).order_by(Expectation.id)))
    with pytest.raises(VacancyError):
        set_weights(vacancy, {e: 1 for e in every[:9]})
    set_weights(vacancy, {e: 2 for e in every[:8]})
    assert len(vacancy.weights) == 8


def test_a_pool_member_moves_to_recruit_and_a_manager_in_post_keeps_their_stage(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    vacancy = _open(_vacancy(hr, make_unit()))
    aspirant = make_manager("Agnes Aspirant", Stage.ATTRACT)
    in_post = make_manager("Ivan Internsson", Stage.DEVELOP)
    from_pool = add_candidate(vacancy, aspirant, hr, TODAY)
    internal = add_candidate(vacancy, in_post, hr, TODAY)
    assert (from_pool.source, aspirant.stage) == (CandidateSource.TALENT_POOL, Stage.RECRUIT)
    assert (internal.source, in_post.stage) == (CandidateSource.INTERNAL, Stage.DEVELOP)
    with pytest.raises(VacancyError):
        add_candidate(vacancy, in_post, hr, TODAY)  # once per vacancy
    closed = make_manager(stage=Stage.RECRUIT)
    move_to_stage(closed, Stage.CLOSED, actor=hr, reason="Avslutad", effective_date=TODAY)
    with pytest.raises(VacancyError):
        add_candidate(vacancy, closed, hr, TODAY)


def test_an_external_applicant_enters_the_journey_at_recruit(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    vacancy = _open(_vacancy(hr, make_unit()))
    candidacy = add_external_candidate(
        vacancy, name=" Extra Externsson ", email="extra@example.se", actor=hr, applied_on=TODAY
    )
    person = candidacy.manager
    assert (person.name, person.stage, person.stage_entered_on) == ("Extra Externsson", Stage.RECRUIT, TODAY)
    assert candidacy.source is CandidateSource.EXTERNAL and candidacy.step is CandidateStep.APPLIED


def test_not_selecting_closes_the_journey_of_a_candidate_who_applies_for_nothing_else(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    first, second = _open(_vacancy(hr, make_unit())), _open(_vacancy(hr, make_unit(), title="Förskolechef"))
    applicant = add_external_candidate(
        first, name="Sara Sökande", email=None, actor=hr, applied_on=TODAY
    ).manager
    other = add_candidate(second, applicant, hr, TODAY)
    in_post = make_manager(stage=Stage.DEVELOP)
    internal = add_candidate(first, in_post, hr, TODAY)
    move_candidate(other, CandidateStep.INTERVIEW)
    not_select(first.candidacies[0], NotSelectedReason.OTHER_CANDIDATE, hr, TODAY)
    assert applicant.stage is Stage.RECRUIT  # still a candidate for the second vacancy
    not_select(other, NotSelectedReason.WITHDREW, hr, TODAY)
    assert applicant.stage is Stage.CLOSED
    last = db.session.scalars(
        select(StageTransition)
        .where(StageTransition.manager_id == applicant.id)
        .order_by(StageTransition.id.desc())
    ).first()
    assert last is not None and last.to_stage is Stage.CLOSED and last.reason
    not_select(internal, NotSelectedReason.REQUIREMENTS, hr, TODAY)
    assert in_post.stage is Stage.DEVELOP
    with pytest.raises(VacancyError):
        move_candidate(internal, CandidateStep.OFFER)  # decided


# -- the pages -----------------------------------------------------------------------------------------


def _vacancy_form(unit: OrgUnit, **values: str) -> dict[str, str]:
    return {
        "title": "Rektor Östra skolan",
        "org_unit_id": str(unit.id),
        "hr_partner_id": "0",
        "hiring_manager_email": "",
        "published_on": "2026-03-02",
        "closes_on": "2026-03-20",
        "planned_start_on": "2026-08-01",
        "unit_text": "Östra skolan är en F–6-skola.",
        "role_text": "",
        **values,
    }


def test_hr_opens_a_vacancy_and_bad_input_is_shown_next_to_its_field(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    hr = make_user(Role.HR)
    unit = make_unit("Östra skolan")
    boss = make_user(Role.MANAGER, email="boss@kommun.example", name="Britt Beslutsfattare")
    db.session.commit()
    login(hr.email)
    bad = post_form(
        client,
        "/vacancies/new",
        _vacancy_form(unit, closes_on="2026-02-01", hiring_manager_email="nobody@kommun.example"),
    )
    assert bad.status_code == 200
    page = bad.get_data(as_text=True)
    assert 'id="hiring_manager_email-error"' in page and db.session.scalar(select(Vacancy.id)) is None
    bad = post_form(
        client, "/vacancies/new", _vacancy_form(unit, closes_on="2026-02-01", hiring_manager_email=boss.email)
    )
    assert (
        'id="closes_on-error"' in bad.get_data(as_text=True) and db.session.scalar(select(Vacancy.id)) is None
    )
    created = post_form(client, "/vacancies/new", _vacancy_form(unit, hiring_manager_email=boss.email))
    assert created.status_code == 302
    vacancy = db.session.scalars(select(Vacancy)).one()
    assert created.headers["Location"].endswith(f"/vacancies/{vacancy.id}/expectations")
    assert vacancy.hiring_manager_id == boss.id and vacancy.org_unit_id == unit.id

    trust, legal = _expectation("leader.trust"), _expectation("secure.decide")
    weighed = post_form(
        client, f"/vacancies/{vacancy.id}/expectations", {f"e{trust.id}": "3", f"e{legal.id}": "2"}
    )
    assert weighed.status_code == 302
    db.session.expire_all()
    assert [(w.expectation_id, w.weight) for w in vacancy.weights] == [(trust.id, 3), (legal.id, 2)]

    group = post_form(
        client,
        f"/vacancies/{vacancy.id}/group",
        {"interviewers": "boss@kommun.example\nokand@kommun.example"},
    )
    assert "okand@kommun.example" in group.get_data(as_text=True) and not vacancy.interviewers
    post_form(client, f"/vacancies/{vacancy.id}/group", {"interviewers": "BOSS@kommun.example\n"})
    db.session.expire_all()
    assert [u.id for u in vacancy.interviewers] == [boss.id]

    token = csrf_token_from(client.get(f"/vacancies/{vacancy.id}").get_data(as_text=True))
    assert (
        client.post(
            f"/vacancies/{vacancy.id}/status", data={"status": "open", "csrf_token": token}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert vacancy.status is VacancyStatus.OPEN


def test_hr_adds_candidates_and_moves_them_through_the_steps(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    hr = make_user(Role.HR)
    vacancy = _open(_vacancy(hr, make_unit()))
    aspirant = make_manager("Agnes Aspirant", Stage.ATTRACT)
    db.session.commit()
    login(hr.email)
    url = f"/vacancies/{vacancy.id}/candidates/new"
    unknown = post_form(client, url, {"employee_number": "X-404"})
    assert 'id="employee_number-error"' in unknown.get_data(as_text=True)
    nothing = post_form(client, url, {})
    assert 'id="employee_number-error"' in nothing.get_data(as_text=True)
    assert post_form(client, url, {"employee_number": aspirant.employee_number}).status_code == 302
    assert (
        post_form(client, url, {"name": "Extra Externsson", "email": "extra@example.se"}).status_code == 302
    )
    twice = post_form(client, url, {"employee_number": aspirant.employee_number})
    assert "Agnes Aspirant" in twice.get_data(as_text=True) and twice.status_code == 200

    page = client.get(f"/vacancies/{vacancy.id}").get_data(as_text=True)
    assert "Agnes Aspirant" in page and "Extra Externsson" in page
    candidacies = {c.manager.name: c for c in db.session.scalars(select(Candidacy))}
    token = csrf_token_from(page)
    agnes = candidacies["Agnes Aspirant"]
    moved = client.post(
        f"/vacancies/{vacancy.id}/candidates/{agnes.id}/step", data={"step": "interview", "csrf_token": token}
    )
    assert moved.status_code == 302
    refused = client.post(
        f"/vacancies/{vacancy.id}/candidates/{agnes.id}/not-selected",
        data={"reason": "", "csrf_token": token},
    )
    assert refused.status_code == 302
    db.session.expire_all()
    assert agnes.step is CandidateStep.INTERVIEW
    extra = candidacies["Extra Externsson"]
    client.post(
        f"/vacancies/{vacancy.id}/candidates/{extra.id}/not-selected",
        data={"reason": "withdrew", "csrf_token": token},
    )
    db.session.expire_all()
    assert extra.step is CandidateStep.NOT_SELECTED and extra.manager.stage is Stage.CLOSED
    page = client.get(f"/vacancies/{vacancy.id}").get_data(as_text=True)
    assert "Drog tillbaka ansökan" in page  # the reason, in Swedish


def test_the_list_filters_by_unit_status_and_hr_partner(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    hr, other_hr = make_user(Role.HR), make_user(Role.HR, name="Olle Personal")
    top = make_unit("Förvaltningen")
    school = make_unit("Skolan", parent=top)
    elsewhere = make_unit("Annanstans")
    _open(_vacancy(hr, school, title="Rektor i skolan", hr_partner=hr))
    _vacancy(hr, elsewhere, title="Chef annanstans", hr_partner=other_hr)
    cancelled = _vacancy(hr, school, title="Inställd vakans")
    set_status(cancelled, VacancyStatus.CANCELLED, TODAY)
    db.session.commit()
    login(hr.email)
    everything = client.get("/vacancies").get_data(as_text=True)
    assert (
        "Rektor i skolan" in everything
        and "Chef annanstans" in everything
        and "Inställd vakans" not in everything
    )
    by_unit = client.get(f"/vacancies?unit={top.id}").get_data(as_text=True)
    assert "Rektor i skolan" in by_unit and "Chef annanstans" not in by_unit
    by_partner = client.get(f"/vacancies?hr_partner={other_hr.id}").get_data(as_text=True)
    assert "Chef annanstans" in by_partner and "Rektor i skolan" not in by_partner
    by_status = client.get("/vacancies?status=cancelled").get_data(as_text=True)
    assert "Inställd vakans" in by_status and "Rektor i skolan" not in by_status
    assert client.get("/vacancies?unit=x&status=nonsense&page=-3").status_code == 200


def test_an_interviewer_sees_only_their_vacancies_and_changes_nothing(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    hr = make_user(Role.HR)
    interviewer = make_user(Role.MANAGER, name="Ingrid Intervjuare")
    ours = _open(_vacancy(hr, make_unit(), title="Vår vakans"))
    theirs = _open(_vacancy(hr, make_unit(), title="Någon annans vakans"))
    set_recruitment_group(ours, [interviewer])
    db.session.commit()
    login(interviewer.email)
    start = client.get("/").get_data(as_text=True)
    assert 'href="/vacancies"' in start  # the menu shows recruitment to a member of a group
    listing = client.get("/vacancies").get_data(as_text=True)
    assert "Vår vakans" in listing and "Någon annans vakans" not in listing
    page = client.get(f"/vacancies/{ours.id}").get_data(as_text=True)
    assert "Vår vakans" in page and "/edit" not in page
    for url in (
        f"/vacancies/{theirs.id}",
        f"/vacancies/{ours.id}/edit",
        f"/vacancies/{ours.id}/candidates/new",
    ):
        assert client.get(url).status_code == 404, url


def test_a_manager_outside_every_group_has_no_recruitment_in_the_menu(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    manager = make_manager("Mona Utanför", with_account=True)
    _open(_vacancy(make_user(Role.HR), make_unit()))
    db.session.commit()
    login(manager.user.email)  # type: ignore[union-attr]
    assert 'href="/vacancies"' not in client.get("/me").get_data(as_text=True)
    assert "Rektor" not in client.get("/vacancies").get_data(as_text=True)


def test_a_four_pillar_platform_offers_its_own_expectations_to_weigh(
    app_ctx: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    load_platform(parse_platform(NORDBY.read_bytes()))
    hr = make_user(Role.HR)
    vacancy = _vacancy(hr, make_unit())
    db.session.commit()
    login(hr.email)
    page = client.get(f"/vacancies/{vacancy.id}/expectations").get_data(as_text=True)
    nordby = list(db.session.scalars(select(Expectation)))
    assert all(f'name="e{e.id}"' in page for e in nordby) and page.count("<fieldset>") == 4
    chosen = nordby[-1]
    post_form(client, f"/vacancies/{vacancy.id}/expectations", {f"e{chosen.id}": "2"})
    db.session.expire_all()
    assert [(w.expectation.key, w.weight) for w in vacancy.weights] == [(chosen.key, 2)]
    assert db.session.scalar(select(Manager.id)) is None  # nothing else was written


def test_a_popular_vacancy_shows_each_steps_count_and_its_candidates_a_page_at_a_time(
    orebro: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    count_queries: Callable[[], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lifecycle.blueprints.recruitment import views

    monkeypatch.setattr(views, "STEP_PREVIEW", 2)
    monkeypatch.setattr(views, "STEP_PAGE", 2)
    hr = make_user(Role.HR)
    vacancy = _open(_vacancy(hr, make_unit()))
    applied = [
        add_external_candidate(
            vacancy, name=f"Sökande {n}", email=None, actor=hr, applied_on=date(2026, 11, n + 1)
        )
        for n in range(5)
    ]
    move_candidate(applied[4], CandidateStep.INTERVIEW)
    db.session.commit()
    login(hr.email)
    url = f"/vacancies/{vacancy.id}"

    def names(html: str) -> list[str]:
        return [f"Sökande {n}" for n in range(5) if f">Sökande {n}<" in html]

    page = client.get(url).get_data(as_text=True)
    assert names(page) == ["Sökande 0", "Sökande 1", "Sökande 4"]
    assert "Ansökt (4)" in page and "Intervju (1)" in page and "Anställd (0)" in page  # every step counted
    assert f'href="{url}?step=applied#step-applied"' in page  # the way to the rest
    first = client.get(f"{url}?step=applied").get_data(as_text=True)
    assert names(first) == ["Sökande 0", "Sökande 1"]
    more = f"{url}?step=applied&amp;after=2026-11-02_{applied[1].id}"
    assert more in first
    second = client.get(more.replace("&amp;", "&")).get_data(as_text=True)
    assert names(second) == ["Sökande 2", "Sökande 3"] and 'rel="next"' not in second
    assert client.get(f"{url}?step=applied&after=nonsense").status_code == 200  # the first page
    assert client.get(f"{url}?step=nonsense").status_code == 200  # every step

    def queries(address: str) -> int:
        with count_queries() as counter:
            assert client.get(address).status_code == 200
        return int(counter.count)

    few = (queries(url), queries(f"{url}?step=applied"))
    for n in range(20):
        add_external_candidate(vacancy, name=f"Fler {n}", email=None, actor=hr, applied_on=date(2026, 11, 9))
    db.session.commit()
    assert (queries(url), queries(f"{url}?step=applied")) == few
