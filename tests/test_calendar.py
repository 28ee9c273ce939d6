"""The personal calendar feed: a secret address calendar apps fetch, holding only the user's own items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from icalendar import Event

from lifecycle.blueprints.calendar.views import FEED_MISS_RATE_LIMIT
from lifecycle.blueprints.calendar.views import FEED_RATE_LIMIT
from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import Language
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.services.accounts import set_enabled
from lifecycle.services.accounts import set_language
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import cancel_activity
from lifecycle.services.activities import complete_activity
from lifecycle.services.activities import resolve_tags
from lifecycle.services.calendar import calendar_for
from lifecycle.services.calendar import issue_calendar_token
from lifecycle.services.calendar import revoke_calendar_token
from lifecycle.services.calendar import user_for_calendar_token
from lifecycle.services.plans import add_goal
from lifecycle.services.plans import ensure_plan
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.timeutil import local_today
from tests.conftest import csrf_token_from
from tests.factories import make_manager
from tests.factories import make_user

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")


@dataclass
class Feed:
    anna: Manager
    other: Manager
    plan: DevelopmentPlan
    token: str
    #: the UIDs anna's feed must hold, and only those
    expected: set[str]
    #: items that exist but must not be in anna's feed
    absent: set[str]


def _activity(
    manager: Manager | list[Manager],
    title: str,
    due_on: date | None,
    kind: ActivityKind = ActivityKind.COURSE,
    pillars: tuple[str, ...] = ("leader",),
) -> Activity:
    tags, _expectations = resolve_tags(pillars, [])
    return add_activity(
        kind=kind,
        title=title,
        participants=manager if isinstance(manager, list) else [manager],
        pillars=tags,
        actor=None,
        due_on=due_on,
    )


def _review(plan: DevelopmentPlan, near: date, *, completed: bool = False) -> DevelopmentReview:
    """Add a review on the first free day from `near` (a plan may already have scheduled ones)."""
    taken = {r.scheduled_on for r in plan.reviews}
    day = next(near + timedelta(days=n) for n in range(366) if near + timedelta(days=n) not in taken)
    review = DevelopmentReview(plan=plan, scheduled_on=day, completed_on=near if completed else None)
    db.session.add(review)
    db.session.flush()
    return review


def _open_review_uids(plan: DevelopmentPlan, today: date) -> set[str]:
    """Return the UIDs of the plan's open reviews from 30 days back (some were scheduled by the plan)."""
    return {
        f"review-{r.id}@chefsresan"
        for r in plan.reviews
        if r.completed_on is None and r.scheduled_on >= today - timedelta(days=30)
    }


@pytest.fixture
def feed(app_ctx: Flask) -> Feed:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    today = local_today()
    anna = make_manager("Anna Kalender", with_account=True)
    other = make_manager("Olof Annan", with_account=True)

    milestone = _activity(
        anna, "Träffa HR-partnern", today + timedelta(days=7), ActivityKind.INTRODUCTION_MILESTONE
    )
    course = _activity(anna, "Ledarskapsprogrammet", today + timedelta(days=40), pillars=("secure", "leader"))
    late = _activity(anna, "Sen uppföljning", today - timedelta(days=10))
    group = _activity([anna, other], "Chefsforum", today + timedelta(days=3), ActivityKind.WORKSHOP)
    too_old = _activity(anna, "Bortglömd kurs", today - timedelta(days=31))
    edge = _activity(anna, "Precis i tid", today - timedelta(days=30))
    undated = _activity(anna, "Någon gång", None)
    completed = _activity(anna, "Avklarad kurs", today + timedelta(days=5))
    complete_activity(completed, today)
    cancelled = _activity(anna, "Inställd workshop", today + timedelta(days=6))
    cancel_activity(cancelled)
    others = _activity(other, "Olofs kurs", today + timedelta(days=2))

    plan = ensure_plan(anna, today)
    review = _review(plan, today + timedelta(days=20))
    done_review = _review(plan, today - timedelta(days=3), completed=True)
    old_review = _review(plan, today - timedelta(days=400))
    edge_review = _review(plan, today - timedelta(days=30))
    others_review = _review(ensure_plan(other, today), today + timedelta(days=20))
    token = issue_calendar_token(anna.user)  # type: ignore[arg-type]
    issue_calendar_token(other.user)  # type: ignore[arg-type]
    db.session.flush()

    expected = {f"activity-{a.id}@chefsresan" for a in (milestone, course, late, group, edge)}
    expected |= _open_review_uids(plan, today)
    assert {f"review-{review.id}@chefsresan", f"review-{edge_review.id}@chefsresan"} <= expected
    absent = {f"activity-{a.id}@chefsresan" for a in (too_old, undated, completed, cancelled, others)}
    absent |= {f"review-{r.id}@chefsresan" for r in (done_review, old_review, others_review)}
    return Feed(anna=anna, other=other, plan=plan, token=token, expected=expected, absent=absent)


def _fetch(client: FlaskClient, token: str) -> Calendar:
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200, response.get_data(as_text=True)
    return Calendar.from_ical(response.get_data())


def _events(calendar: Calendar) -> list[Event]:
    return list(calendar.walk("VEVENT"))


def _by_uid(calendar: Calendar) -> dict[str, Event]:
    return {str(e["UID"]): e for e in _events(calendar)}


def _post(client: FlaskClient, url: str, **kwargs: object) -> object:
    """POST a button's form from the settings page, with the page's CSRF token, like a browser."""
    token = csrf_token_from(client.get("/account/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token}, **kwargs)  # type: ignore[arg-type]


def test_the_feed_holds_exactly_the_users_own_open_items(feed: Feed, client: FlaskClient) -> None:
    calendar = _fetch(client, feed.token)
    uids = [str(e["UID"]) for e in _events(calendar)]
    assert len(uids) == len(set(uids))
    assert set(uids) == feed.expected
    assert not set(uids) & feed.absent
    assert "Olofs kurs" not in client.get(f"/calendar/{feed.token}.ics").get_data(as_text=True)


def test_the_feed_is_a_publishable_calendar_of_all_day_events(feed: Feed, client: FlaskClient) -> None:
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="chefsresan.ics"'
    assert response.headers["Cache-Control"] == "no-store"
    calendar = Calendar.from_ical(response.get_data())
    assert str(calendar["PRODID"]) == "-//Chefsresan//sv"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Chefsresan – Anna Kalender"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Stockholm"
    events = _events(calendar)
    assert events
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert isinstance(start, date) and not isinstance(start, datetime)
        assert end == start + timedelta(days=1)
        assert isinstance(event.decoded("DTSTAMP"), datetime)
        assert str(event["URL"]) == "http://localhost/me"
    assert b"DTSTART;VALUE=DATE:" in response.get_data()


def test_summaries_and_descriptions_are_in_swedish_by_default(feed: Feed, client: FlaskClient) -> None:
    events = _by_uid(_fetch(client, feed.token))
    summaries = {str(e["SUMMARY"]) for e in events.values()}
    assert "Introduktionsmoment: Träffa HR-partnern" in summaries
    assert "Utvecklingssamtal" in summaries
    course = next(e for e in events.values() if "Ledarskapsprogrammet" in str(e["SUMMARY"]))
    description = str(course["DESCRIPTION"])
    assert "Säker chef" in description and "Klar ledare" in description
    assert "Kurs" in description  # the kind


def test_summaries_follow_the_users_language(feed: Feed, client: FlaskClient) -> None:
    set_language(feed.anna.user, Language.EN)  # type: ignore[arg-type]
    events = _fetch(client, feed.token)
    summaries = {str(e["SUMMARY"]) for e in _events(events)}
    assert "Introduction milestone: Träffa HR-partnern" in summaries
    assert "Development review" in summaries
    assert not any("Utvecklingssamtal" in s or "Introduktionsmoment" in s for s in summaries)
    descriptions = " ".join(str(e["DESCRIPTION"]) for e in _events(events))
    assert "Clear leader" in descriptions and "Klar ledare" not in descriptions


def test_a_review_describes_the_pillars_of_the_plans_goals(feed: Feed, client: FlaskClient) -> None:
    _tags, expectations = resolve_tags([], ["developer.scout"])
    add_goal(feed.plan, title="Omvärldsbevaka mer", expectations=expectations)
    events = _fetch(client, feed.token)
    review = next(e for e in _events(events) if str(e["UID"]).startswith("review-"))
    assert "Initiativrik utvecklare" in str(review["DESCRIPTION"])


def test_uids_are_stable_across_fetches(feed: Feed, client: FlaskClient) -> None:
    first = [str(e["UID"]) for e in _events(_fetch(client, feed.token))]
    second = [str(e["UID"]) for e in _events(_fetch(client, feed.token))]
    assert first == second


def test_a_user_without_a_manager_record_gets_an_empty_calendar(app_ctx: Flask, client: FlaskClient) -> None:
    hr = make_user(Role.HR, name="Hanna HR")
    token = issue_calendar_token(hr)
    calendar = _fetch(client, token)
    assert _events(calendar) == []
    assert str(calendar["X-WR-CALNAME"]) == "Chefsresan – Hanna HR"


def test_unknown_revoked_and_disabled_addresses_answer_404(feed: Feed, app: Flask) -> None:
    calendar_app = app.test_client()  # a calendar app: no session, no login redirect
    assert calendar_app.get(f"/calendar/{feed.token}.ics").status_code == 200
    for token in ("x" * 43, "short", "a" * 64, "a" * 65):
        response = calendar_app.get(f"/calendar/{token}.ics")
        assert response.status_code == 404
        assert "Location" not in response.headers
    user = feed.anna.user
    assert user is not None
    set_enabled(user, False)
    assert calendar_app.get(f"/calendar/{feed.token}.ics").status_code == 404
    assert user_for_calendar_token(feed.token) is None
    set_enabled(user, True)
    revoke_calendar_token(user)
    assert user.calendar_token is None
    assert calendar_app.get(f"/calendar/{feed.token}.ics").status_code == 404


def test_regenerating_the_address_cuts_off_the_old_one(feed: Feed, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    user = feed.anna.user
    assert user is not None
    login(user.email)
    page = client.get("/account/?lang=en").get_data(as_text=True)
    old_url = f"http://localhost/calendar/{feed.token}.ics"
    assert old_url in page and "Regenerate address" in page
    response = _post(client, "/account/calendar")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response.headers["Location"].endswith("/account/")  # type: ignore[attr-defined]
    db.session.expire_all()
    assert user.calendar_token and user.calendar_token != feed.token
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404
    assert _events(_fetch(client, user.calendar_token))
    page = client.get("/account/").get_data(as_text=True)
    assert f"http://localhost/calendar/{user.calendar_token}.ics" in page
    assert old_url not in page


def test_stopping_the_feed_makes_the_address_404(feed: Feed, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    user = feed.anna.user
    assert user is not None
    login(user.email)
    client.get("/account/?lang=en")
    response = _post(client, "/account/calendar/revoke", follow_redirects=True)
    assert response.status_code == 200  # type: ignore[attr-defined]
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "/calendar/" not in page and "Create address" in page and "Stop the feed" not in page
    assert 'action="/account/calendar/revoke"' not in page
    db.session.expire_all()
    assert user.calendar_token is None
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404
    # A new address can be made afterwards.
    assert _post(client, "/account/calendar").status_code == 302  # type: ignore[attr-defined]
    db.session.expire_all()
    assert user.calendar_token is not None
    assert client.get(f"/calendar/{user.calendar_token}.ics").status_code == 200


def test_the_account_page_shows_the_address_to_its_owner_only(app_ctx: Flask, app: Flask, login) -> None:  # type: ignore[no-untyped-def]
    anna = make_user(Role.MANAGER)
    bo = make_user(Role.MANAGER)
    token = issue_calendar_token(anna)
    owner, stranger = app.test_client(), app.test_client()
    login(anna.email, test_client=owner)
    login(bo.email, test_client=stranger)
    page = owner.get("/account/?lang=en").get_data(as_text=True)
    assert "Regenerate address" in page and "Stop the feed" in page
    assert 'id="calendar-url"' in page and 'for="calendar-url"' in page and "readonly" in page
    assert f"http://localhost/calendar/{token}.ics" in page
    other_page = stranger.get("/account/?lang=en").get_data(as_text=True)
    assert token not in other_page and 'id="calendar-url"' not in other_page
    assert "Create address" in other_page


def test_the_post_routes_need_csrf(feed: Feed, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    user = feed.anna.user
    assert user is not None
    login(user.email)
    assert client.post("/account/calendar").status_code == 400
    assert client.post("/account/calendar/revoke", data={"csrf_token": "forged"}).status_code == 400
    db.session.expire_all()
    assert user.calendar_token == feed.token
    assert client.get("/account/calendar").status_code == 405


def test_the_post_routes_need_a_login(app: Flask, client: FlaskClient) -> None:
    # An anonymous visitor has a CSRF token from the login page, and is still sent to log in.
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    for url in ("/account/calendar", "/account/calendar/revoke"):
        response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_the_feeds_query_count_does_not_grow_with_its_items(feed: Feed, app: Flask, count_queries) -> None:  # type: ignore[no-untyped-def]
    calendar_app = app.test_client()
    url = f"/calendar/{feed.token}.ics"
    _tags, expectations = resolve_tags([], ["leader.feedback"])
    add_goal(feed.plan, title="Ett mål", expectations=expectations)
    with count_queries() as before:
        assert calendar_app.get(url).status_code == 200
    today = local_today()
    _tags, expectations = resolve_tags([], ["developer.scout", "secure.decide"])
    add_goal(feed.plan, title="Fler mål", expectations=expectations)
    for n in range(8):
        _activity(feed.anna, f"Extra {n}", today + timedelta(days=n), pillars=("secure", "developer"))
        _review(feed.plan, today + timedelta(days=50 + n))
    with count_queries() as after:
        body = calendar_app.get(url).get_data()
    assert len(_events(Calendar.from_ical(body))) == len(feed.expected) + 16
    assert after.count == before.count, after.statements


def test_the_feed_is_rate_limited_per_address(feed: Feed, app: Flask) -> None:
    calendar_app = app.test_client()
    allowed = int(FEED_RATE_LIMIT.split()[0])
    for _ in range(allowed):
        assert calendar_app.get(f"/calendar/{feed.token}.ics").status_code == 200
    assert calendar_app.get(f"/calendar/{feed.token}.ics").status_code == 429
    # Another user's address has its own budget.
    other_token = feed.other.user.calendar_token  # type: ignore[union-attr]
    assert calendar_app.get(f"/calendar/{other_token}.ics").status_code == 200


def test_guessing_addresses_is_rate_limited(feed: Feed, app: Flask) -> None:
    calendar_app = app.test_client()
    misses = int(FEED_MISS_RATE_LIMIT.split()[0])
    for n in range(misses):
        assert calendar_app.get(f"/calendar/guess{n:039d}.ics").status_code == 404
    assert calendar_app.get("/calendar/guess-once-more-0000000000000000000000000.ics").status_code == 429


def test_calendar_for_builds_the_document_without_a_request_locale(feed: Feed) -> None:
    user = feed.anna.user
    assert isinstance(user, User)
    calendar = Calendar.from_ical(calendar_for(user, local_today()))
    assert {str(e["UID"]) for e in _events(calendar)} == feed.expected
