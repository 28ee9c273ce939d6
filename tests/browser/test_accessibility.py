"""WCAG 2.1 A and AA: axe-core finds no violation on any page type, in Swedish and in English."""

from __future__ import annotations

import json
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import ImportStatus
from lifecycle.enums import Language
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import ObstacleStatus
from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import NotSelectedReason
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.models.recruitment_banks import BankKind
from lifecycle.models.talent_pool import PoolSource
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import create_catalogue_item
from lifecycle.services.activities import resolve_tags
from lifecycle.services.imports import preview_import
from lifecycle.services.imports.candidates import preview_candidate_import
from lifecycle.services.invitations import invite
from lifecycle.services.mentoring import log_meeting
from lifecycle.services.mentoring import mark_role_model
from lifecycle.services.mentoring import start_mentorship
from lifecycle.services.obstacles import ObstacleChange
from lifecycle.services.obstacles import change_obstacle
from lifecycle.services.obstacles import report_obstacle
from lifecycle.services.organisation import create_unit
from lifecycle.services.plan_proposals import propose_goals
from lifecycle.services.plans import add_goal
from lifecycle.services.plans import ensure_plan
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.recruitment import InterviewValues
from lifecycle.services.recruitment import ScoreValue
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import add_candidate
from lifecycle.services.recruitment import add_external_candidate
from lifecycle.services.recruitment import amend_scorecard
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import move_candidate
from lifecycle.services.recruitment import not_select
from lifecycle.services.recruitment import schedule_interview
from lifecycle.services.recruitment import set_recruitment_group
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.services.recruitment import submit_scorecard
from lifecycle.services.recruitment.banks import entries_of
from lifecycle.services.talent_pool import ProfileValues
from lifecycle.services.talent_pool import add_new_person_to_pool
from lifecycle.services.talent_pool import add_to_pool
from lifecycle.services.tokens import digest
from lifecycle.timeutil import STOCKHOLM
from lifecycle.timeutil import local_today
from tests.browser.test_pipeline_browser import log_in
from tests.factories import make_manager
from tests.factories import make_user

AXE = (Path(__file__).parent.parent / "assets" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def axe_page(browser: Any) -> Any:
    # The app's CSP forbids injected scripts; the audit tab bypasses it, the app's own pages do not need to.
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm", bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


INVITATION_SECRET = "a11y-invitation-secret-0123456789abcdefghijk"


def _violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations", TAGS
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result
    ]


def _world(app: Flask) -> dict[str, Any]:
    with app.app_context():
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        root = create_unit("Provkommun", OrgUnitKind.MUNICIPALITY)
        unit = create_unit("Vårdförvaltningen", OrgUnitKind.ADMINISTRATION, root)
        hr = make_user(Role.HR, email="hr@a11y.example", name="Hanna HR")
        boss = make_manager("Bodil Chef", org_unit=unit, with_account=True)
        anna = make_manager(
            "Anna Andersson",
            Stage.DEVELOP,
            org_unit=unit,
            line_manager=boss,
            with_account=True,
            entered_on=date(2025, 5, 1),
        )
        ida = make_manager("Ida Introduktion", Stage.INTRODUCE, org_unit=unit)
        # Ida is invited, her e-mail sent with a link whose secret the test knows.
        invitation = invite(ida, hr)
        assert invitation is not None
        invitation.token_digest, invitation.sent_at = digest(INVITATION_SECRET), utcnow()
        pillars, expectations = resolve_tags(["leader"], ["leader.feedback"])
        create_catalogue_item(
            title="Feedbackkurs",
            kind=ActivityKind.COURSE,
            description="",
            pillars=pillars,
            expectations=expectations,
        )
        plan = ensure_plan(anna, date(2026, 6, 1))
        add_goal(plan, title="Mer feedback", expectations=expectations)
        add_activity(
            kind=ActivityKind.WORKSHOP,
            title="Workshop",
            participants=[anna],
            pillars=pillars,
            actor=None,
            completed_on=date(2026, 3, 1),
        )
        # A vacancy with weighed expectations, a group and candidates at two steps.
        vacancy = create_vacancy(VacancyValues(title="Verksamhetschef", org_unit=unit, hr_partner=hr), hr)
        set_weights(vacancy, {expectations[0]: 3})
        set_recruitment_group(vacancy, [boss.user])  # type: ignore[list-item]
        set_status(vacancy, VacancyStatus.OPEN, date(2026, 6, 1))
        annas = add_candidate(vacancy, anna, hr, date(2026, 6, 1))
        # A candidate at the offer step, to hand over; goals the recruitment proposed in Anna's plan.
        offered = add_external_candidate(
            vacancy, name="Olga Erbjuden", email="olga@a11y.example", actor=hr, applied_on=date(2026, 6, 1)
        )
        move_candidate(offered, CandidateStep.OFFER)
        proposal = propose_goals(plan, expectations, annas)[0]
        applied = annas
        # Anna's interview, with the boss's scorecard submitted and amended; another candidate's
        # interview, whose scorecard the boss has not begun.
        soon = datetime.combine(local_today() + timedelta(days=3), datetime.min.time(), tzinfo=STOCKHOLM)
        interview = schedule_interview(applied, InterviewValues(starts_at=soon.replace(hour=10)), hr)
        card = submit_scorecard(
            applied, boss.user, {expectations[0].id: ScoreValue(4, "Gav tydliga exempel")}
        )  # type: ignore[arg-type]
        amend_scorecard(card, boss.user, {expectations[0].id: ScoreValue(3)}, reason="Efter referenserna")  # type: ignore[arg-type]
        second = add_external_candidate(
            vacancy, name="Andra Sökande", email=None, actor=hr, applied_on=date(2026, 6, 1)
        )
        schedule_interview(second, InterviewValues(starts_at=soon.replace(hour=14)), hr)
        not_select(
            add_external_candidate(
                vacancy, name="Extern Sökande", email=None, actor=hr, applied_on=date(2026, 6, 1)
            ),
            NotSelectedReason.WITHDREW,
            hr,
            date(2026, 6, 2),
        )
        # The talent pool: a contact with strengths, and a manager in post aiming higher.
        contact = add_new_person_to_pool(
            name="Pia Pool",
            email="pia@example.org",
            employee_number=None,
            values=ProfileValues(
                PoolSource.EVENT, date(2026, 5, 1), notes="Träffades på mässan", expectations=expectations
            ),
            actor=hr,
            today=date(2026, 6, 1),
        )
        add_to_pool(boss, ProfileValues(PoolSource.ASPIRANT, date(2026, 5, 1)), hr, date(2026, 6, 1))
        # An obstacle Anna reported, handled by HR, with its history; and one removed.
        obstacle = report_obstacle(
            reporter=anna,
            unit=unit,
            title="Ingen vikariepool",
            description="Vi saknar vikarier\nsedan i våras.",
            severity=ObstacleSeverity.HIGH,
            shared=True,
            pillar_ids=[],
            expectation_ids=[expectations[0].id],
            actor=anna.user,
        )
        change_obstacle(
            obstacle,
            ObstacleChange(
                ObstacleStatus.BEING_HANDLED, hr, local_today() + timedelta(days=30), comment="Vi tittar"
            ),
            hr,
        )
        removed = report_obstacle(
            reporter=anna,
            unit=unit,
            title="Trasig skrivare",
            description="",
            severity=ObstacleSeverity.LOW,
            shared=False,
            pillar_ids=[pillars[0].id],
            expectation_ids=[],
            actor=anna.user,
        )
        change_obstacle(
            removed, ObstacleChange(ObstacleStatus.REMOVED, hr, None, explanation="Ny skrivare"), hr
        )
        # Import jobs in each state the progress page shows.
        jobs = {}
        for status, done in ((ImportStatus.RUNNING, 400), (ImportStatus.DONE, 2), (ImportStatus.FAILED, 0)):
            job = preview_import(
                b"employee_number;name;email;title;unit_path;line_manager_employee_number;start_date;stage\r\n"
                b"X1;Xa;;;;;;develop\r\nX2;Xb;;;;;;develop\r\n",
                "chefer.csv",
                uploaded_by=hr,
                today=date(2026, 6, 1),
            )
            job.status, job.rows_done, job.rows_total = status, done, 1000
            jobs[status] = job
        candidates = preview_candidate_import(
            "Förnamn;Efternamn;E-post;Ansöknings-ID\r\nNils;Ny;nils@example.org;V-1\r\nOlle;Fel;olle;V-2\r\n".encode(),
            "varbi.csv",
            hr,
            date(2026, 6, 1),
            vacancy,
        )
        jobs[ImportStatus.FAILED].failure = {
            "msgid": "Nothing was imported: %(problem)s",
            "params": {"problem": "x"},
        }
        # -- mentoring: a role model mentoring Anna, with a meeting logged
        mentor = make_manager("Maja Mentor", org_unit=unit, with_account=True)
        role_model = mark_role_model(
            mentor, pillar_keys=["leader"], expectation_keys=["leader.feedback"], capacity=2, actor=hr
        )
        mentorship = start_mentorship(
            mentor=mentor,
            mentee=anna,
            starts_on=local_today() - timedelta(days=10),
            ends_on=local_today() + timedelta(days=120),
            goals="Ge och ta emot feedback",
            cadence_weeks=4,
            actor=hr,
        )
        log_meeting(
            mentorship,
            held_on=local_today() - timedelta(days=2),
            title="Första träffen",
            pillar_keys=["leader"],
            expectation_keys=["leader.feedback"],
            actor=hr,
        )
        db.session.commit()
        return {
            "role_model": role_model.id,
            "mentorship": mentorship.id,
            "jobs": [job.id for job in jobs.values()],
            "hr": hr.email,
            "anna": anna.id,
            "ida": ida.id,
            "anna_email": anna.user.email,  # type: ignore[union-attr]
            "review": plan.reviews[0].id if plan.reviews else None,
            "vacancy": vacancy.id,
            "offered": offered.id,
            "proposal": proposal.id,
            "pool_member": contact.id,
            "obstacle": obstacle.id,
            "removed_obstacle": removed.id,
            "unit": unit.id,
            "pool_person": contact.manager_id,
            "candidate_import": candidates.id,
            "candidate": f"/vacancies/{vacancy.id}/candidates/{applied.id}",
            "interview": interview.id,
            "second": f"/vacancies/{vacancy.id}/candidates/{second.id}",
            "boss_email": boss.user.email,  # type: ignore[union-attr]
            "expectation": expectations[0].id,
            "bank_entry": entries_of(BankKind.QUESTION, [expectations[0].id], Language.SV)[
                expectations[0].id
            ][0].id,
        }


def _check(page: Any, url: str | None, failures: dict[str, Any], label: str = "") -> None:
    """Audit the page at `url` (or the page as it is, when None) and note what axe found."""
    if url is not None:
        response = page.goto(url)
        # An error page would be audited instead of the page meant; only the 404 page is meant as one.
        if (
            response is not None
            and not response.ok
            and "no-such-page" not in url
            and "reset-password" not in url
            and "/invitation/" not in url
        ):
            failures[url] = f"answered {response.status}"
            return
    found = _violations(page)
    if found:
        failures[label or url or page.url] = found


def test_every_page_type_has_no_wcag_violations(app: Flask, live_url: str, axe_page: Any) -> None:
    data = _world(app)
    failures: dict[str, Any] = {}
    _check(axe_page, f"{live_url}/login", failures)
    _check(axe_page, f"{live_url}/forgot-password", failures)
    axe_page.locator("main form button[type=submit]").click()  # the reset request with an error
    _check(axe_page, None, failures, "forgot password with errors")
    _check(axe_page, f"{live_url}/reset-password/{'x' * 43}", failures, "a reset link that does not work")
    _check(axe_page, f"{live_url}/invitation/{'x' * 43}", failures, "an invitation link that does not work")
    _check(axe_page, f"{live_url}/invitation/{INVITATION_SECRET}", failures, "choosing the first password")
    axe_page.locator("main form button[type=submit]").click()
    _check(axe_page, None, failures, "the first password with errors")
    axe_page.goto(f"{live_url}/login")
    axe_page.get_by_role("button", name="Logga in").click()  # a form with errors
    _check(axe_page, None, failures, "login with errors")
    log_in(axe_page, live_url, data["hr"])
    anna = data["anna"]
    for path in (
        "/",
        "/pipeline",
        "/pipeline?stage=develop",
        f"/managers/{anna}",
        f"/managers/{anna}/edit",
        f"/managers/{anna}/move",
        f"/managers/{anna}/plan",
        f"/managers/{data['ida']}",
        "/invitations/new",
        "/invitations/new?q=Ida",
        "/platform",
        "/insight/coverage",
        "/insight/uncovered?pillar=secure",
        "/catalogue",
        "/catalogue/new",
        "/activities/new",
        "/account/",
        "/managers/import",
        "/activities/import",
        "/introductions",
        "/introductions/templates",
        "/introductions/templates/new",
        "/reminders",
        "/reminders/rules",
        "/vacancies",
        "/vacancies/new",
        f"/vacancies/{data['vacancy']}",
        f"/vacancies/{data['vacancy']}/edit",
        f"/vacancies/{data['vacancy']}/expectations",
        f"/vacancies/{data['vacancy']}/group",
        f"/vacancies/{data['vacancy']}/candidates/new",
        f"/vacancies/{data['vacancy']}/candidates/{data['offered']}/hire",
        f"/managers/{anna}/plan/proposals/{data['proposal']}/edit",
        "/talent-pool",
        "/talent-pool?pillar=leader&soon=y",
        "/talent-pool/new",
        f"/talent-pool/{data['pool_member']}",
        f"/talent-pool/{data['pool_member']}/edit",
        f"/talent-pool/{data['pool_member']}/remove",
        f"/activities/new?member={data['pool_person']}&kind=aspirant_programme",
        f"/vacancies/{data['vacancy']}/candidates/import",
        f"/vacancies/{data['vacancy']}/candidates/import/{data['candidate_import']}",
        data["candidate"],
        f"{data['candidate']}/interviews/new",
        f"{data['candidate']}/interviews/{data['interview']}/edit",
        f"/vacancies/{data['vacancy']}/matrix",
        f"/vacancies/{data['vacancy']}/matrix?sort=name",
        f"/vacancies/{data['vacancy']}/decision",
        "/recruitment/banks/phrases",
        "/recruitment/banks/questions?lang=en",
        f"/recruitment/banks/questions/{data['expectation']}",
        f"/recruitment/banks/entries/{data['bank_entry']}/edit",
        f"/vacancies/{data['vacancy']}/ad",
        f"/vacancies/{data['vacancy']}/ad?language=en",
        f"/vacancies/{data['vacancy']}/ad/preview",
        f"/vacancies/{data['vacancy']}/guide",
        f"/vacancies/{data['vacancy']}/guide?language=en",
        f"/managers/{anna}/audit",
        f"/managers/{anna}/anonymise",
        "/obstacles",
        "/obstacles/overview",
        f"/obstacles/overview?unit={data['unit']}&status=all",
        f"/obstacles/{data['obstacle']}",
        f"/obstacles/{data['removed_obstacle']}?lang=en",
        # -- mentoring --
        "/role-models",
        "/role-models/new",
        f"/role-models/{data['role_model']}/edit",
        f"/managers/{anna}/mentors",
        f"/managers/{anna}/mentorships/new",
        "/mentorships",
        f"/mentorships/{data['mentorship']}",
        f"/mentorships/{data['mentorship']}?lang=en",
        "/account/password",
        "/platform?lang=en",
        "/pipeline?lang=en",
        "/no-such-page",
    ):
        _check(axe_page, f"{live_url}{path}", failures)
    if data["review"]:
        _check(axe_page, f"{live_url}/managers/{anna}/reviews/{data['review']}", failures)
    # The running job's page reloads itself (a meta refresh with a control to stop it, WCAG 2.2.1);
    # it is audited kept still, so that it does not reload under axe.
    running, finished, failed = data["jobs"]
    for path in (
        f"/managers/import/{running}/progress?refresh=off",
        f"/managers/import/{finished}/progress",
        f"/managers/import/{failed}/progress",
        f"/managers/import/{failed}/progress?lang=en",
    ):
        _check(axe_page, f"{live_url}{path}", failures)
    axe_page.goto(f"{live_url}/managers/{anna}/edit")
    axe_page.locator("#name").fill("")
    axe_page.locator("main form button[type=submit]").click()
    _check(axe_page, None, failures, "edit with errors")
    axe_page.goto(f"{live_url}/vacancies/new")
    axe_page.locator("main form button[type=submit]").click()
    _check(axe_page, None, failures, "a new vacancy with errors")
    axe_page.goto(f"{live_url}/vacancies/{data['vacancy']}/candidates/{data['offered']}/hire")
    axe_page.locator("#start_on").fill("")
    axe_page.locator("main form button[type=submit]").click()
    _check(axe_page, None, failures, "a hand-over with errors")
    axe_page.goto(f"{live_url}/talent-pool/new")
    axe_page.locator("main form button[type=submit]").click()
    _check(axe_page, None, failures, "a new pool member with errors")
    axe_page.goto(f"{live_url}/recruitment/banks/questions/{data['expectation']}")
    axe_page.locator("#text").fill("")
    axe_page.locator("main form[novalidate] button[type=submit]").click()
    _check(axe_page, None, failures, "a bank entry with errors")
    axe_page.goto(f"{live_url}/vacancies/{data['vacancy']}/ad")
    axe_page.locator(f"#text_{data['expectation']}").fill("")
    axe_page.locator(f"input[name=phrase_{data['expectation']}][value=own]").check()
    axe_page.locator("main form[novalidate] button[type=submit]").click()
    _check(axe_page, None, failures, "the job ad with errors")
    axe_page.goto(f"{live_url}/managers/{anna}/anonymise")
    axe_page.locator("main form button[type=submit]").click()
    _check(axe_page, None, failures, "anonymise with errors")
    axe_page.goto(f"{live_url}/vacancies/{data['vacancy']}/decision")
    axe_page.locator("main form button[type=submit]").click()
    _check(axe_page, None, failures, "a decision with errors")
    axe_page.goto(f"{live_url}/obstacles/{data['obstacle']}?lang=sv")
    axe_page.locator("#status").select_option("not_removable")
    axe_page.locator("#handle-heading ~ form button[type=submit]").click()
    _check(axe_page, None, failures, "an obstacle's handling with errors")
    # -- mentoring: a mentorship and a meeting with errors
    axe_page.goto(f"{live_url}/managers/{anna}/mentorships/new?lang=sv")
    axe_page.locator("main form button[type=submit]").click()
    _check(axe_page, None, failures, "a new mentorship with errors")
    axe_page.goto(f"{live_url}/mentorships/{data['mentorship']}")
    axe_page.locator("#held_on").fill("")
    axe_page.get_by_role("button", name="Registrera mötet").click()
    _check(axe_page, None, failures, "a meeting with errors")
    # The interviewer's own scorecards: submitted (with its amendment), a draft, errors, an amendment.
    axe_page.goto(f"{live_url}/?lang=sv")
    axe_page.get_by_role("button", name="Logga ut").click()
    log_in(axe_page, live_url, data["boss_email"])
    for path in (
        f"{data['candidate']}/scorecard",
        f"{data['candidate']}/scorecard/amend",
        f"{data['second']}/scorecard",
        data["second"],
    ):
        _check(axe_page, f"{live_url}{path}", failures)
    axe_page.goto(f"{live_url}{data['second']}/scorecard")
    axe_page.locator("main form button[value=submit]").click()
    _check(axe_page, None, failures, "a scorecard submitted incomplete")
    axe_page.goto(f"{live_url}{data['candidate']}/scorecard/amend")
    axe_page.locator("main form button[type=submit]").click()
    _check(axe_page, None, failures, "an amendment with errors")
    axe_page.goto(f"{live_url}/?lang=sv")
    axe_page.get_by_role("button", name="Logga ut").click()
    log_in(axe_page, live_url, data["anna_email"])
    _check(axe_page, f"{live_url}/me", failures)
    for path in ("/obstacles", "/obstacles/new", f"/obstacles/{data['obstacle']}"):
        _check(axe_page, f"{live_url}{path}", failures)
    axe_page.goto(f"{live_url}/obstacles/new")
    axe_page.locator("main form button[type=submit]").click()
    _check(axe_page, None, failures, "an obstacle reported with errors")
    assert not failures, json.dumps(failures, indent=1, ensure_ascii=False)


def test_login_and_moving_a_manager_work_with_the_keyboard_alone(
    app: Flask, live_url: str, browser: Any
) -> None:
    data = _world(app)
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    page = context.new_page()
    try:
        page.goto(f"{live_url}/login")
        page.keyboard.press("Tab")  # the skip link comes first
        assert page.evaluate("document.activeElement.textContent").strip() == "Hoppa till innehållet"
        page.focus("#email")
        page.keyboard.type(data["hr"])
        page.keyboard.press("Tab")
        page.keyboard.type("correct horse battery")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_url}/")
        page.goto(f"{live_url}/managers/{data['anna']}/move")
        page.focus("input[name=to_stage]")
        page.keyboard.press("Space")  # offboarding, which would need an end date ...
        page.keyboard.press("ArrowDown")  # ... so the next one: a new assignment (introduce)
        page.keyboard.press("Tab")
        page.keyboard.type("Ny tjänst")
        # The date of the move defaults to today; Tab past it (each part of a date field is a stop)
        # and past the end date to the button.
        for _stop in range(12):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent").strip() == "Flytta":
                break
        assert page.evaluate("document.activeElement.tagName") == "BUTTON"
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_url}/managers/{data['anna']}")
        assert "Ny tjänst" in page.locator(".timeline").inner_text()
    finally:
        context.close()


# -- wstests ----
def _workshop_world(app: Flask) -> dict[str, Any]:
    """A unit's group with a planned workshop (two participants, so each can be taken out) and a held
    one with a group goal owned by Anna and an obstacle; Örebro's guide."""
    from lifecycle.services.workshops import GoalDraft
    from lifecycle.services.workshops import ObstacleDraft
    from lifecycle.services.workshops import PillarOutcome
    from lifecycle.services.workshops import WorkshopValues
    from lifecycle.services.workshops import plan_workshop
    from lifecycle.services.workshops import record_outcome
    from lifecycle.services.workshops.guide import guide_for

    with app.app_context():
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        unit = create_unit("Vårdförvaltningen", OrgUnitKind.ADMINISTRATION)
        hr = make_user(Role.HR, email="hr@a11y.example", name="Hanna HR")
        anna = make_manager("Anna Andersson", org_unit=unit, with_account=True)
        make_manager("Bodil Chef", org_unit=unit, with_account=True)
        pillars, _expectations = resolve_tags(["leader", "secure"], [])
        today = local_today()

        def plan(day: date) -> Any:
            held_at = datetime.combine(day, datetime.min.time(), tzinfo=STOCKHOLM).replace(hour=9)
            values = WorkshopValues("Ledningsgruppens workshop", held_at, hr, [p.id for p in pillars])
            return plan_workshop(unit, values, hr)

        planned = plan(today + timedelta(days=14))
        held = plan(today - timedelta(days=1))
        leader = next(p for p in pillars if p.key == "leader")
        record_outcome(
            held,
            [
                PillarOutcome(
                    leader.id,
                    notes="Vi pratade om feedback.\nOch om tid.",
                    goals=[GoalDraft("Feedback varje vecka", anna.id, today + timedelta(days=30))],
                    obstacles=[ObstacleDraft("För stora personalgrupper", ObstacleSeverity.HIGH, True)],
                )
            ],
            hr,
            today,
        )
        question = guide_for([leader.id], Language.SV)[leader.id][0]
        db.session.commit()
        return {
            "hr": hr.email,
            "anna": anna.id,
            "anna_email": anna.user.email,  # type: ignore[union-attr]
            "unit": unit.id,
            "planned": planned.id,
            "held": held.id,
            "question": question.id,
        }


def _in(language: str, path: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


def test_every_workshop_page_has_no_wcag_violations(app: Flask, live_url: str, axe_page: Any) -> None:
    data = _workshop_world(app)
    failures: dict[str, Any] = {}
    planned, held = f"/workshops/{data['planned']}", f"/workshops/{data['held']}"
    hr_pages = (
        "/workshops",
        "/workshops/new",
        f"/workshops/new?unit={data['unit']}",
        planned,
        f"{planned}/edit",
        held,
        f"{held}/outcome/leader",
        "/workshops/guide",
        "/workshops/guide/leader",
        f"/workshops/guide/questions/{data['question']}",
        f"/managers/{data['anna']}/plan",
    )
    participant_pages = ("/workshops", planned, held, "/me")
    log_in(axe_page, live_url, data["hr"])
    for language in ("sv", "en"):
        for path in hr_pages:
            _check(axe_page, f"{live_url}{_in(language, path)}", failures)
    axe_page.goto(f"{live_url}/workshops/new?unit={data['unit']}&lang=sv")
    axe_page.locator("main form[method=post] button[type=submit]").click()
    _check(axe_page, None, failures, "a new workshop with errors")
    axe_page.goto(f"{live_url}{planned}")
    axe_page.get_by_role("button", name="Lägg till i gruppen").click()
    _check(axe_page, None, failures, "a participant added with errors")
    axe_page.goto(f"{live_url}{held}/outcome/leader")
    axe_page.locator("#goals-0-text").fill("Ett mål utan ansvarig")
    axe_page.locator("#obstacles-0-title").fill("Ett hinder")
    axe_page.locator("#obstacles-0-severity").evaluate(
        "s => { s.options[0].value = ''; s.selectedIndex = 0; }"
    )
    axe_page.get_by_role("button", name="Registrera resultatet").click()
    _check(axe_page, None, failures, "an outcome with errors")
    axe_page.goto(f"{live_url}/workshops/guide/leader")
    axe_page.locator("main form[novalidate] button[type=submit]").click()
    _check(axe_page, None, failures, "a new guide question with errors")
    axe_page.goto(f"{live_url}/workshops/guide/questions/{data['question']}")
    axe_page.locator("#text").fill("")
    axe_page.locator("main form button[type=submit]").click()
    _check(axe_page, None, failures, "a guide question changed with errors")
    axe_page.get_by_role("button", name="Logga ut").click()
    log_in(axe_page, live_url, data["anna_email"])
    for language in ("sv", "en"):
        for path in participant_pages:
            _check(
                axe_page,
                f"{live_url}{_in(language, path)}",
                failures,
                f"{path} as a participant ({language})",
            )
    assert not failures, json.dumps(failures, indent=1, ensure_ascii=False)
