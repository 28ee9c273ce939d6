"""Introduction programmes: templates, launching on entering the introduce stage, following the start date."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import OffsetUnit
from lifecycle.enums import OrgUnitKind
from lifecycle.enums import ResponsibleRole
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import IntroductionLaunch
from lifecycle.models import IntroductionTemplate
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import TemplateMilestone
from lifecycle.models import User
from lifecycle.services.activities import cancel_activity
from lifecycle.services.activities import complete_activity
from lifecycle.services.introductions import DEFAULT_TEMPLATE_NAME
from lifecycle.services.introductions import IntroductionError
from lifecycle.services.introductions import IntroductionProgress
from lifecycle.services.introductions import MilestoneValues
from lifecycle.services.introductions import add_milestone
from lifecycle.services.introductions import create_template
from lifecycle.services.introductions import ensure_default_template
from lifecycle.services.introductions import introduction_progress
from lifecycle.services.introductions import launch_introduction
from lifecycle.services.introductions import milestone_due_date
from lifecycle.services.introductions import set_default_template
from lifecycle.services.journey import enter_journey
from lifecycle.services.journey import move_to_stage
from lifecycle.services.managers import ChangeSet
from lifecycle.services.managers import update_manager
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

START = date(2025, 11, 24)  # a Monday; one month later is julafton


@pytest.fixture
def platform(app_ctx: Flask) -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))


def _newcomer(hr: User, *, start: date | None = START, name: str = "Nora Nyanställd") -> Manager:
    """A recruited manager with a line manager, an HR partner and a mentor (without an account)."""
    boss = make_manager("Bo Förvaltningschef", with_account=True)
    mentor = make_manager("Mia Mentor")
    person = enter_journey(
        name=name,
        stage=Stage.RECRUIT,
        effective_date=date(2025, 10, 1),
        actor=None,
        employee_number=f"N-{name}",
        line_manager=boss,
        hr_partner=hr,
        start_date=start,
        user=make_user(Role.MANAGER, name=name),
    )
    person.mentor = mentor
    db.session.flush()
    return person


def _milestones(manager: Manager) -> list[Activity]:
    return list(
        db.session.scalars(
            select(Activity)
            .join(Activity.participants)
            .where(Manager.id == manager.id, Activity.introduction_id.is_not(None))
            .order_by(Activity.due_on, Activity.id)
        )
    )


def _by_title(activities: list[Activity]) -> dict[str, list[Activity]]:
    found: dict[str, list[Activity]] = {}
    for activity in activities:
        found.setdefault(activity.title, []).append(activity)
    return found


def test_milestone_dates_move_to_the_next_working_day() -> None:
    assert milestone_due_date(START, -5, OffsetUnit.DAYS) == date(2025, 11, 19)
    assert milestone_due_date(START, 1, OffsetUnit.WEEKS) == date(2025, 12, 1)
    # julafton, juldagen, annandag jul and a weekend: the Monday after
    assert milestone_due_date(START, 1, OffsetUnit.MONTHS) == date(2025, 12, 29)
    # 2026-05-24 is a Sunday
    assert milestone_due_date(START, 6, OffsetUnit.MONTHS) == date(2026, 5, 25)
    # midsommarafton 2026
    assert milestone_due_date(date(2026, 5, 19), 1, OffsetUnit.MONTHS) == date(2026, 6, 22)
    # the last day of a shorter month, then a working day: 28 February 2026 is a Saturday
    assert milestone_due_date(date(2026, 3, 31), 1, OffsetUnit.MONTHS) == date(2026, 4, 30)
    assert milestone_due_date(date(2026, 1, 30), 1, OffsetUnit.MONTHS) == date(2026, 3, 2)


def test_the_default_template_is_created_once(platform: None) -> None:
    first = ensure_default_template()
    again = ensure_default_template()
    assert first.id == again.id and first.is_default
    assert db.session.scalars(select(IntroductionTemplate)).all() == [first]
    assert first.name == DEFAULT_TEMPLATE_NAME
    titles = [m.title for m in first.milestones]
    assert titles[0] == "Konton, utrustning och välkomstbrev"
    assert titles[-2:] == ["Uppföljning", "Introduktionssamtal med närmaste chef"]
    assert len(titles) == 7
    assert all(m.pillars for m in first.milestones)


def test_entering_introduce_launches_the_default_template(platform: None) -> None:
    ensure_default_template()
    hr = make_user(Role.HR, name="Hanna HR")
    person = _newcomer(hr)
    assert _milestones(person) == []

    move_to_stage(person, Stage.INTRODUCE, hr, "Anställd", date(2025, 11, 24))

    launch = db.session.scalars(
        select(IntroductionLaunch).where(IntroductionLaunch.manager_id == person.id)
    ).one()
    assert launch.start_date == START and launch.launched_by_id == hr.id
    milestones = _milestones(person)
    assert len(milestones) == 7
    assert all(
        a.kind is ActivityKind.INTRODUCTION_MILESTONE
        and a.stage is Stage.INTRODUCE
        and a.participants == [person]
        and a.introduction_id == launch.id
        and a.template_milestone_id is not None
        for a in milestones
    )
    by_title = _by_title(milestones)
    accounts = by_title["Konton, utrustning och välkomstbrev"][0]
    assert accounts.due_on == date(2025, 11, 19) and accounts.responsible == hr
    boss_meeting = by_title["Möt förvaltningschefen"][0]
    assert boss_meeting.due_on == date(2025, 12, 1)
    assert boss_meeting.responsible == person.line_manager.user  # type: ignore[union-attr]
    hr_meeting = by_title["Möt din HR-partner"][0]
    assert hr_meeting.responsible == hr
    assert [e.key for e in hr_meeting.expectations] == ["secure.agreements"]
    assert [p.key for p in hr_meeting.pillars] == ["secure"]
    workshop = by_title["Workshop om ledarplattformen"][0]
    assert workshop.due_on == date(2025, 12, 29)  # 24 December + the Christmas days and a weekend
    assert workshop.responsible == person.user
    assert [p.key for p in workshop.pillars] == ["secure", "developer", "leader"]
    follow_ups = by_title["Uppföljning"]
    assert [a.due_on for a in follow_ups] == [date(2026, 2, 24), date(2026, 5, 25)]
    review = by_title["Introduktionssamtal med närmaste chef"][0]
    assert review.due_on == date(2026, 5, 25)
    assert review.responsible == person.line_manager.user  # type: ignore[union-attr]


def test_entering_the_journey_at_introduce_launches_from_the_move_date_without_a_start_date(
    platform: None,
) -> None:
    ensure_default_template()
    person = make_manager("Direkt Introduktion", stage=Stage.ATTRACT)
    assert _milestones(person) == []
    imported = enter_journey(
        name="Importerad Chef", stage=Stage.INTRODUCE, effective_date=date(2026, 3, 2), actor=None
    )
    launch = db.session.scalars(
        select(IntroductionLaunch).where(IntroductionLaunch.manager_id == imported.id)
    ).one()
    assert launch.start_date == date(2026, 3, 2)
    # No one responsible is known: no line manager, HR partner or account.
    assert all(a.responsible is None for a in _milestones(imported))


def test_no_default_template_launches_nothing(platform: None) -> None:
    template = ensure_default_template()
    template.is_default = False
    person = _newcomer(make_user(Role.HR))
    move_to_stage(person, Stage.INTRODUCE, None, "Anställd", START)
    assert _milestones(person) == []
    assert db.session.scalar(select(IntroductionLaunch.id)) is None


def test_a_new_assignment_launches_again(platform: None) -> None:
    ensure_default_template()
    hr = make_user(Role.HR)
    person = _newcomer(hr)
    move_to_stage(person, Stage.INTRODUCE, hr, "Anställd", START)
    move_to_stage(person, Stage.DEVELOP, hr, "Introduktionen klar", date(2026, 6, 1))
    move_to_stage(person, Stage.INTRODUCE, hr, "Nytt uppdrag", date(2026, 8, 3))

    launches = db.session.scalars(
        select(IntroductionLaunch)
        .where(IntroductionLaunch.manager_id == person.id)
        .order_by(IntroductionLaunch.id)
    ).all()
    assert len(launches) == 2
    # The start date belongs to the first assignment: the new programme runs from the move.
    assert [launch.start_date for launch in launches] == [START, date(2026, 8, 3)]
    assert len(_milestones(person)) == 14


def test_changing_the_start_date_moves_open_milestones_but_not_completed_ones(platform: None) -> None:
    ensure_default_template()
    hr = make_user(Role.HR)
    person = _newcomer(hr)
    move_to_stage(person, Stage.INTRODUCE, hr, "Anställd", START)
    accounts = _by_title(_milestones(person))["Konton, utrustning och välkomstbrev"][0]
    complete_activity(accounts, date(2025, 11, 18))

    update_manager(person, ChangeSet({"start_date": date(2025, 12, 1)}), hr)

    by_title = _by_title(_milestones(person))
    assert by_title["Konton, utrustning och välkomstbrev"][0].due_on == date(2025, 11, 19)
    assert by_title["Möt förvaltningschefen"][0].due_on == date(2025, 12, 8)
    assert by_title["Workshop om ledarplattformen"][0].due_on == date(2026, 1, 2)  # nyårsdagen → Friday
    assert [a.due_on for a in by_title["Uppföljning"]] == [date(2026, 3, 2), date(2026, 6, 1)]
    launch = db.session.scalars(
        select(IntroductionLaunch).where(IntroductionLaunch.manager_id == person.id)
    ).one()
    assert launch.start_date == date(2025, 12, 1)

    # Another change of details leaves the dates alone.
    update_manager(person, ChangeSet({"title": "Enhetschef"}), hr)
    assert _by_title(_milestones(person))["Möt förvaltningschefen"][0].due_on == date(2025, 12, 8)


def test_progress_counts_done_due_and_overdue_in_one_query(platform: None, count_queries) -> None:  # type: ignore[no-untyped-def]
    ensure_default_template()
    hr = make_user(Role.HR)
    person = _newcomer(hr)
    other = _newcomer(hr, name="Olle Annan")
    move_to_stage(person, Stage.INTRODUCE, hr, "Anställd", START)
    move_to_stage(other, Stage.INTRODUCE, hr, "Anställd", START)
    without = make_manager("Utan Program")
    by_title = _by_title(_milestones(person))
    complete_activity(by_title["Konton, utrustning och välkomstbrev"][0], date(2025, 11, 19))
    cancel_activity(by_title["Introduktionssamtal med närmaste chef"][0])
    db.session.flush()
    ids = [person.id, other.id, without.id]

    with count_queries() as counter:
        progress = introduction_progress(ids, date(2026, 1, 15))
    assert counter.count == 1, counter.statements
    # Overdue before 15 January: the two first-week meetings and the workshop; due: the two follow-ups.
    assert progress[person.id] == IntroductionProgress(done=1, due=2, overdue=3)
    assert progress[other.id] == IntroductionProgress(done=0, due=3, overdue=4)
    assert without.id not in progress
    assert progress[person.id].total == 6


def test_a_milestone_needs_a_pillar_and_a_named_person(platform: None) -> None:
    template = create_template("Kort program")
    with pytest.raises(IntroductionError) as refused:
        add_milestone(
            template,
            MilestoneValues(
                title="Utan pelare",
                offset_amount=1,
                offset_unit=OffsetUnit.DAYS,
                responsible_role=ResponsibleRole.MANAGER,
            ),
        )
    assert refused.value.field == "pillars"
    with pytest.raises(IntroductionError) as refused:
        add_milestone(
            template,
            MilestoneValues(
                title="Någon",
                offset_amount=1,
                offset_unit=OffsetUnit.DAYS,
                responsible_role=ResponsibleRole.NAMED,
                pillar_keys=["leader"],
            ),
        )
    assert refused.value.field == "responsible_email"
    # An expectation brings its pillar.
    milestone = add_milestone(
        template,
        MilestoneValues(
            title="Feedback",
            offset_amount=2,
            offset_unit=OffsetUnit.WEEKS,
            responsible_role=ResponsibleRole.MENTOR,
            expectation_keys=["leader.feedback"],
        ),
    )
    assert [p.key for p in milestone.pillars] == ["leader"]


def test_hr_launches_a_chosen_template_with_a_named_person_and_the_mentor(platform: None) -> None:
    hr = make_user(Role.HR)
    coach = make_user(Role.MANAGER, name="Carl Coach")
    template = create_template("Chefsintroduktion för skolan")
    before = add_milestone(
        template,
        MilestoneValues(
            title="Skolbesök",
            offset_amount=-1,
            offset_unit=OffsetUnit.WEEKS,
            responsible_role=ResponsibleRole.NAMED,
            responsible_user=coach,
            pillar_keys=["developer"],
        ),
    )
    add_milestone(
        template,
        MilestoneValues(
            title="Mentorsträff",
            offset_amount=2,
            offset_unit=OffsetUnit.WEEKS,
            responsible_role=ResponsibleRole.MENTOR,
            pillar_keys=["leader"],
        ),
    )
    assert template.milestones[0] is before  # ordered by offset
    person = _newcomer(hr)
    launch = launch_introduction(person, template, hr, date(2026, 6, 29))
    by_title = _by_title(_milestones(person))
    assert by_title["Skolbesök"][0].responsible == coach
    assert by_title["Skolbesök"][0].due_on == date(2026, 6, 22)
    # The mentor has no account: the milestone names them instead.
    mentoring = by_title["Mentorsträff"][0]
    assert mentoring.responsible is None and mentoring.responsible_note == "Mia Mentor"
    assert launch.template_id == template.id

    set_default_template(template)
    assert template.is_default
    assert not db.session.scalars(
        select(IntroductionTemplate).where(
            IntroductionTemplate.id != template.id, IntroductionTemplate.is_default.is_(True)
        )
    ).all()


# -- pages ---------------------------------------------------------------------------------------------


@pytest.fixture
def hr_client(platform: None, client: FlaskClient, login) -> User:  # type: ignore[no-untyped-def]
    user = make_user(Role.HR, name="Hedda HR")
    login(user.email)
    return user


def _introducing(name: str, unit: OrgUnit | None, partner: User | None) -> Manager:
    person = make_manager(name, stage=Stage.INTRODUCE, org_unit=unit)
    person.hr_partner = partner
    db.session.flush()
    return person


def test_the_overview_filters_by_unit_with_sub_units_and_by_hr_partner(
    hr_client: User, client: FlaskClient
) -> None:
    ensure_default_template()
    other_partner = make_user(Role.HR, name="Olof HR")
    administration = make_unit("Förvaltning A", kind=OrgUnitKind.ADMINISTRATION)
    school = make_unit("Skolan A1", parent=administration)
    elsewhere = make_unit("Förvaltning B", kind=OrgUnitKind.ADMINISTRATION)
    in_school = _introducing("Ida Skola", school, hr_client)
    in_b = _introducing("Bertil B", elsewhere, other_partner)
    in_a = _introducing("Alma A", administration, other_partner)
    settled = make_manager("Sune Utvecklas", stage=Stage.DEVELOP, org_unit=school)

    def shown(query: str) -> set[int]:
        response = client.get(f"/introductions{query}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        return {m.id for m in (in_school, in_b, in_a, settled) if f'id="introduction-{m.id}"' in page}

    assert shown("") == {in_school.id, in_b.id, in_a.id}
    assert shown(f"?unit={administration.id}") == {in_school.id, in_a.id}
    assert shown(f"?hr_partner={other_partner.id}") == {in_b.id, in_a.id}
    assert shown(f"?unit={administration.id}&hr_partner={other_partner.id}") == {in_a.id}
    assert shown("?overdue=y") == {in_school.id, in_b.id, in_a.id}  # all launched from January 2025
    page = client.get(f"/introductions?unit={school.id}").get_data(as_text=True)
    # Progress and the oldest overdue milestones, with who is responsible.
    assert 'class="introduction-progress"' in page
    assert "Konton, utrustning och välkomstbrev" in page and "Hedda HR" in page


def test_only_hr_reaches_the_introduction_pages(platform: None, app: Flask, login) -> None:  # type: ignore[no-untyped-def]
    template = ensure_default_template()
    manager = make_manager(with_account=True)
    browser = app.test_client()
    login(manager.user.email, test_client=browser)  # type: ignore[union-attr]
    for url in (
        "/introductions",
        "/introductions/templates",
        "/introductions/templates/new",
        f"/introductions/templates/{template.id}",
        f"/introductions/templates/{template.id}/milestones/new",
        f"/introductions/templates/{template.id}/milestones/{template.milestones[0].id}",
    ):
        assert browser.get(url).status_code == 404, url
    page = browser.get("/me").get_data(as_text=True)
    token = csrf_token_from(page)
    assert browser.post(f"/managers/{manager.id}/introduction", data={"csrf_token": token}).status_code == 404
    assert (
        browser.post(
            f"/introductions/templates/{template.id}/default", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert app.test_client().get("/introductions").status_code == 302


def test_the_overview_query_count_does_not_grow_with_the_data(
    hr_client: User, client: FlaskClient, count_queries
) -> None:  # type: ignore[no-untyped-def]
    ensure_default_template()
    unit = make_unit("Enheten")
    for n in range(2):
        _introducing(f"Liten {n}", unit, hr_client)
    client.get("/introductions")
    with count_queries() as small:
        assert client.get("/introductions").status_code == 200
    partners = [make_user(Role.HR) for _ in range(3)]
    for n in range(60):
        person = _introducing(f"Stor {n}", make_unit(f"Enhet {n}") if n % 10 == 0 else unit, partners[n % 3])
        if n % 4 == 0:
            complete_activity(_milestones(person)[0], date(2025, 1, 10))
    for query in ("", "?page=2", f"?unit={unit.id}&overdue=y"):
        with count_queries() as large:
            assert client.get(f"/introductions{query}").status_code == 200
        assert large.count == small.count, query


def test_a_milestone_without_a_pillar_is_refused_by_the_form(hr_client: User, client: FlaskClient) -> None:
    template = create_template("Kort introduktion")
    url = f"/introductions/templates/{template.id}/milestones/new"
    form = {
        "title": "Möt teamet",
        "offset_amount": "2",
        "offset_unit": "days",
        "responsible_role": "manager",
    }
    response = post_form(client, url, form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="pillars-error"' in page
    assert template.milestones == []

    response = post_form(client, url, {**form, "responsible_role": "named", "pillars": ["leader"]})
    assert response.status_code == 200
    assert 'id="responsible_email-error"' in response.get_data(as_text=True)

    response = post_form(client, url, {**form, "offset_amount": "-2", "pillars": ["leader"]})
    assert response.status_code == 302
    db.session.expire_all()
    milestone = db.session.scalars(select(TemplateMilestone)).one()
    assert milestone.offset_amount == -2 and [p.key for p in milestone.pillars] == ["leader"]


def test_hr_creates_a_template_makes_it_default_and_launches_it_from_the_profile(
    hr_client: User, client: FlaskClient
) -> None:
    ensure_default_template()
    response = post_form(client, "/introductions/templates/new", {"name": "Skolans introduktion"})
    assert response.status_code == 302
    template = db.session.scalars(
        select(IntroductionTemplate).where(IntroductionTemplate.name == "Skolans introduktion")
    ).one()
    assert (
        post_form(client, "/introductions/templates/new", {"name": "Skolans introduktion"}).status_code == 200
    )
    response = post_form(
        client,
        f"/introductions/templates/{template.id}/milestones/new",
        {
            "title": "Besök en annan skola",
            "offset_amount": "2",
            "offset_unit": "weeks",
            "responsible_role": "named",
            "responsible_email": hr_client.email,
            "expectations": ["developer.scout"],
        },
    )
    assert response.status_code == 302
    assert "Besök en annan skola" in client.get(f"/introductions/templates/{template.id}").get_data(
        as_text=True
    )
    page = client.get("/introductions/templates").get_data(as_text=True)
    token = csrf_token_from(page)
    assert (
        client.post(f"/introductions/templates/{template.id}/default", data={"csrf_token": token}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(IntroductionTemplate, template.id).is_default  # type: ignore[union-attr]
    assert db.session.scalars(
        select(IntroductionTemplate.name).where(IntroductionTemplate.is_default.is_(True))
    ).all() == ["Skolans introduktion"]

    person = make_manager("Pelle Profil", stage=Stage.DEVELOP, entered_on=date(2026, 6, 1))
    profile = client.get(f"/managers/{person.id}").get_data(as_text=True)
    assert 'id="launch-template"' in profile
    response = client.post(
        f"/managers/{person.id}/introduction",
        data={
            "csrf_token": csrf_token_from(profile),
            "template_id": str(template.id),
            "start_date": "2026-06-15",
        },
    )
    assert response.status_code == 302
    visit = _milestones(person)
    assert [(a.title, a.due_on, a.responsible_id) for a in visit] == [
        ("Besök en annan skola", date(2026, 6, 29), hr_client.id)
    ]
    # The same programme from the same start date twice is a double click, not a second programme.
    client.post(
        f"/managers/{person.id}/introduction",
        data={
            "csrf_token": csrf_token_from(profile),
            "template_id": str(template.id),
            "start_date": "2026-06-15",
        },
    )
    assert len(_milestones(person)) == 1
    assert 'class="introduction-progress"' in client.get(f"/managers/{person.id}").get_data(as_text=True)


def test_progress_shows_on_me_and_on_the_pipeline_card(platform: None, app: Flask, login) -> None:  # type: ignore[no-untyped-def]
    ensure_default_template()
    person = make_manager("Ines Introduktion", stage=Stage.INTRODUCE, with_account=True)
    browser = app.test_client()
    login(person.user.email, test_client=browser)  # type: ignore[union-attr]
    me = browser.get("/me").get_data(as_text=True)
    assert 'id="introduction-heading"' in me and 'class="introduction-progress"' in me
    hr = make_user(Role.HR)
    board_client = app.test_client()
    login(hr.email, test_client=board_client)
    board = board_client.get("/pipeline").get_data(as_text=True)
    card = board[board.index(f'id="card-{person.id}"') :]
    card = card[: card.index("</li>")]
    assert "card-introduction" in card


def test_hr_edits_and_removes_a_milestone(hr_client: User, client: FlaskClient) -> None:
    template = ensure_default_template()
    workshop = next(m for m in template.milestones if m.title == "Workshop om ledarplattformen")
    url = f"/introductions/templates/{template.id}/milestones/{workshop.id}"
    assert "developer" in client.get(url).get_data(as_text=True)
    response = post_form(
        client,
        url,
        {
            "title": "Workshop om ledarplattformen",
            "offset_amount": "-1",
            "offset_unit": "weeks",
            "responsible_role": "hr_partner",
            "pillars": ["leader"],
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    workshop = db.session.get(TemplateMilestone, workshop.id)  # type: ignore[assignment]
    assert (workshop.offset_amount, workshop.offset_unit, workshop.responsible_role) == (
        -1,
        OffsetUnit.WEEKS,
        ResponsibleRole.HR_PARTNER,
    )
    assert [p.key for p in workshop.pillars] == ["leader"]
    assert workshop.template.milestones[0] is workshop  # re-ordered by date: a week is before −5 days
    page = client.get(f"/introductions/templates/{template.id}").get_data(as_text=True)
    workshop_id = workshop.id
    response = client.post(f"{url}/remove", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(TemplateMilestone, workshop_id) is None
    assert len(db.session.get(IntroductionTemplate, template.id).milestones) == 6  # type: ignore[union-attr]


def test_a_programme_no_longer_offered_is_not_the_default_and_launches_nothing(platform: None) -> None:
    from lifecycle.services.introductions import update_template

    template = ensure_default_template()
    update_template(template, name=template.name, description="", is_active=False)
    assert not template.is_default
    with pytest.raises(IntroductionError):
        set_default_template(template)
    with pytest.raises(IntroductionError):
        launch_introduction(make_manager(), template, None, START)
    person = make_manager("Ingen Mall", stage=Stage.INTRODUCE)
    assert _milestones(person) == []


def test_the_command_creates_the_default_programme_once(app: Flask, committed: None) -> None:
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["introductions", "ensure-default"])
    assert refused.exit_code == 1 and "platform" in refused.output
    assert runner.invoke(args=["platform", "load", str(DEFAULT_PLATFORM)]).exit_code == 0
    for _ in range(2):
        result = runner.invoke(args=["introductions", "ensure-default"])
        assert result.exit_code == 0, result.output
        assert "7 milestones" in result.output and "(the default)" in result.output
    with app.app_context():
        assert db.session.scalars(select(IntroductionTemplate.name)).all() == [DEFAULT_TEMPLATE_NAME]
