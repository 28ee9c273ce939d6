"""Hypothesis fills the main forms with random input: never a server error, never a write to another's data.

Input mixes random text (control characters, NUL, odd Unicode), known nasty strings, huge strings,
dates at the edges and ids of other people's objects. Each example is sent inside a savepoint that
is rolled back, so every example starts from the access matrix's fixture data; manager B's record,
plan, goals, comments, reviews and activities ("the victim") must be exactly as before whenever the
form names someone else (A's own forms, HR's forms about A, the line manager's forms).
"""

from __future__ import annotations

import functools
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
from lifecycle.extensions import limiter
from lifecycle.models import Activity
from lifecycle.models import ApiToken
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Manager
from lifecycle.models import ManagerChange
from lifecycle.models import PlanComment
from lifecycle.models import PlanGoal
from lifecycle.models import ReviewAssessment
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.models.activities import activity_participants
from tests.test_access_matrix import ANON
from tests.test_access_matrix import HR
from tests.test_access_matrix import LINE
from tests.test_access_matrix import MGR_A
from tests.test_access_matrix import Matrix
from tests.test_access_matrix import World
from tests.test_access_matrix import committed  # noqa: F401  (the matrix's module-wide data, shared here)
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


FORMS: dict[str, Form] = {
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
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_random_input_never_breaks_a_form(name: str, matrix: Matrix, committed: None) -> None:  # noqa: F811
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

    fill()
    assert len(statuses) >= EXAMPLES // 2, "generation really ran"


def test_a_request_over_the_size_limit_is_refused_plainly(matrix: Matrix, committed: None) -> None:  # noqa: F811
    world = matrix.world
    response = check(matrix, MGR_A, f"/managers/{world.a.manager}/plan/notes", {"notes-notes": HUGE})
    assert response.status_code == 413
