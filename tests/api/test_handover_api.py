"""The hand-over and the goals it proposes, through the JSON API: documented answers, bad input refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from lifecycle.enums import GoalStatus
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import PlanGoal
from lifecycle.models import User
from lifecycle.services.recruitment.decision import decision_of
from tests.api.conftest import ApiClient
from tests.api.conftest import ResponseChecker
from tests.factories import make_manager
from tests.factories import make_user
from tests.test_handover import START
from tests.test_handover import _boss
from tests.test_handover import _external
from tests.test_handover import _offer
from tests.test_handover import _recruitment
from tests.test_handover import orebro  # noqa: F401

pytestmark = pytest.mark.usefixtures("clock")

HAND_OVER = "/vacancies/{vacancy_id}/candidates/{candidacy_id}/hand-over"
PROPOSAL = "/proposed-goals/{goal_id}"
#: the operations this module exercises (test_openapi.py checks the others)
HANDOVER_OPERATIONS = frozenset(
    {(HAND_OVER, "post"), (PROPOSAL, "patch"), (f"{PROPOSAL}/accept", "post"), (f"{PROPOSAL}/reject", "post")}
)


def test_the_hiring_manager_hands_over_through_the_api_and_the_line_manager_decides_the_proposals(
    orebro: Flask,  # noqa: F811
    api_as: Callable[[User], ApiClient],
    check: ResponseChecker,
) -> None:
    hr = make_user(Role.HR)
    boss = _boss()
    vacancy = _recruitment(hr, hiring_manager=boss.user)
    candidacy = _offer(_external(vacancy))
    bystander = make_manager("Ulla Utanför", with_account=True)
    db.session.commit()
    url = f"/api/v1/vacancies/{vacancy.id}/candidates/{candidacy.id}/hand-over"
    as_boss = api_as(boss.user)  # type: ignore[arg-type]
    assert api_as(bystander.user).post(url, json={"start_on": START.isoformat()}).status_code == 404  # type: ignore[arg-type]
    for body, field in (
        ({"start_on": "2026-11-03", "reason": "Bäst"}, "start_on"),
        ({"start_on": "9999-12-31", "reason": "Bäst"}, "start_on"),
        ({"start_on": START.isoformat(), "proposed_expectations": ["no.such"]}, "proposed_expectations"),
        ({"start_on": START.isoformat()}, "reason"),  # from the offer, the hand-over is the decision
        ({"start_on": START.isoformat(), "reason": "  "}, "reason"),
    ):
        refused = check.response(as_boss.post(url, json=body), "post", HAND_OVER)
        answer = refused.get_json()["error"]
        assert refused.status_code == 422 and field in answer["fields"], answer
    assert check.response(as_boss.post(url, json={"start_on": "x"}), "post", HAND_OVER).status_code == 400
    db.session.expire_all()
    assert candidacy.manager.stage is Stage.RECRUIT

    body = {
        "start_on": START.isoformat(),
        "proposed_expectations": ["secure.decide", "leader.feedback"],
        "reason": "Bäst meriterad",
    }
    done = check.response(as_boss.post(url, json=body), "post", HAND_OVER).get_json()
    assert done["stage"] == "introduce" and done["starts_on"] == START.isoformat()
    assert done["introduction_id"] and done["invitation_id"] and done["invitation_refused"] is None
    assert [g["status"] for g in done["proposed_goals"]] == ["proposed", "proposed"]
    decision = decision_of(vacancy)
    assert decision is not None and (decision.candidacy_id, decision.reason) == (
        candidacy.id,
        "Bäst meriterad",
    )
    again = check.response(as_boss.post(url, json=body), "post", HAND_OVER)
    assert again.status_code == 422 and "candidacy" in again.get_json()["error"]["fields"]

    first, second = (g["id"] for g in done["proposed_goals"])
    person = db.session.get(type(candidacy.manager), done["manager_id"])
    assert person is not None
    revised = as_boss.patch(
        f"/api/v1/proposed-goals/{first}", json={"title": "Besluta i tid", "expectation": "leader.trust"}
    )
    assert check.response(revised, "patch", PROPOSAL).get_json()["expectations"] == ["leader.trust"]
    blank = as_boss.patch(f"/api/v1/proposed-goals/{first}", json={"title": " "})
    assert check.response(blank, "patch", PROPOSAL).status_code == 400
    accepted = check.response(
        as_boss.post(f"/api/v1/proposed-goals/{first}/accept"), "post", f"{PROPOSAL}/accept"
    )
    assert accepted.get_json()["status"] == "planned"
    # Accepted: no longer a proposal, for anyone; and the owner may now move it on.
    assert as_boss.post(f"/api/v1/proposed-goals/{first}/accept").status_code == 404
    rejected = check.response(
        as_boss.post(f"/api/v1/proposed-goals/{second}/reject"), "post", f"{PROPOSAL}/reject"
    )
    assert rejected.get_json()["id"] == second
    db.session.expire_all()
    goal = db.session.get(PlanGoal, first)
    assert goal is not None and goal.status is GoalStatus.PLANNED and db.session.get(PlanGoal, second) is None
    assert {(path, method) for method, path, _status in check.checked} == HANDOVER_OPERATIONS


def test_the_new_manager_cannot_decide_their_own_proposals_nor_move_them_on(
    orebro: Flask,  # noqa: F811
    api_as: Callable[[User], ApiClient],
) -> None:
    from lifecycle.services.recruitment.handover import hand_over
    from tests.test_handover import _expectation

    hr = make_user(Role.HR)
    vacancy = _recruitment(hr, hiring_manager=_boss().user)
    in_post = make_manager("Ivan Internsson", Stage.DEVELOP, with_account=True)
    from lifecycle.services.recruitment import add_candidate
    from tests.test_handover import TODAY

    done = hand_over(
        _offer(add_candidate(vacancy, in_post, hr, TODAY)),
        START,
        [_expectation("secure.decide")],
        hr,
        reason="Intern kandidat, bäst meriterad",
    )
    db.session.commit()
    goal_id = done.proposed_goals[0].id
    own = api_as(in_post.user)  # type: ignore[arg-type]
    assert own.post(f"/api/v1/proposed-goals/{goal_id}/accept").status_code == 404
    assert own.patch(f"/api/v1/goals/{goal_id}", json={"status": "in_progress"}).status_code == 404
    assert own.patch(f"/api/v1/goals/{goal_id}", json={"status": "proposed"}).status_code in (400, 404)
