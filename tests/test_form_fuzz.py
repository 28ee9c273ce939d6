"""Hypothesis fills the main forms with random input: never a server error, never a write to another's data.

Input mixes random text (control characters, NUL, odd Unicode), known nasty strings, huge strings,
dates at the edges and ids of other people's objects. Each example is sent inside a savepoint that
is rolled back, so every example starts from the access matrix's fixture data; manager B's record,
plan, goals, comments, reviews and activities ("the victim") must be exactly as before whenever the
form names someone else (A's own forms, HR's forms about A, the line manager's forms).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import Connection
from sqlalchemy import Dialect
from sqlalchemy import Select
from sqlalchemy import TextClause
from sqlalchemy import select
from sqlalchemy import text
from werkzeug.test import TestResponse

from lifecycle.enums import ActivityKind
from lifecycle.enums import OffsetUnit
from lifecycle.enums import ResponsibleRole
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.extensions import limiter
from lifecycle.models import Activity
from lifecycle.models import ApiToken
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Manager
from lifecycle.models import ManagerChange
from lifecycle.models import PasswordResetToken
from lifecycle.models import PlanComment
from lifecycle.models import PlanGoal
from lifecycle.models import ReviewAssessment
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.models.activities import activity_participants
from lifecycle.services.password_reset import issue_reset_token
from tests.conftest import csrf_token_from
from tests.factories import make_user
from tests.test_access_matrix import ANON
from tests.test_access_matrix import HR
from tests.test_access_matrix import INTERVIEWER
from tests.test_access_matrix import LINE
from tests.test_access_matrix import MGR_A
from tests.test_access_matrix import MGR_B
from tests.test_access_matrix import Matrix
from tests.test_access_matrix import World
from tests.test_access_matrix import committed  # noqa: F401  (the matrix's module-wide data, shared here)
from tests.test_access_matrix import fingerprint
from tests.test_access_matrix import matrix  # noqa: F401

EXAMPLES = 30

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31mröd\x1b[0m",
    "\r\n\r\n",
    "\t",
    "=cmd|' /C calc'!A0",
    "+SUM(1;2)",
    "<script>alert(1)</script>",
    "' OR '1'='1' --",
    "%s%n%x",
    "{{ 7*7 }}",
    "\u202eevil",
    "\ufeff",
    "\u200b\u200b",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🧭",
    "ÅÄÖ" * 100,
    "x" * 5_000,
    "y" * 200_000,
    "-1",
    "0",
    "99999999999999999999999",
    "1e308",
    "NaN",
    "None",
    "null",
    "[]",
]
#: beyond MAX_CONTENT_LENGTH: the whole request is refused
HUGE = "z" * (5 * 1024 * 1024 + 10)

TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.text(st.characters(max_codepoint=0x1F), max_size=10),
    st.sampled_from(NASTY),
)
DATE = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "2026-02-29",
            "2024-02-29",
            "2026-13-01",
            "2026-1-1",
            "99999-01-01",
            "１９-01-01",
        ]
    ),
    TEXT,
)
NUMBER = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), TEXT)
SOME_KEYS = st.sampled_from(
    ["leader", "secure", "developer", "leader.trust", "leader.feedback", "secure.decide"]
)


def keys(extra: st.SearchStrategy[str] = TEXT) -> st.SearchStrategy[list[str]]:
    return st.lists(st.one_of(SOME_KEYS, extra), max_size=4)


def one_of_values(values: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(values), TEXT)


def mostly(values: list[str]) -> st.SearchStrategy[str]:
    """One of `values` three times in four, random text otherwise: enough valid forms to reach the service."""
    valid = st.sampled_from(values)
    return st.one_of(valid, valid, valid, TEXT)


def victim_queries(manager_id: int) -> list[Select[Any]]:
    """Everything of one manager a form could write to: their record, plan, history and activities."""
    plans = select(DevelopmentPlan.id).where(DevelopmentPlan.manager_id == manager_id)
    reviews = select(DevelopmentReview.id).where(DevelopmentReview.plan_id.in_(plans))
    activities = select(activity_participants.c.activity_id).where(
        activity_participants.c.manager_id == manager_id
    )
    user_id = select(Manager.user_id).where(Manager.id == manager_id).scalar_subquery()
    user_columns = [c for c in User.__table__.columns if c.name != "last_login_at"]
    token_columns = [c for c in ApiToken.__table__.columns if c.name != "last_used_at"]
    return [
        select(Manager).where(Manager.id == manager_id),
        select(*user_columns).where(User.id == user_id),
        select(*token_columns).where(ApiToken.user_id == user_id),
        select(DevelopmentPlan).where(DevelopmentPlan.id.in_(plans)),
        select(PlanGoal).where(PlanGoal.plan_id.in_(plans)),
        select(PlanComment).where(PlanComment.plan_id.in_(plans)),
        select(DevelopmentReview).where(DevelopmentReview.id.in_(reviews)),
        select(ReviewAssessment).where(ReviewAssessment.review_id.in_(reviews)),
        select(Activity).where(Activity.id.in_(activities)),
        select(activity_participants).where(activity_participants.c.activity_id.in_(activities)),
        select(StageTransition).where(StageTransition.manager_id == manager_id),
        select(ManagerChange).where(ManagerChange.manager_id == manager_id),
    ]


@functools.cache
def _digest_sql(manager_id: int, dialect: Dialect) -> TextClause:
    """One PostgreSQL statement that digests every victim query's rows (one round trip, not twelve)."""
    parts = []
    for number, query in enumerate(victim_queries(manager_id)):
        inner = query.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
        parts.append(  # the statements are built from the models, never from input
            f"SELECT {number} AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS d"  # noqa: S608
            f" FROM ({inner}) AS t"
        )
    return text(" UNION ALL ".join(parts) + " ORDER BY n")


def victim_state(connection: Connection, manager_id: int) -> list[Any]:
    if connection.dialect.name == "postgresql":
        return list(connection.execute(_digest_sql(manager_id, connection.dialect)))
    return [
        sorted(repr(tuple(row)) for row in connection.execute(query)) for query in victim_queries(manager_id)
    ]


def send(setting: Matrix, role: str, url: str, data: dict[str, Any]) -> tuple[TestResponse, bool]:
    """POST the form as `role` in a savepoint that is rolled back; say whether manager B's data changed."""
    assert setting.connection is not None
    browser = setting.browsers[role]
    savepoint = setting.connection.begin_nested()
    try:
        limiter.reset()  # the login limits would otherwise answer 429 after a few wrong passwords
        before = victim_state(setting.connection, setting.world.b.manager)
        response = browser.client.post(url, data={**data, "csrf_token": browser.csrf}, buffered=True)
        touched = victim_state(setting.connection, setting.world.b.manager) != before
    finally:
        savepoint.rollback()
    with browser.client.session_transaction() as session:
        session.pop("_flashes", None)
    return response, touched


def check(setting: Matrix, role: str, url: str, data: dict[str, Any]) -> TestResponse:
    response, touched = send(setting, role, url, data)
    assert response.status_code < 500, (url, response.status_code, response.get_data(as_text=True)[:500])
    assert not touched, f"{role} changed manager B's data through {url}"
    location = response.headers.get("Location", "")
    assert not location or (location.startswith("/") and not location.startswith("//")), location
    return response


# Each form: who sends it, where (maybe naming someone else's object), and a strategy for its fields.
Form = Callable[[World], tuple[str, st.SearchStrategy[str], st.SearchStrategy[dict[str, Any]]]]


def _login(w: World) -> Any:
    return (
        ANON,
        st.just("/login"),
        st.fixed_dictionaries({"email": one_of_values(list(w.emails.values())), "password": TEXT}),
    )


def _password(w: World) -> Any:
    return (
        MGR_A,
        st.just("/account/password"),
        st.fixed_dictionaries({"current_password": TEXT, "new_password": TEXT, "repeat_password": TEXT}),
    )


def _move(w: World) -> Any:
    return (
        HR,
        st.just(f"/managers/{w.a.manager}/move"),
        st.fixed_dictionaries(
            {
                "to_stage": one_of_values([s.value for s in Stage]),
                "reason": TEXT,
                "effective_date": DATE,
                "end_date": DATE,
            }
        ),
    )


def _edit(w: World) -> Any:
    numbers = [w.a.number, w.b.number, w.line_number, w.mentor_number]
    return (
        HR,
        st.just(f"/managers/{w.a.manager}/edit"),
        st.fixed_dictionaries(
            {
                "name": TEXT,
                "employee_number": one_of_values(numbers),
                "email": one_of_values([w.b.email, "ok@kommun.example"]),
                "title": TEXT,
                "org_unit_id": NUMBER,
                "hr_partner_id": one_of_values([str(w.users[HR]), str(w.users[MGR_A])]),
                "line_manager_number": one_of_values(numbers),
                "mentor_number": one_of_values(numbers),
                "start_date": DATE,
                "end_date": DATE,
            }
        ),
    )


def _plan_url(w: World, tail: str) -> st.SearchStrategy[str]:
    """A's own plan, or (as someone who may not change it) B's."""
    return st.sampled_from([f"/managers/{w.a.manager}/plan/{tail}", f"/managers/{w.b.manager}/plan/{tail}"])


def _goal(w: World) -> Any:
    return (
        MGR_A,
        _plan_url(w, "goals"),
        st.fixed_dictionaries(
            {
                "goal-title": TEXT,
                "goal-expectations": keys(),
                "goal-target_on": DATE,
                "goal-description": TEXT,
            }
        ),
    )


def _goal_status(w: World) -> Any:
    urls = [f"/managers/{w.a.manager}/plan/goals/{goal}/status" for goal in (w.a.goal, w.b.goal)]
    return MGR_A, st.sampled_from(urls), st.fixed_dictionaries({"status": one_of_values(["done", "dropped"])})


def _catalogue_activity(w: World) -> Any:
    return (
        MGR_A,
        _plan_url(w, "activities"),
        st.fixed_dictionaries(
            {
                "catalogue-catalogue_item": one_of_values([str(w.catalogue_item)]),
                "catalogue-goal": one_of_values([str(w.b.goal), str(w.a.goal), "0"]),
                "catalogue-due_on": DATE,
            }
        ),
    )


def _complete(w: World) -> Any:
    urls = [
        f"/managers/{w.a.manager}/plan/activities/{activity}/complete"
        for activity in (w.a.activity, w.b.activity, w.group_activity, w.interview)
    ]
    return MGR_A, st.sampled_from(urls), st.fixed_dictionaries({"complete-completed_on": DATE})


def _new_activity(w: World) -> Any:
    participants = st.lists(st.sampled_from([w.a.number, w.b.number, "X999"]) | TEXT, max_size=4).map(
        " ".join
    )
    return (
        HR,
        st.sampled_from(["/activities/new", f"/activities/new?manager={w.a.manager}"]),
        st.fixed_dictionaries(
            {
                "title": TEXT,
                "kind": one_of_values([k.value for k in ActivityKind]),
                "description": TEXT,
                "pillars": keys(),
                "expectations": keys(),
                "participants": participants,
                "due_on": DATE,
                "completed_on": DATE,
            }
        ),
    )


def _comment(w: World) -> Any:
    return LINE, _plan_url(w, "comments"), st.fixed_dictionaries({"comment-body": TEXT})


def _notes(w: World) -> Any:
    return MGR_A, _plan_url(w, "notes"), st.fixed_dictionaries({"notes-notes": TEXT})


def _assessment(w: World) -> Any:
    urls = [
        f"/managers/{w.a.manager}/reviews/{w.a.review}/assessments",
        f"/managers/{w.a.manager}/reviews/{w.b.review}/assessments",
        f"/managers/{w.b.manager}/reviews/{w.b.review}/assessments",
    ]
    ids = one_of_values([str(w.expectation), "0", "-1", str(2**31), str(2**64)])
    fields = st.dictionaries(
        st.one_of(ids.map(lambda i: f"score-{i}"), ids.map(lambda i: f"comment-{i}")),
        one_of_values(["1", "3", "5", "6", "0", "-1"]),
        max_size=4,
    )
    return MGR_A, st.sampled_from(urls), fields


def _review_complete(w: World) -> Any:
    urls = [f"/managers/{w.a.manager}/reviews/{review}/complete" for review in (w.a.review, w.b.review)]
    return (
        LINE,
        st.sampled_from(urls),
        st.fixed_dictionaries(
            {"completed_on": DATE, "next_steps": TEXT, "goal_title": TEXT, "goal_expectations": keys()}
        ),
    )


def _catalogue_item(w: World) -> Any:
    return (
        HR,
        st.just("/catalogue/new"),
        st.fixed_dictionaries(
            {
                "title": TEXT,
                "kind": one_of_values([k.value for k in ActivityKind]),
                "description": TEXT,
                "pillars": keys(),
                "expectations": keys(),
            }
        ),
    )


def _template(w: World) -> Any:
    urls = ["/introductions/templates/new", f"/introductions/templates/{w.template}"]
    return (
        HR,
        st.sampled_from(urls),
        st.fixed_dictionaries(
            {
                "name": one_of_values(["Tomt program", "Matrisprogrammet"]),
                "description": TEXT,
                "is_active": TEXT,
            }
        ),
    )


def _milestone(w: World) -> Any:
    urls = [
        f"/introductions/templates/{w.template}/milestones/new",
        f"/introductions/templates/{w.template}/milestones/{w.milestone}",
        f"/introductions/templates/{w.other_template}/milestones/{w.milestone}",
    ]
    return (
        HR,
        st.sampled_from(urls),
        st.fixed_dictionaries(
            {
                "title": TEXT,
                "description": TEXT,
                "offset_amount": NUMBER,
                "offset_unit": one_of_values([u.value for u in OffsetUnit]),
                "responsible_role": one_of_values([r.value for r in ResponsibleRole]),
                "responsible_email": one_of_values([w.b.email, w.emails[HR]]),
                "pillars": keys(),
                "expectations": keys(),
            }
        ),
    )


def _rules(w: World) -> Any:
    fields = {
        f"{kind}-{name}": mostly(["", "1", "3", "14", "365"])
        for kind in ("introduction_milestone", "development_review", "activity")
        for name in ("days_before", "days_after")
    }
    fields.update({f"{kind}-on_due_day": TEXT for kind in ("introduction_milestone", "activity")})
    return HR, st.just("/reminders/rules"), st.fixed_dictionaries(fields)


def _preferences(w: World) -> Any:
    return (
        MGR_A,
        st.just("/reminders/preferences"),
        st.fixed_dictionaries(
            {
                "delivery": mostly(["single", "digest"]),
                "next": one_of_values(["//evil.example", "https://evil.example", "/\\evil.example", "/me"]),
            }
        ),
    )


def _token(w: World) -> Any:
    return MGR_A, st.just("/account/tokens"), st.fixed_dictionaries({"name": TEXT})


def _settings(w: World) -> Any:
    return MGR_A, st.just("/account/"), st.fixed_dictionaries({"language": one_of_values(["sv", "en", ""])})


def _forgot_password(w: World) -> Any:
    addresses = [w.b.email, w.b.email.upper(), f" {w.emails[MGR_A]} ", "okand@kommun.example"]
    return ANON, st.just("/forgot-password"), st.fixed_dictionaries({"email": one_of_values(addresses)})


def _vacancy(w: World) -> Any:
    return (
        HR,
        st.sampled_from(["/vacancies/new", f"/vacancies/{w.vacancy}/edit"]),
        st.fixed_dictionaries(
            {
                "title": TEXT,
                "org_unit_id": one_of_values([str(w.unit), "0", "2147483648"]),
                "hr_partner_id": one_of_values([str(w.users[HR]), str(w.users[MGR_B]), "0"]),
                "hiring_manager_email": one_of_values([w.emails[LINE], w.b.email, "okand@kommun.example"]),
                "published_on": DATE,
                "closes_on": DATE,
                "planned_start_on": DATE,
                "unit_text": TEXT,
                "role_text": TEXT,
            }
        ),
    )


def _vacancy_weights(w: World) -> Any:
    return (
        HR,
        st.just(f"/vacancies/{w.vacancy}/expectations"),
        st.fixed_dictionaries(
            {
                f"e{w.expectation}": NUMBER,
                "e2147483648": NUMBER,
                f"e{w.expectation + 1}": mostly(["0", "1", "3"]),
            }
        ),
    )


def _vacancy_group(w: World) -> Any:
    lines = one_of_values([w.emails[INTERVIEWER], w.b.email, "okand@kommun.example", ""])
    return (
        HR,
        st.just(f"/vacancies/{w.vacancy}/group"),
        st.fixed_dictionaries({"interviewers": st.lists(lines, max_size=5).map("\n".join)}),
    )


def _candidate(w: World) -> Any:
    return (
        HR,
        st.just(f"/vacancies/{w.vacancy}/candidates/new"),
        st.fixed_dictionaries(
            {
                "employee_number": one_of_values([w.b.number, w.a.number, ""]),
                "name": TEXT,
                "email": one_of_values(["ny@example.se", "inte en adress", ""]),
                "applied_on": DATE,
            }
        ),
    )


def _hire(w: World) -> Any:
    # The hiring manager (A's line manager) hands the candidate at the offer step over.
    urls = [
        f"/vacancies/{w.vacancy}/candidates/{w.offer}/hire",
        f"/vacancies/{w.vacancy}/candidates/{w.candidacy}/hire",
        f"/vacancies/{w.hidden_vacancy}/candidates/{w.offer}/hire",
    ]
    return LINE, st.sampled_from(urls), st.fixed_dictionaries({"start_on": DATE})


def _not_selected(w: World) -> Any:
    return (
        HR,
        st.sampled_from(
            [f"/vacancies/{w.vacancy}/candidates/{c}/not-selected" for c in (w.candidacy, w.offer)]
        ),
        st.fixed_dictionaries(
            {
                "reason": one_of_values(["other_candidate", "withdrew", ""]),
                "tell": one_of_values(["y", "", "on"]),
                "language": one_of_values(["sv", "en", ""]),
            }
        ),
    )


def _pool_member(w: World) -> Any:
    return (
        HR,
        st.sampled_from(["/talent-pool/new", f"/talent-pool/{w.pool_member}/edit"]),
        st.fixed_dictionaries(
            {
                "person_number": one_of_values([w.b.number, w.a.number, "", "OKÄND"]),
                "name": TEXT,
                "email": one_of_values([w.b.email, "ny@example.se", "inte en adress", ""]),
                "employee_number": one_of_values([w.b.number, "", "NY-1"]),
                "source": mostly(["aspirant", "programme", "external_contact", "event"]),
                "consent_given_on": st.one_of(st.just(w.today), DATE),
                "pillars": keys(),
                "expectations": keys(),
                "notes": TEXT,
            }
        ),
    )


def _bank_entry(w: World) -> Any:
    return (
        HR,
        st.sampled_from(
            [
                f"/recruitment/banks/questions/{w.expectation}",
                f"/recruitment/banks/phrases/{w.expectation}",
                f"/recruitment/banks/entries/{w.bank_entry}/edit",
            ]
        ),
        st.fixed_dictionaries({"language": one_of_values(["sv", "en", ""]), "text": TEXT}),
    )


def _bank_entry_buttons(w: World) -> Any:
    return (
        HR,
        st.sampled_from(
            [
                f"/recruitment/banks/entries/{w.bank_entry}/retire",
                f"/recruitment/banks/entries/{w.bank_entry}/move",
            ]
        ),
        st.fixed_dictionaries(
            {"retired": one_of_values(["0", "1"]), "direction": one_of_values(["up", "down"])}
        ),
    )


def _proposal(w: World) -> Any:
    urls = [
        f"/managers/{w.a.manager}/plan/proposals/{w.a.proposal}/edit",
        f"/managers/{w.a.manager}/plan/proposals/{w.b.proposal}/edit",
        f"/managers/{w.a.manager}/plan/proposals/{w.a.goal}/edit",
    ]
    return (
        LINE,
        st.sampled_from(urls),
        st.fixed_dictionaries(
            {
                "title": TEXT,
                "expectation": one_of_values(["leader.trust", "secure.decide", "no.such"]),
                "description": TEXT,
                "accept": one_of_values(["y", ""]),
                "save": one_of_values(["y", ""]),
            }
        ),
    )


def _interview(w: World) -> Any:
    base = f"/vacancies/{w.vacancy}/candidates/{w.candidacy}/interviews"
    return (
        LINE,
        st.sampled_from([f"{base}/new", f"{base}/{w.recruitment_interview}/edit"]),
        st.fixed_dictionaries(
            {
                "starts_on": DATE,
                "starts_time": one_of_values(["10:00", "23:59", "25:00", "00:00"]),
                "duration_minutes": NUMBER,
                "location": TEXT,
                "interviewers": one_of_values(
                    [str(w.users[INTERVIEWER]), str(w.users[LINE]), str(w.users[MGR_B]), "2147483648"]
                ),
            }
        ),
    )


def _pool_consent(w: World) -> Any:
    return (
        HR,
        st.just(f"/talent-pool/{w.pool_member}/consent"),
        st.fixed_dictionaries({"consent_given_on": st.one_of(st.just(w.today), DATE)}),
    )


def _pool_recruit(w: World) -> Any:
    return (
        HR,
        st.just(f"/talent-pool/{w.pool_member}/recruit"),
        st.fixed_dictionaries({"vacancy_id": one_of_values([str(w.vacancy), str(w.hidden_vacancy), "0"])}),
    )


def _pool_activity(w: World) -> Any:
    """HR's activity form with participants from the pool, and B named among them."""
    members = st.lists(one_of_values([str(w.pool_member), str(w.b.manager), "2147483648"]), max_size=3)
    return (
        HR,
        members.map(lambda ids: "/activities/new?" + "&".join(f"member={i}" for i in ids)),
        st.fixed_dictionaries(
            {
                "members": members,
                "participants": one_of_values(["", w.a.number]),
                "title": TEXT,
                "kind": mostly(["aspirant_programme", "employer_branding"]),
                "pillars": keys(),
                "due_on": DATE,
            }
        ),
    )


def _scorecard(w: World) -> Any:
    # The hiring manager's draft: saved or submitted with random scores and evidence.
    return (
        LINE,
        st.just(f"/vacancies/{w.vacancy}/candidates/{w.candidacy}/scorecard"),
        st.fixed_dictionaries(
            {
                "action": one_of_values(["save", "submit"]),
                f"score_{w.trust}": one_of_values(["1", "3", "5", "0", "6", ""]),
                f"evidence_{w.trust}": TEXT,
                f"score_{w.expectation}": NUMBER,
            }
        ),
    )


def _amendment(w: World) -> Any:
    return (
        INTERVIEWER,
        st.just(f"/vacancies/{w.vacancy}/candidates/{w.candidacy}/scorecard/amend"),
        st.fixed_dictionaries(
            {
                f"score_{w.trust}": one_of_values(["", "1", "4", "9"]),
                f"evidence_{w.trust}": TEXT,
                "reason": TEXT,
            }
        ),
    )


def _decision(w: World) -> Any:
    return (
        LINE,
        st.just(f"/vacancies/{w.vacancy}/decision"),
        st.fixed_dictionaries(
            {
                "candidacy": one_of_values([str(w.candidacy), "0", "2147483648", str(w.hidden_vacancy)]),
                "reason": TEXT,
            }
        ),
    )


def _job_ad(w: World) -> Any:
    trust = w.weighed_expectation
    return (
        HR,
        st.sampled_from([f"/vacancies/{w.vacancy}/ad?language=sv", f"/vacancies/{w.vacancy}/ad?language=en"]),
        st.fixed_dictionaries(
            {
                "unit_text": TEXT,
                "role_text": TEXT,
                f"phrase_{trust}": one_of_values(["own", str(w.bank_entry), "1", "0"]),
                f"text_{trust}": TEXT,
                f"phrase_{w.expectation}": NUMBER,
            }
        ),
    )


def _obstacle_report(w: World) -> Any:
    ids = [str(w.trust), str(w.expectation), "0", "-1", "2147483648"]
    return (
        MGR_A,
        st.just("/obstacles/new"),
        st.fixed_dictionaries(
            {
                "title": TEXT,
                "description": TEXT,
                "severity": one_of_values(["low", "medium", "high"]),
                "pillars": st.lists(one_of_values(ids), max_size=3),
                "expectations": st.lists(one_of_values(ids), max_size=3),
                "shared": one_of_values(["y", "", "on"]),
            }
        ),
    )


def _obstacle_handling(w: World) -> Any:
    return (
        HR,
        st.sampled_from([f"/obstacles/{w.obstacle}/handle", f"/obstacles/{w.shared_obstacle}/handle"]),
        st.fixed_dictionaries(
            {
                "owner": one_of_values([w.emails[INTERVIEWER], w.b.email, "nobody@example.org"]),
                "due_date": DATE,
                "status": one_of_values(["reported", "being_handled", "removed", "not_removable"]),
                "explanation": TEXT,
                "comment": TEXT,
            }
        ),
    )


def _obstacle_status(w: World) -> Any:
    return (
        INTERVIEWER,
        st.just(f"/obstacles/{w.obstacle}/handle"),
        st.fixed_dictionaries(
            {
                "status": one_of_values(["reported", "being_handled", "removed", "not_removable"]),
                "explanation": TEXT,
                "comment": TEXT,
                "owner": TEXT,
            }
        ),
    )


# -- mentoring ---------------------------------------------------------------------------------------------

KEYS = ["leader", "secure", "leader.feedback", "leader.trust", "nope", "0"]


def _role_model(w: World) -> Any:
    return (
        HR,
        st.just("/role-models/new"),
        st.fixed_dictionaries(
            {
                "employee_number": one_of_values([w.a.number, w.b.number, w.mentor_number, "X0"]),
                "pillars": st.lists(one_of_values(KEYS), max_size=3),
                "expectations": st.lists(one_of_values(KEYS), max_size=3),
                "capacity": NUMBER,
                "study_note": TEXT,
            }
        ),
    )


def _mentorship(w: World) -> Any:
    return (
        HR,
        st.just(f"/managers/{w.a.manager}/mentorships/new"),
        st.fixed_dictionaries(
            {
                "mentor_number": one_of_values([w.mentor_number, w.b.number, w.a.number, "X0"]),
                "starts_on": DATE,
                "ends_on": DATE,
                "goals": TEXT,
                "cadence_weeks": NUMBER,
            }
        ),
    )


def _mentoring_meeting(w: World) -> Any:
    return (
        MGR_A,
        st.just(f"/mentorships/{w.mentorship}/meetings"),
        st.fixed_dictionaries(
            {
                "held_on": DATE,
                "title": TEXT,
                "pillars": st.lists(one_of_values(KEYS), max_size=3),
                "expectations": st.lists(one_of_values(KEYS), max_size=3),
                "notes": TEXT,
            }
        ),
    )


def _mentorship_end(w: World) -> Any:
    return (MGR_A, st.just(f"/mentorships/{w.mentorship}/end"), st.fixed_dictionaries({"reason": TEXT}))


# -- offboarding ----
SCORE = one_of_values(["1", "3", "5", "0", "6", ""])
YES_NO = one_of_values(["yes", "no", "maybe", ""])


def _exit_interview(w: World) -> Any:
    pillars = ("secure", "developer", "leader")
    return (
        LINE,
        st.just(f"/managers/{w.offboarding_manager}/offboarding/exit-interview"),
        st.fixed_dictionaries(
            {
                "held_on": DATE,
                "reason": one_of_values(["pension", "other", "nope", ""]),
                "voluntary": YES_NO,
                "regrettable": YES_NO,
                "comment": TEXT,
                **{f"score_{key}": SCORE for key in pillars},
                **{f"comment_{key}": TEXT for key in pillars},
            }
        ),
    )


# -- effect map ----
def _effect(w: World) -> Any:
    return (
        HR,
        st.sampled_from(["/effect-map/effects/new", f"/effect-map/effects/{w.effect}/edit"]),
        st.fixed_dictionaries(
            {
                "title_sv": TEXT,
                "title_en": TEXT,
                "description_sv": TEXT,
                "measure_kind": mostly(["pulse_statement", "exits", "pillar_coverage", "obstacle_removal"]),
                "measure_statement": one_of_values(["clear_expectations", "support", ""]),
                "measure_pillar": one_of_values([str(w.leader_pillar), "", "0", "2000000000"]),
                "pillars": st.lists(one_of_values([str(w.leader_pillar), "-1", "99999999999"]), max_size=3),
                "expectations": st.lists(one_of_values([str(w.trust), str(w.expectation)]), max_size=3),
            }
        ),
    )


def _exit_reason(w: World) -> Any:
    return (
        HR,
        st.just("/offboarding/reasons"),
        st.fixed_dictionaries({"code": TEXT, "name_sv": TEXT, "name_en": TEXT}),
    )


def _effect_driver(w: World) -> Any:
    return (
        HR,
        st.sampled_from(
            [f"/effect-map/effects/{w.effect}/drivers", f"/effect-map/drivers/{w.effect_driver}/edit"]
        ),
        st.fixed_dictionaries(
            {"driver-text_sv": TEXT, "driver-text_en": TEXT, "text_sv": TEXT, "text_en": TEXT}
        ),
    )


def _effect_obstacle(w: World) -> Any:
    return (
        HR,
        st.just(f"/effect-map/effects/{w.effect}/obstacles"),
        st.fixed_dictionaries(
            {
                "obstacle-obstacle": one_of_values(
                    [str(w.obstacle), str(w.shared_obstacle), "", "2000000000"]
                ),
                "obstacle-text_sv": TEXT,
                "obstacle-text_en": TEXT,
            }
        ),
    )


FORMS: dict[str, Form] = {
    "obstacle report": _obstacle_report,
    "obstacle handling": _obstacle_handling,
    "obstacle status by its owner": _obstacle_status,
    "hire": _hire,
    "not selected": _not_selected,
    "proposed goal": _proposal,
    "pool member": _pool_member,
    "pool consent": _pool_consent,
    "pool recruit": _pool_recruit,
    "pool activity": _pool_activity,
    "interview": _interview,
    "scorecard": _scorecard,
    "scorecard amendment": _amendment,
    "decision": _decision,
    "bank entry": _bank_entry,
    "bank entry buttons": _bank_entry_buttons,
    "job ad": _job_ad,
    "vacancy": _vacancy,
    "vacancy weights": _vacancy_weights,
    "recruitment group": _vacancy_group,
    "candidate": _candidate,
    "login": _login,
    "change password": _password,
    "move manager": _move,
    "edit manager": _edit,
    "create goal": _goal,
    "goal status": _goal_status,
    "add catalogue activity": _catalogue_activity,
    "complete activity": _complete,
    "add activity": _new_activity,
    "comment": _comment,
    "notes": _notes,
    "review assessment": _assessment,
    "complete review": _review_complete,
    "catalogue item": _catalogue_item,
    "introduction template": _template,
    "introduction milestone": _milestone,
    "reminder rules": _rules,
    "e-mail preferences": _preferences,
    "token creation": _token,
    "settings": _settings,
    "forgot password": _forgot_password,
    # -- mentoring --
    "role model": _role_model,
    "mentorship": _mentorship,
    "mentoring meeting": _mentoring_meeting,
    "mentorship end": _mentorship_end,
    # -- offboarding ----
    "exit interview": _exit_interview,
    "exit reason": _exit_reason,
    # -- effect map ----
    "effect": _effect,
    "effect driver": _effect_driver,
    "effect obstacle": _effect_obstacle,
}


# -- wstests ----
def _workshop_fields(w: World) -> dict[str, st.SearchStrategy[Any]]:
    """The fields of planning a workshop and of changing one, mostly valid; B may be its facilitator."""
    leader = str(w.leader_pillar)
    facilitators = [w.emails[INTERVIEWER], w.emails[INTERVIEWER].upper(), w.b.email, ""]
    return {
        "title": mostly(["Ledningsgruppens workshop"]),
        "held_on": st.one_of(st.just(w.later), st.just(w.today), DATE),
        "held_time": st.one_of(mostly(["09:00", "23:59", "00:00"]), st.sampled_from(["25:00", "9", ""])),
        "facilitator": st.one_of(mostly(facilitators), st.just("okand@kommun.example")),
        "pillars": st.one_of(
            st.just([leader]),
            st.lists(one_of_values([leader, "0", "-1", "99999999999", "leader"]), max_size=3),
        ),
    }


def _workshop_urls(w: World, tail: str = "") -> st.SearchStrategy[str]:
    """The planned and the held workshop, and one that does not exist."""
    return st.sampled_from([f"/workshops/{i}{tail}" for i in (w.workshop, w.held_workshop, 2_000_000_000)])


def _workshop_edit(w: World) -> Any:
    return INTERVIEWER, _workshop_urls(w, "/edit"), st.fixed_dictionaries(_workshop_fields(w))


def _workshop_participant(w: World) -> Any:
    # Not B: the facilitator may put B in the group, which gives B the workshop's activity.
    numbers = [w.a.number, w.line_number, w.mentor_number, "X0", ""]
    return (
        INTERVIEWER,
        _workshop_urls(w, "/participants"),
        st.fixed_dictionaries({"employee_number": one_of_values(numbers)}),
    )


def _workshop_participant_by_a_member(w: World) -> Any:
    """A takes part but does not run the workshop: naming B changes nothing."""
    return (
        MGR_A,
        _workshop_urls(w, "/participants"),
        st.fixed_dictionaries({"employee_number": one_of_values([w.b.number, w.a.number])}),
    )


def _workshop_buttons(w: World) -> Any:
    members = [w.a.manager, w.b.manager, w.workshop_member, 2_000_000_000]
    urls = [
        f"/workshops/{workshop}/participants/{member}/remove"
        for workshop in (w.workshop, w.held_workshop)
        for member in members
    ]
    urls += [f"/workshops/{workshop}/cancel" for workshop in (w.workshop, w.held_workshop)]
    return INTERVIEWER, st.sampled_from(urls), st.fixed_dictionaries({"reason": TEXT})


def _workshop_outcome(w: World) -> Any:
    owners = one_of_values([str(w.a.manager), str(w.workshop_member), str(w.b.manager), "", "0"])
    severities = one_of_values(["low", "medium", "high", "", " ", "urgent"])
    fields: dict[str, st.SearchStrategy[Any]] = {"notes": TEXT}
    for row in range(3):
        fields |= {
            f"goals-{row}-text": st.one_of(st.just(""), TEXT),
            f"goals-{row}-owner": owners,
            f"goals-{row}-follow_up_on": st.one_of(st.just(w.later), DATE),
        }
    for row in range(2):
        fields |= {
            f"obstacles-{row}-title": st.one_of(st.just(""), TEXT),
            f"obstacles-{row}-severity": severities,
            f"obstacles-{row}-shared": one_of_values(["y", ""]),
        }
    urls = [
        f"/workshops/{w.held_workshop}/outcome/leader",
        f"/workshops/{w.held_workshop}/outcome/secure",  # not discussed there
        f"/workshops/{w.workshop}/outcome/leader",  # not held yet
    ]
    return INTERVIEWER, st.sampled_from(urls), st.fixed_dictionaries(fields)


def _group_goal(w: World) -> Any:
    """A marks the group goal they own done, on the workshop's page or on a plan (`plan_of`)."""
    urls = [f"/workshops/{i}/goals/{w.group_goal}/done" for i in (w.held_workshop, w.workshop)]
    return (
        MGR_A,
        st.sampled_from(urls),
        st.fixed_dictionaries(
            {
                "done": one_of_values(["1", "0"]),
                "plan_of": one_of_values([str(w.a.manager), str(w.b.manager), "//evil.example", ""]),
            }
        ),
    )


def _guide_question(w: World) -> Any:
    return (
        HR,
        st.sampled_from(
            [
                "/workshops/guide/leader",
                "/workshops/guide/no-such-pillar",
                f"/workshops/guide/questions/{w.question}",
                "/workshops/guide/questions/2147483648",
            ]
        ),
        st.fixed_dictionaries({"language": one_of_values(["sv", "en", ""]), "text": TEXT}),
    )


def _guide_question_buttons(w: World) -> Any:
    return (
        HR,
        st.sampled_from(
            [f"/workshops/guide/questions/{w.question}/{action}" for action in ("retire", "move")]
        ),
        st.fixed_dictionaries(
            {"retired": one_of_values(["0", "1"]), "direction": one_of_values(["up", "down"])}
        ),
    )


FORMS.update(
    {
        "workshop change": _workshop_edit,
        "workshop participant": _workshop_participant,
        "workshop participant by a member": _workshop_participant_by_a_member,
        "workshop buttons": _workshop_buttons,
        "workshop outcome": _workshop_outcome,
        "group goal done": _group_goal,
        "guide question": _guide_question,
        "guide question buttons": _guide_question_buttons,
    }
)


def test_random_input_never_breaks_planning_a_workshop(matrix: Matrix, committed: None) -> None:  # noqa: F811
    """HR plans one for a unit of its own (the matrix's unit holds B, whose activity a plan would make)."""
    from tests.factories import make_manager
    from tests.factories import make_unit

    connection = matrix.connection
    assert connection is not None
    outer = connection.begin_nested()  # the unit and its manager exist for this test alone
    try:
        unit = make_unit("Fuzzförvaltningen")
        make_manager("Fia Fuzz", org_unit=unit)
        unit_id = unit.id
        db.session.commit()
        fields = _workshop_fields(matrix.world) | {
            "unit": st.one_of(mostly([str(unit_id)]), st.sampled_from(["0", "2147483648", ""]))
        }
        statuses: list[int] = []

        @given(data=st.fixed_dictionaries(fields))
        @settings(
            max_examples=EXAMPLES * 2,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        def fill(data: dict[str, Any]) -> None:
            statuses.append(check(matrix, HR, "/workshops/new", data).status_code)

        fill()
        assert {302, 422} <= set(statuses), "generation reached both outcomes"
    finally:
        outer.rollback()
        db.session.expunge_all()


@pytest.mark.parametrize("name", sorted(FORMS))
def test_random_input_never_breaks_a_form(
    name: str,
    matrix: Matrix,  # noqa: F811
    committed: None,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    role, urls, fields = FORMS[name](matrix.world)
    statuses: list[int] = []

    @given(url=urls, data=fields)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def fill(url: str, data: dict[str, Any]) -> None:
        statuses.append(check(matrix, role, url, data).status_code)

    with caplog.at_level(logging.ERROR):
        fill()
    assert len(statuses) >= EXAMPLES // 2, "generation really ran"
    # Nor an error after the answer went out: the reset link is issued and sent once it has.
    after_answer = [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR and record.name.startswith("lifecycle.blueprints.auth")
    ]
    assert not after_answer, after_answer


#: new passwords the reset form accepts (long, not personal, not common)
PASSPHRASES = [
    "blå cykel under äppelträdet",
    "korrekt häst batteri häftklammer",
    "sju sorters kakor till fikat",
]


def _reset_fields() -> st.SearchStrategy[dict[str, str]]:
    """A new password, mostly repeated exactly (else the form never reaches the link)."""
    password = st.one_of(st.sampled_from(PASSPHRASES), TEXT)
    return password.flatmap(
        lambda chosen: st.fixed_dictionaries(
            {
                "new_password": st.just(chosen),
                "repeat_password": st.one_of(st.just(chosen), st.just(chosen), TEXT),
            }
        )
    )


def test_random_input_never_breaks_the_reset_form(matrix: Matrix, committed: None) -> None:  # noqa: F811
    """Through a valid link: a password is set only when both fields agree, else 400 and the link stays."""
    connection = matrix.connection
    assert connection is not None
    outer = connection.begin_nested()  # the account and its link exist for this test alone
    try:
        user = make_user(email="aterstall.fuzz@kommun.example", name="Fuzz Återställare")
        token, secret = issue_reset_token(user)
        user_id, token_id = user.id, token.id
        db.session.commit()
        password_of = select(User.password_hash).where(User.id == user_id)
        used_at_of = select(PasswordResetToken.used_at).where(PasswordResetToken.id == token_id)
        statuses: list[int] = []

        @given(data=_reset_fields())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        def fill(data: dict[str, str]) -> None:
            savepoint = connection.begin_nested()
            try:
                before = victim_state(connection, matrix.world.b.manager)
                hash_before = connection.scalar(password_of)
                browser = matrix.app.test_client()
                opened = browser.get(f"/reset-password/{secret}", buffered=True)
                assert opened.status_code == 303, opened.status_code
                page = browser.get(opened.headers["Location"], buffered=True)
                csrf = csrf_token_from(page.get_data(as_text=True))
                response = browser.post("/reset-password", data={**data, "csrf_token": csrf}, buffered=True)
                changed = connection.scalar(password_of) != hash_before
                used = connection.scalar(used_at_of) is not None
                touched = victim_state(connection, matrix.world.b.manager) != before
            finally:
                savepoint.rollback()
            status = response.status_code
            assert status < 500, (status, response.get_data(as_text=True)[:500])
            assert not touched, "a password reset changed manager B's data"
            if status == 302:
                assert response.headers["Location"] == "/login"
                assert data["new_password"] == data["repeat_password"]
                assert changed and used
            else:
                assert status == 400, status
                assert not changed and not used, "a refused form used the link"
                assert secret not in response.get_data(as_text=True)
            if data["new_password"] in PASSPHRASES and data["repeat_password"] == data["new_password"]:
                assert status == 302, "an acceptable password was refused"
            statuses.append(status)

        fill()
        assert {302, 400} <= set(statuses), "generation reached both outcomes"
    finally:
        outer.rollback()
        db.session.expunge_all()


def _typed_names(name: str, other: str) -> st.SearchStrategy[str]:
    near_misses = [name, name.upper(), f"  {name}  ", name.replace(" ", "  "), name[:-1], f"{name}x", other]
    return st.one_of(st.sampled_from(near_misses), TEXT)


def _same_name(typed: str, name: str) -> bool:
    """The loosest match the confirmation may accept: the same words, in any case."""
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold()


def test_hr_anonymises_only_when_the_typed_name_matches(matrix: Matrix, committed: None) -> None:  # noqa: F811
    world = matrix.world
    url = f"/managers/{world.b.manager}/anonymise"
    outcomes: list[bool] = []

    @given(typed=_typed_names(world.b.name, world.a.name))
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    def fill(typed: str) -> None:
        response, anonymised = send(matrix, HR, url, {"confirm_name": typed})
        assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:500])
        if anonymised:
            assert _same_name(typed, world.b.name), f"anonymised after {typed!r} was typed"
            assert response.status_code == 302
        elif typed == world.b.name:
            raise AssertionError("the exact name did not anonymise")
        outcomes.append(anonymised)

    fill()
    assert True in outcomes and False in outcomes, "generation reached both outcomes"


@pytest.mark.parametrize(("role", "side"), [(MGR_A, "B"), (MGR_B, "B"), (LINE, "A")])
def test_who_may_not_anonymise_changes_nothing_whatever_they_type(
    role: str,
    side: str,
    matrix: Matrix,  # noqa: F811
    committed: None,  # noqa: F811
) -> None:
    """Another manager, the person themself, the line manager: 404, and not one row of any table changes."""
    world = matrix.world
    target = world.side(side)
    connection = matrix.connection
    assert connection is not None

    # Each example is rolled back, so the data before every one of them is the data now.
    before = fingerprint(connection)

    @given(typed=_typed_names(target.name, world.a.name if side == "B" else world.b.name))
    @settings(
        max_examples=EXAMPLES // 3, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    def fill(typed: str) -> None:
        browser = matrix.browsers[role]
        savepoint = connection.begin_nested()
        try:
            response = browser.client.post(
                f"/managers/{target.manager}/anonymise",
                data={"confirm_name": typed, "csrf_token": browser.csrf},
                buffered=True,
            )
            after = fingerprint(connection)
        finally:
            savepoint.rollback()
        # A NUL character is refused before anything else looks at the request.
        assert response.status_code == (400 if "\x00" in typed else 404), response.status_code
        changed = sorted(name for name, digest in after.items() if before[name] != digest)
        assert not changed, f"{role} changed {changed}"

    fill()


def test_a_request_over_the_size_limit_is_refused_plainly(matrix: Matrix, committed: None) -> None:  # noqa: F811
    world = matrix.world
    response = check(matrix, MGR_A, f"/managers/{world.a.manager}/plan/notes", {"notes-notes": HUGE})
    assert response.status_code == 413
