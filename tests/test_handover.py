"""The hand-over: a hire moves to introduction with a dated programme, an invitation and proposed goals.

E-mail (the invitation, the not-selected notice) goes through a real SMTP server (aiosmtpd) from the
task, run as the worker runs it: after the request, with no request context (`worker_tasks`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import Retry
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import GoalStatus
from lifecycle.enums import Language
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import ManagerChange
from lifecycle.models import PlanGoal
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.models.interviews import VacancyDecision
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import NotSelectedReason
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.introductions import ensure_default_template
from lifecycle.services.plan_proposals import accept_proposed_goal
from lifecycle.services.plan_proposals import proposed_goals
from lifecycle.services.plan_proposals import reject_proposed_goal
from lifecycle.services.plan_proposals import revise_proposed_goal
from lifecycle.services.plans import PlanError
from lifecycle.services.plans import set_goal_status
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.recruitment import VacancyError
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import add_candidate
from lifecycle.services.recruitment import add_external_candidate
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import move_candidate
from lifecycle.services.recruitment import not_select
from lifecycle.services.recruitment import record_decision
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.services.recruitment.decision import decision_of
from lifecycle.services.recruitment.handover import HandOverError
from lifecycle.services.recruitment.handover import hand_over
from lifecycle.services.recruitment.notices import unsent_notices
from lifecycle.services.workdays import is_working_day
from lifecycle.tasks import send_not_selected
from tests.conftest import Inbox
from tests.conftest import WorkerTasks
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("clock")

#: the clock's day (tests/conftest.py CLOCK): the decision is taken today
TODAY = date(2026, 11, 4)
START = date(2027, 1, 11)
#: hiring from the offer step is the decision, recorded with its reason
REASON = "Bäst meriterad och tydligast om förväntningarna"
NORDBY = Path(__file__).parent / "platforms" / "nordby.yaml"


def _platform(source: bytes) -> None:
    load_platform(parse_platform(source))
    ensure_default_template()


@pytest.fixture
def orebro(app_ctx: Flask) -> Flask:
    _platform(DEFAULT_PLATFORM.read_bytes())
    return app_ctx


def _expectation(key: str) -> Expectation:
    found = db.session.scalar(select(Expectation).where(Expectation.key == key))
    assert found is not None
    return found


def _recruitment(hr: User, *, hiring_manager: User | None, title: str = "Rektor Västra skolan") -> Vacancy:
    unit = make_unit("Västra skolan")
    vacancy = create_vacancy(
        VacancyValues(
            title=title, org_unit=unit, hiring_manager=hiring_manager, hr_partner=hr, planned_start_on=START
        ),
        hr,
    )
    first = db.session.scalars(select(Expectation).order_by(Expectation.id)).first()
    assert first is not None
    set_weights(vacancy, {first: 3})
    set_status(vacancy, VacancyStatus.OPEN, TODAY)
    return vacancy


def _boss() -> Manager:
    return make_manager("Britt Beslutsfattare", Stage.DEVELOP, with_account=True)


def _offer(candidacy: Candidacy) -> Candidacy:
    move_candidate(candidacy, CandidateStep.OFFER)
    return candidacy


def _external(
    vacancy: Vacancy, name: str = "Extra Externsson", email: str | None = "extra@example.se"
) -> Candidacy:
    return add_external_candidate(vacancy, name=name, email=email, actor=None, applied_on=TODAY)


# -- the service -----------------------------------------------------------------------------------------


def test_an_external_hire_is_in_introduce_with_dated_milestones_an_invitation_and_proposed_goals(
    orebro: Flask,
) -> None:
    hr = make_user(Role.HR)
    boss = _boss()
    vacancy = _recruitment(hr, hiring_manager=boss.user)
    candidacy = _offer(_external(vacancy))
    lowest = [_expectation("secure.decide"), _expectation("leader.feedback")]

    done = hand_over(candidacy, START, lowest, hr, reason=REASON)

    person = candidacy.manager
    assert candidacy.step is CandidateStep.HIRED and candidacy.starts_on == START
    assert vacancy.status is VacancyStatus.DECIDED
    assert (person.stage, person.org_unit_id, person.line_manager_id) == (
        Stage.INTRODUCE,
        vacancy.org_unit_id,
        boss.id,
    )
    assert person.start_date == START
    moves = db.session.scalars(
        select(StageTransition).where(StageTransition.manager_id == person.id).order_by(StageTransition.id)
    ).all()
    assert [(m.from_stage, m.to_stage) for m in moves] == [
        (None, Stage.RECRUIT),
        (Stage.RECRUIT, Stage.INTRODUCE),
    ]
    assert (
        moves[-1].effective_date == TODAY
        and moves[-1].actor is hr
        and "Rektor Västra skolan" in moves[-1].reason
    )
    changed = {
        c.field
        for c in db.session.scalars(select(ManagerChange).where(ManagerChange.manager_id == person.id))
    }
    assert changed == {"org_unit_id", "line_manager_id", "start_date"}

    assert done.launch is not None and done.launch.start_date == START
    milestones = db.session.scalars(
        select(Activity).where(Activity.introduction_id == done.launch.id).order_by(Activity.due_on)
    ).all()
    assert milestones and all(m.kind is ActivityKind.INTRODUCTION_MILESTONE for m in milestones)
    assert all(m.due_on is not None and is_working_day(m.due_on) for m in milestones)
    # The line manager is the hiring manager: their milestones are theirs.
    assert any(m.responsible_id == boss.user_id for m in milestones)

    assert done.invitation is not None and done.invitation_refused is None
    assert person.user is not None and person.user.email == "extra@example.se"
    assert person.user.password_hash is None

    goals = done.proposed_goals
    assert [g.status for g in goals] == [GoalStatus.PROPOSED, GoalStatus.PROPOSED]
    assert [[e.key for e in g.expectations] for g in goals] == [["secure.decide"], ["leader.feedback"]]
    assert [g.expectations[0].pillar.key for g in goals] == ["secure", "leader"]
    assert all(g.candidacy is candidacy for g in goals)
    assert goals[0].title == "Utvecklas inom: fatta och verkställa beslut"
    plan = goals[0].plan
    assert plan.starts_on <= START <= plan.ends_on
    assert proposed_goals(person) == goals


def test_an_internal_manager_moves_develop_to_introduce_and_keeps_their_history_and_account(
    orebro: Flask,
) -> None:
    hr = make_user(Role.HR)
    boss = _boss()
    vacancy = _recruitment(hr, hiring_manager=boss.user)
    in_post = make_manager("Ivan Internsson", Stage.DEVELOP, with_account=True)
    candidacy = _offer(add_candidate(vacancy, in_post, hr, TODAY))
    move_candidate(candidacy, CandidateStep.OFFER)
    candidacy.step = CandidateStep.HIRED  # the decision service hired them yesterday

    done = hand_over(candidacy, START, [_expectation("developer.scout")], hr)

    stages = [
        (t.from_stage, t.to_stage)
        for t in db.session.scalars(
            select(StageTransition)
            .where(StageTransition.manager_id == in_post.id)
            .order_by(StageTransition.id)
        )
    ]
    assert stages == [(None, Stage.DEVELOP), (Stage.DEVELOP, Stage.INTRODUCE)]
    assert in_post.stage is Stage.INTRODUCE and in_post.line_manager_id == boss.id
    assert in_post.start_date == START and done.launch is not None and done.launch.start_date == START
    # They already log in: no invitation, and nothing to say about it.
    assert done.invitation is None and done.invitation_refused is None
    assert [g.expectations[0].key for g in done.proposed_goals] == ["developer.scout"]


def test_a_hire_without_an_e_mail_address_is_handed_over_and_told_why_there_is_no_invitation(
    orebro: Flask,
) -> None:
    hr = make_user(Role.HR)
    vacancy = _recruitment(hr, hiring_manager=_boss().user)
    candidacy = _offer(_external(vacancy, email=None))
    done = hand_over(candidacy, START, [], hr, reason=REASON)
    assert candidacy.manager.stage is Stage.INTRODUCE and done.invitation is None
    assert done.invitation_refused is not None and "e-post" in str(done.invitation_refused)
    assert done.proposed_goals == []


def _refusal(candidacy: Candidacy, start_on: date = START) -> HandOverError:
    with pytest.raises(HandOverError) as refused:
        hand_over(candidacy, start_on, [], None, reason=REASON)
    return refused.value


def test_what_cannot_be_handed_over_is_refused_on_its_field(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    boss = _boss()
    vacancy = _recruitment(hr, hiring_manager=boss.user)
    applied = _external(vacancy, "Anna Ansökt", "anna@example.se")
    assert _refusal(applied).field == "candidacy"  # no offer yet
    rejected = _external(vacancy, "Nils Nej", "nils@example.se")
    not_select(rejected, NotSelectedReason.OTHER_CANDIDATE, hr, TODAY)
    assert _refusal(rejected).field == "candidacy"
    assert "inte utvald" in str(_refusal(rejected))
    offered = _offer(_external(vacancy, "Olga Erbjuden", "olga@example.se"))
    early = _refusal(offered, TODAY - timedelta(days=1))
    assert early.field == "start_on" and TODAY.isoformat() in str(early)
    assert _refusal(offered, TODAY + timedelta(days=400)).field == "start_on"
    assert _refusal(offered, date(9999, 12, 31)).field == "start_on"
    assert offered.manager.stage is Stage.RECRUIT  # the caller rolls back; nothing moved before refusing
    hand_over(offered, TODAY, [], hr, reason=REASON)  # starting on the day of the decision is fine
    again = _refusal(offered)
    assert again.field == "candidacy" and "redan" in str(again)


def test_hiring_from_the_offer_is_the_decision_and_needs_its_reason(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    vacancy = _recruitment(hr, hiring_manager=_boss().user)
    offered = _offer(_external(vacancy))
    for blank in ("", "   "):
        with pytest.raises(HandOverError) as refused:
            hand_over(offered, START, [], hr, reason=blank)
        assert refused.value.field == "reason" and "skälet" in str(refused.value)
    with pytest.raises(HandOverError) as long:
        hand_over(offered, START, [], hr, reason="x" * 4001)
    assert long.value.field == "reason"
    # Refused before anything moved: the caller's rollback has nothing to undo.
    assert decision_of(vacancy) is None and offered.manager.stage is Stage.RECRUIT

    hand_over(offered, START, [], hr, reason=f"  {REASON} ")
    decision = decision_of(vacancy)
    assert decision is not None
    assert (decision.candidacy, decision.reason, decision.decided_by_id) == (offered, REASON, hr.id)
    assert offered.step is CandidateStep.HIRED and vacancy.status is VacancyStatus.DECIDED


def test_a_hand_over_after_the_decision_keeps_that_decision(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    vacancy = _recruitment(hr, hiring_manager=_boss().user)
    offered = _offer(_external(vacancy))
    record_decision(vacancy, offered, "Beslutat på beslutssidan", hr)
    hand_over(offered, START, [], hr)  # no reason asked again
    decisions = db.session.scalars(select(VacancyDecision).where(VacancyDecision.vacancy_id == vacancy.id))
    assert [d.reason for d in decisions] == ["Beslutat på beslutssidan"]


def test_a_cancelled_or_closed_vacancy_hires_nobody(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    vacancy = _recruitment(hr, hiring_manager=_boss().user)
    offered = _offer(_external(vacancy))
    set_status(vacancy, VacancyStatus.CANCELLED, TODAY)
    refused = _refusal(offered)
    assert refused.field == "vacancy" and "inställd" in str(refused)


def test_the_line_manager_is_the_hiring_managers_manager_record_or_the_hand_over_says_why_not(
    orebro: Flask,
) -> None:
    hr = make_user(Role.HR)
    without = _recruitment(hr, hiring_manager=None)
    assert _refusal(_offer(_external(without))).field == "hiring_manager"
    director = make_user(Role.MANAGER, name="Dora Direktör")  # an account, but no manager record
    vacancy = _recruitment(hr, hiring_manager=director, title="Förskolechef")
    refused = _refusal(_offer(_external(vacancy)))
    assert refused.field == "hiring_manager" and "Dora Direktör" in str(refused)


def test_a_manager_still_in_their_introduction_finishes_it_first(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    vacancy = _recruitment(hr, hiring_manager=_boss().user)
    newcomer = make_manager("Nova Nyanställd", Stage.INTRODUCE, with_account=True)
    refused = _refusal(_offer(add_candidate(vacancy, newcomer, hr, TODAY)))
    assert refused.field == "candidacy" and isinstance(refused, VacancyError)


def test_a_four_pillar_platform_proposes_its_own_expectations(app_ctx: Flask) -> None:
    _platform(NORDBY.read_bytes())
    hr = make_user(Role.HR)
    vacancy = _recruitment(hr, hiring_manager=_boss().user)
    every = db.session.scalars(select(Expectation).order_by(Expectation.id)).all()
    pillars = list(dict.fromkeys(e.pillar for e in every))
    assert len(pillars) == 4
    lowest = [next(e for e in every if e.pillar is pillars[3]), every[0]]
    done = hand_over(_offer(_external(vacancy)), START, lowest, hr, reason=REASON)
    assert [g.expectations[0].pillar.key for g in done.proposed_goals] == [pillars[3].key, pillars[0].key]
    assert done.launch is not None  # the programme built from Nordby's pillars


# -- proposed goals -------------------------------------------------------------------------------------


def _handed_over(hr: User, lowest: list[str]) -> tuple[Manager, Manager, list[PlanGoal]]:
    boss = _boss()
    vacancy = _recruitment(hr, hiring_manager=boss.user)
    done = hand_over(_offer(_external(vacancy)), START, [_expectation(k) for k in lowest], hr, reason=REASON)
    return done.candidacy.manager, boss, done.proposed_goals


def test_a_proposal_is_accepted_edited_or_rejected_and_its_owner_cannot_move_it_on(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    _person, _line, (first, second, third) = _handed_over(
        hr, ["secure.decide", "leader.feedback", "developer.scout"]
    )
    with pytest.raises(PlanError):
        set_goal_status(first, GoalStatus.IN_PROGRESS)
    accept_proposed_goal(first)
    assert first.status is GoalStatus.PLANNED
    with pytest.raises(PlanError):
        accept_proposed_goal(first)  # only once
    with pytest.raises(PlanError) as refused:
        revise_proposed_goal(second, title=" ", description="", expectation=_expectation("leader.trust"))
    assert refused.value.field == "title"
    revise_proposed_goal(
        second,
        title="Ge feedback varje vecka",
        description="",
        expectation=_expectation("leader.trust"),
        accept=True,
    )
    assert (second.title, second.status, [e.key for e in second.expectations]) == (
        "Ge feedback varje vecka",
        GoalStatus.PLANNED,
        ["leader.trust"],
    )
    goal_id = third.id
    reject_proposed_goal(third)
    assert db.session.get(PlanGoal, goal_id) is None


# -- the pages ---------------------------------------------------------------------------------------------


def test_the_hiring_manager_hires_on_the_vacancy_page_and_the_invitation_goes_out_once(
    orebro: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    inbox: Inbox,
    worker_tasks: WorkerTasks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hr = make_user(Role.HR)
    boss = _boss()
    vacancy = _recruitment(hr, hiring_manager=boss.user)
    candidacy = _offer(_external(vacancy))
    other = _external(vacancy, "Sara Sökande", "sara@example.se")
    monkeypatch.setattr(
        "lifecycle.blueprints.recruitment.handover.proposed_expectations",
        lambda c: [_expectation("secure.decide"), _expectation("leader.feedback")],
    )
    db.session.commit()
    login(boss.user.email)  # type: ignore[union-attr]
    page = client.get(f"/vacancies/{vacancy.id}").get_data(as_text=True)
    url = f"/vacancies/{vacancy.id}/candidates/{candidacy.id}/hire"
    assert url in page and f"/candidates/{other.id}/hire" not in page
    form = client.get(url).get_data(as_text=True)
    assert 'value="2027-01-11"' in form  # the vacancy's planned start
    assert "fatta och verkställa beslut" in form and "ge och få feedback" in form

    for bad in ("2026-11-03", "not a date", ""):
        refused = post_form(client, url, {"start_on": bad, "reason": REASON})
        assert refused.status_code == 200 and 'id="start_on-error"' in refused.get_data(as_text=True)
    # No decision is recorded yet: hiring from the offer is the decision, and asks for its reason.
    assert 'name="reason"' in form
    unexplained = post_form(client, url, {"start_on": "2027-01-11", "reason": " "})
    assert 'id="reason-error"' in unexplained.get_data(as_text=True)
    db.session.expire_all()
    assert candidacy.manager.stage is Stage.RECRUIT and candidacy.step is CandidateStep.OFFER

    done = post_form(client, url, {"start_on": "2027-01-11", "reason": REASON})
    assert done.status_code == 302
    db.session.expire_all()
    person = candidacy.manager
    assert person.stage is Stage.INTRODUCE and person.line_manager_id == boss.id
    decision = decision_of(vacancy)
    assert decision is not None and (decision.candidacy_id, decision.reason) == (candidacy.id, REASON)
    assert worker_tasks.named("invitations.send")
    [message] = inbox.to("extra@example.se")
    assert message["Subject"] == "Du är inbjuden till Chefsresan"
    assert client.get(url).status_code == 404  # handed over: the page is gone
    page = client.get(f"/vacancies/{vacancy.id}").get_data(as_text=True)
    assert "startar 11 jan. 2027" in page or "11 jan. 2027" in page

    # The new line manager sees the proposals on the plan, with the actions.
    plan = client.get(f"/managers/{person.id}/plan").get_data(as_text=True)
    goals = proposed_goals(person)
    assert len(goals) == 2 and f"/plan/proposals/{goals[0].id}/accept" in plan
    assert "Mål som rekryteringen föreslår" in plan


def test_the_new_manager_reads_the_proposals_and_their_line_manager_decides_them(
    orebro: Flask, app: Flask, login: Callable[..., Any]
) -> None:
    hr = make_user(Role.HR)
    person, boss, (first, second) = _handed_over(hr, ["secure.decide", "leader.feedback"])
    first_id, second_id = first.id, second.id
    person.user.password_hash = boss.user.password_hash  # type: ignore[union-attr]  # as if they accepted
    db.session.commit()
    own = app.test_client()
    login(person.user.email, test_client=own)  # type: ignore[union-attr]
    page = own.get("/me").get_data(as_text=True)
    assert first.title in page and "föreslaget av rekryteringen" in page and "/accept" not in page
    token = csrf_token_from(page)
    base = f"/managers/{person.id}/plan/proposals"
    assert own.post(f"{base}/{first.id}/accept", data={"csrf_token": token}).status_code == 404
    assert own.get(f"{base}/{first.id}/edit").status_code == 404
    assert (
        own.post(
            f"/managers/{person.id}/plan/goals/{first.id}/status",
            data={"status": "planned", "csrf_token": token},
        ).status_code
        == 404
    )
    db.session.expire_all()
    assert first.status is GoalStatus.PROPOSED

    line = app.test_client()
    login(boss.user.email, test_client=line)  # type: ignore[union-attr]
    edit = f"{base}/{first.id}/edit"
    bad = post_form(line, edit, {"title": "", "expectation": "secure.decide", "accept": "y"})
    assert 'id="title-error"' in bad.get_data(as_text=True)
    unknown = post_form(line, edit, {"title": "X", "expectation": "no.such", "accept": "y"})
    assert 'id="expectation-error"' in unknown.get_data(as_text=True)
    saved = post_form(line, edit, {"title": "Besluta i tid", "expectation": "leader.trust", "accept": "y"})
    assert saved.status_code == 302
    token = csrf_token_from(line.get(f"/managers/{person.id}/plan").get_data(as_text=True))
    assert line.post(f"{base}/{second.id}/reject", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    accepted = db.session.get(PlanGoal, first_id)
    assert accepted is not None and (accepted.title, accepted.status) == ("Besluta i tid", GoalStatus.PLANNED)
    assert db.session.get(PlanGoal, second_id) is None
    assert proposed_goals(person) == []


# -- telling the candidates not selected ---------------------------------------------------------------


def test_hr_tells_a_candidate_not_selected_once_in_their_language_without_the_reason(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any], inbox: Inbox, worker_tasks: WorkerTasks
) -> None:
    hr = make_user(Role.HR, name="Hedda HR")
    vacancy = _recruitment(hr, hiring_manager=_boss().user)
    sara = _external(vacancy, "Sara Sökande", "sara@example.se")
    john = _external(vacancy, "John Applicant", "john@example.com")
    quiet = _external(vacancy, "Tyst Kandidat", "tyst@example.se")
    db.session.commit()
    login(hr.email)
    token = csrf_token_from(client.get(f"/vacancies/{vacancy.id}").get_data(as_text=True))

    def decide(candidacy: Candidacy, **extra: str) -> None:
        response = client.post(
            f"/vacancies/{vacancy.id}/candidates/{candidacy.id}/not-selected",
            data={"reason": "other_candidate", "csrf_token": token, **extra},
        )
        assert response.status_code == 302

    decide(sara, tell="y", language="sv")
    decide(john, tell="y", language="en")
    decide(quiet)
    [to_sara] = inbox.to("sara@example.se")
    [to_john] = inbox.to("john@example.com")
    assert inbox.to("tyst@example.se") == []
    assert to_sara["Subject"] == "Din ansökan till Rektor Västra skolan"
    assert to_john["Subject"] == "Your application for Rektor Västra skolan"
    text = to_sara.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Hej Sara Sökande" in text and "Hedda HR" in text
    assert "annan kandidat" not in text.lower()  # the reason is HR's, not the e-mail's
    assert "Another candidate" not in to_john.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    db.session.expire_all()
    assert sara.manager.stage is Stage.CLOSED and sara.notice_sent_at is not None
    send_not_selected.run([sara.id, john.id])  # a redelivery, or the sweep
    assert len(inbox.to("sara@example.se")) == 1 and len(inbox.to("john@example.com")) == 1
    page = client.get(f"/vacancies/{vacancy.id}").get_data(as_text=True)
    assert "Meddelad via e-post" in page


def test_a_candidate_without_an_address_cannot_be_told_and_nothing_changes(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any], worker_tasks: WorkerTasks
) -> None:
    hr = make_user(Role.HR)
    vacancy = _recruitment(hr, hiring_manager=_boss().user)
    nameless = _external(vacancy, "Utan Adress", None)
    db.session.commit()
    login(hr.email)
    token = csrf_token_from(client.get(f"/vacancies/{vacancy.id}").get_data(as_text=True))
    response = client.post(
        f"/vacancies/{vacancy.id}/candidates/{nameless.id}/not-selected",
        data={"reason": "requirements", "tell": "y", "language": "sv", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Det finns ingen e-postadress" in response.get_data(as_text=True)
    db.session.expire_all()
    assert nameless.step is CandidateStep.APPLIED and nameless.manager.stage is Stage.RECRUIT
    assert worker_tasks.named("recruitment.send_not_selected") == []


def test_a_mail_server_that_is_down_leaves_the_notice_waiting_and_the_sweep_skips_it(
    orebro: Flask, smtp_config: None
) -> None:
    hr = make_user(Role.HR)
    vacancy = _recruitment(hr, hiring_manager=_boss().user)
    withdrew = _external(vacancy, "Vera Vidare", "vera@example.se")
    not_select(withdrew, NotSelectedReason.WITHDREW, hr, TODAY, Language.SV)
    db.session.commit()
    with pytest.raises(Retry):
        send_not_selected.run([withdrew.id])  # nobody listens on the port
    db.session.expire_all()
    assert withdrew.notice_sent_at is None and withdrew.notice_failed_at is not None
    assert unsent_notices(withdrew.step_changed_at + timedelta(hours=1)) == []  # failed: retried, not swept
    assert (
        db.session.scalar(
            select(func.count()).select_from(Candidacy).where(Candidacy.notice_sent_at.is_not(None))
        )
        == 0
    )


def test_the_withdrawn_and_the_cancelled_are_told_what_happened(orebro: Flask, inbox: Inbox) -> None:
    hr = make_user(Role.HR)
    vacancy = _recruitment(hr, hiring_manager=_boss().user)
    vera = _external(vacancy, "Vera Vidare", "vera@example.se")
    carl = _external(vacancy, "Carl Inställd", "carl@example.se")
    not_select(vera, NotSelectedReason.WITHDREW, hr, TODAY, Language.SV)
    not_select(carl, NotSelectedReason.VACANCY_CANCELLED, hr, TODAY, Language.EN)
    db.session.commit()
    send_not_selected.run([vera.id, carl.id])
    vera_text = inbox.to("vera@example.se")[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    carl_text = inbox.to("carl@example.se")[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "dragit tillbaka din ansökan" in vera_text
    assert "recruitment has been cancelled" in carl_text
