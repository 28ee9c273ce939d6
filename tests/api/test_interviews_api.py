"""The recruitment interviews in the API: interviews, scorecards with their privacy, amendments, the
matrix and the decision, each answer checked against the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import User
from lifecycle.models.recruitment import CandidateStep
from tests.api.conftest import ApiClient
from tests.api.conftest import ResponseChecker
from tests.factories import make_manager
from tests.factories import make_user
from tests.test_interviews import Recruitment
from tests.test_recruitment import orebro  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("clock")

CANDIDATE = "/vacancies/{vacancy_id}/candidates/{candidacy_id}"
#: every operation of the interviews; test_openapi.py leaves these to this module
INTERVIEW_OPERATIONS = frozenset(
    {
        (CANDIDATE + "/interviews", "get"),
        (CANDIDATE + "/interviews", "post"),
        (CANDIDATE + "/interviews/{interview_id}", "patch"),
        (CANDIDATE + "/interviews/{interview_id}/cancel", "post"),
        (CANDIDATE + "/scorecards", "get"),
        (CANDIDATE + "/scorecard", "put"),
        (CANDIDATE + "/scorecard/submit", "post"),
        (CANDIDATE + "/scorecard/amendments", "post"),
        ("/vacancies/{vacancy_id}/matrix", "get"),
        ("/vacancies/{vacancy_id}/decision", "post"),
    }
)


@pytest.fixture
def world(orebro: object) -> Recruitment:  # noqa: F811  (the fixture imported above)
    return Recruitment()


def _scores(world: Recruitment, *scores: int) -> list[dict[str, object]]:
    return [
        {"expectation": e.key, "score": score, "evidence": f"Hörde om {e.key}"}
        for e, score in zip(world.expectations, scores, strict=True)
    ]


def test_the_whole_flow_through_the_api(
    world: Recruitment, api_as: Callable[[User], ApiClient], check: ResponseChecker
) -> None:
    hr, ivar, karin, boss = (api_as(u) for u in (world.hr, world.ivar, world.karin, world.boss))
    db.session.commit()
    base = f"/api/v1/vacancies/{world.vacancy.id}/candidates/{world.anna.id}"
    path = CANDIDATE + "/interviews"
    naive = hr.post(f"{base}/interviews", json={"starts_at": "2026-11-09T10:00:00"})
    assert check.response(naive, "post", path).status_code == 400
    created = hr.post(
        f"{base}/interviews", json={"starts_at": "2026-11-09T10:00:00+01:00", "location": "Rum 3"}
    )
    interview = check.response(created, "post", path).get_json()
    assert created.status_code == 201 and len(interview["interviewers"]) == 2
    assert (
        check.response(
            ivar.post(f"{base}/interviews", json={"starts_at": "2026-11-09T10:00:00+01:00"}), "post", path
        ).status_code
        == 404
    )
    moved = hr.patch(f"{base}/interviews/{interview['id']}", json={"duration_minutes": 90})
    assert check.response(moved, "patch", path + "/{interview_id}").get_json()["duration_minutes"] == 90
    listed = check.response(ivar.get(f"{base}/interviews"), "get", path).get_json()
    assert [i["id"] for i in listed["items"]] == [interview["id"]]

    card_path = CANDIDATE + "/scorecard"
    draft = ivar.put(f"{base}/scorecard", json={"scores": _scores(world, 4, 3, 5)})
    assert check.response(draft, "put", card_path).get_json()["submitted_at"] is None
    unknown = ivar.put(f"{base}/scorecard", json={"scores": [{"expectation": "leader.feedback", "score": 3}]})
    assert check.response(unknown, "put", card_path).status_code == 422
    # A draft is its author's alone.
    for other in (karin, hr, boss):
        seen = check.response(other.get(f"{base}/scorecards"), "get", CANDIDATE + "/scorecards").get_json()
        assert seen["items"] == []
    submitted = ivar.post(f"{base}/scorecard/submit")
    assert check.response(submitted, "post", card_path + "/submit").get_json()["submitted_at"]
    seen = karin.get(f"{base}/scorecards").get_json()
    assert seen["items"] == []  # not before her own is submitted
    incomplete = karin.post(f"{base}/scorecard/submit", json={"scores": _scores(world, 2, 3, 4)[:1]})
    assert check.response(incomplete, "post", card_path + "/submit").status_code == 422
    karin.post(f"{base}/scorecard/submit", json={"scores": _scores(world, 2, 3, 4)})
    seen = karin.get(f"{base}/scorecards").get_json()
    assert sorted(c["author"]["name"] for c in seen["items"]) == ["Ivar Intervjuare", "Karin Intervjuare"]

    amended = ivar.post(
        f"{base}/scorecard/amendments",
        json={"scores": [{"expectation": world.expectations[0].key, "score": 2}], "reason": "Referenser"},
    )
    body = check.response(amended, "post", card_path + "/amendments").get_json()
    trust = next(s for s in body["scores"] if s["expectation"] == world.expectations[0].key)
    assert (trust["score"], trust["original_score"], trust["amended"]) == (2, 4, True)
    no_reason = ivar.post(
        f"{base}/scorecard/amendments",
        json={"scores": [{"expectation": world.expectations[0].key, "score": 1}], "reason": " "},
    )
    assert check.response(no_reason, "post", card_path + "/amendments").status_code == 400

    matrix_path = "/vacancies/{vacancy_id}/matrix"
    matrix = check.response(
        boss.get(f"/api/v1/vacancies/{world.vacancy.id}/matrix"), "get", matrix_path
    ).get_json()
    (row,) = matrix["rows"]
    assert row["candidacy_id"] == world.anna.id and len(row["cells"][0]["scores"]) == 2
    assert row["weighted_total"] == pytest.approx((3 * 2 + 2 * 3 + 1 * 4.5) / 6)

    # Bo's interview, scheduled and cancelled by the hiring manager.
    bo = f"/api/v1/vacancies/{world.vacancy.id}/candidates/{world.bo.id}"
    second = boss.post(f"{bo}/interviews", json={"starts_at": "2026-11-10T13:30:00+01:00"}).get_json()
    cancelled = boss.post(f"{bo}/interviews/{second['id']}/cancel")
    assert check.response(cancelled, "post", path + "/{interview_id}/cancel").get_json()["cancelled_at"]

    decision_path = "/vacancies/{vacancy_id}/decision"
    url = f"/api/v1/vacancies/{world.vacancy.id}/decision"
    assert (
        check.response(
            karin.post(url, json={"candidacy_id": world.anna.id, "reason": "x"}), "post", decision_path
        ).status_code
        == 404
    )
    hired = boss.post(url, json={"candidacy_id": world.anna.id, "reason": "Tydligast"})
    assert check.response(hired, "post", decision_path).status_code == 201
    again = boss.post(url, json={"candidacy_id": world.bo.id, "reason": "Ändrat"})
    assert check.response(again, "post", decision_path).status_code == 422
    db.session.expire_all()
    assert world.anna.step is CandidateStep.HIRED
    assert {(p, m) for m, p, _status in check.checked} == INTERVIEW_OPERATIONS


def test_an_outsider_gets_404_on_everything(
    world: Recruitment, api_as: Callable[[User], ApiClient], check: ResponseChecker
) -> None:
    world.interview(world.anna)
    outsider = api_as(world.outsider)
    db.session.commit()
    base = f"/api/v1/vacancies/{world.vacancy.id}/candidates/{world.anna.id}"
    for url, path in (
        (f"{base}/interviews", CANDIDATE + "/interviews"),
        (f"{base}/scorecards", CANDIDATE + "/scorecards"),
        (f"/api/v1/vacancies/{world.vacancy.id}/matrix", "/vacancies/{vacancy_id}/matrix"),
    ):
        assert check.response(outsider.get(url), "get", path).status_code == 404
    put = outsider.put(f"{base}/scorecard", json={"scores": []})
    assert check.response(put, "put", CANDIDATE + "/scorecard").status_code == 404


def test_an_internal_candidates_interviews_stay_off_the_plan_their_line_manager_reads(
    world: Recruitment,
    api_as: Callable[[User], ApiClient],
    login: Callable[..., FlaskClient],
    app: Flask,
) -> None:
    """Applying elsewhere is the candidate's business: their current line manager must not see it."""
    chief = make_manager("Cecilia Linjechef", with_account=True)
    bo = world.bo.manager
    bo.line_manager = chief
    bo.user = make_user(Role.MANAGER, name="Bo Internsson", email="bo@test.example")
    world.interview(world.bo)
    db.session.commit()
    interview_title = f"Intervju: {world.vacancy.title}"

    def page(user: User, url: str) -> str:
        client = app.test_client()
        login(user.email, test_client=client)
        response = client.get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    plan = f"/managers/{bo.id}/plan"
    assert chief.user is not None
    assert interview_title not in page(chief.user, plan)
    assert interview_title in page(world.hr, plan)
    assert interview_title in page(bo.user, "/me")

    activities = f"/api/v1/managers/{bo.id}/activities"
    titles = {
        who.name: [a["title"] for a in api_as(who).get(activities).get_json()["items"]]
        for who in (chief.user, world.hr, bo.user)
    }
    assert titles == {chief.user.name: [], world.hr.name: [interview_title], bo.user.name: [interview_title]}
