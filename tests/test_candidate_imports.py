"""Importing a recruitment system's applicants into one vacancy: checked first, written by the worker,
all or nothing, and the same file again changes nothing."""

from __future__ import annotations

import html
import io
import time
from collections.abc import Callable
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func
from sqlalchemy import select

from config import _celery_settings
from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ImportStatus
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import AuditEvent
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import ManagerImport
from lifecycle.models import OrgUnit
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateSource
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.gdpr import anonymise_person
from lifecycle.services.imports import ImportFileError
from lifecycle.services.imports import ImportHasErrorsError
from lifecycle.services.imports import Outcome
from lifecycle.services.imports.candidate_rows import read_candidate_file
from lifecycle.services.imports.candidates import CandidateImportPlan
from lifecycle.services.imports.candidates import apply_candidate_import
from lifecycle.services.imports.candidates import plan_candidate_import
from lifecycle.services.journey import move_to_stage
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import add_candidate
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.timeutil import local_today
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.conftest import redis_url
from tests.factories import PASSWORD
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")

#: as Varbi writes it: Swedish headers, semicolons, a BOM, a phone number the import does not keep
VARBI_HEADER = "Förnamn;Efternamn;E-post;Telefon;Ansökningsdatum;Ansöknings-ID"
#: as ReachMee writes it: English headers, commas, one name column
REACHMEE_HEADER = "Name,Email,Phone,Application date,Applicant ID"


def csv_bytes(*rows: str, header: str = VARBI_HEADER, bom: bool = True) -> bytes:
    text = "\r\n".join([header, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def applied(days_ago: int = 3) -> str:
    return (local_today() - timedelta(days=days_ago)).isoformat()


def _platform() -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))


def open_vacancy(hr: User, unit: OrgUnit | None = None, title: str = "Rektor Norra skolan") -> Vacancy:
    vacancy = create_vacancy(VacancyValues(title=title, org_unit=unit or make_unit(), hr_partner=hr), hr)
    trust = db.session.scalar(select(Expectation).where(Expectation.key == "leader.trust"))
    assert trust is not None
    set_weights(vacancy, {trust: 3})
    set_status(vacancy, VacancyStatus.OPEN, local_today())
    return vacancy


@pytest.fixture
def hr(app_ctx: Flask) -> Iterator[User]:
    """HR, with the messages in English (the pages' tests ask for English too)."""
    _platform()
    with force_locale("en_GB"):
        yield make_user(Role.HR, email="hanna.hr@kommun.example")


@pytest.fixture
def vacancy(hr: User) -> Vacancy:
    return open_vacancy(hr)


@pytest.fixture
def browser(app: Flask, login: Any, hr: User, import_worker: list[int]) -> FlaskClient:
    client = app.test_client()
    login(hr.email, test_client=client)
    client.get("/?lang=en")
    return client


def plan_of(vacancy: Vacancy, content: bytes) -> CandidateImportPlan:
    return plan_candidate_import(read_candidate_file(content), vacancy.id, local_today())


def outcomes(plan: CandidateImportPlan) -> dict[str, str]:
    return {row.reference: row.outcome.value for row in plan.rows}


def messages(plan: CandidateImportPlan) -> dict[str, list[str]]:
    return {row.reference: [str(message) for message in row.messages()] for row in plan.rows}


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Manager, StageTransition, Candidacy, AuditEvent)
    )


def upload(client: FlaskClient, vacancy: Vacancy, content: bytes, filename: str = "varbi.csv") -> Any:
    return post_form(
        client,
        f"/vacancies/{vacancy.id}/candidates/import",
        {"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def confirm(client: FlaskClient, report_url: str) -> Any:
    token = csrf_token_from(client.get(report_url).get_data(as_text=True))
    return client.post(f"{report_url}/confirm", data={"csrf_token": token})


# -- planning: what each row does --------------------------------------------------------------------


def test_each_row_is_a_new_applicant_or_links_the_person_with_that_address(
    hr: User, vacancy: Vacancy
) -> None:
    pool = make_manager("Petra Pool", Stage.ATTRACT)
    in_post = make_manager("Ingrid Internsson", Stage.DEVELOP)
    closed = make_manager("Stina Stängd", Stage.RECRUIT)
    move_to_stage(closed, Stage.CLOSED, actor=None, reason="", effective_date=local_today())
    assert pool.email and in_post.email and closed.email
    plan = plan_of(
        vacancy,
        csv_bytes(
            f"Nils;Ny;nils.ny@example.org;070-111;{applied()};V-1",
            f"Petra;Pool;{pool.email.upper()};;{applied()};V-2",
            f"Ingrid;Internsson;{in_post.email};;;V-3",
            f"Stina;Stängd;{closed.email};;{applied()};V-4",
        ),
    )
    assert not plan.has_errors and plan.ignored_columns == ()
    assert outcomes(plan) == {"V-1": "created", "V-2": "created", "V-3": "created", "V-4": "created"}
    by_reference = {row.reference: row for row in plan.rows}
    assert by_reference["V-1"].person_id is None
    assert by_reference["V-2"].person_id == pool.id, "the address matches whatever its case"
    assert by_reference["V-3"].person_id == in_post.id
    assert by_reference["V-4"].person_id is None, "a closed journey is never reopened"
    assert "has ended; the applicant starts a new one" in " ".join(messages(plan)["V-4"])
    assert counts() == counts(), "planning writes nothing"

    apply_candidate_import(plan, hr)
    candidacies = {c.import_reference: c for c in db.session.scalars(select(Candidacy))}
    assert candidacies["V-1"].source is CandidateSource.IMPORTED
    assert candidacies["V-1"].manager.stage is Stage.RECRUIT
    assert candidacies["V-1"].manager.name == "Nils Ny"
    assert candidacies["V-1"].manager.email == "nils.ny@example.org"
    assert candidacies["V-1"].applied_on.isoformat() == applied()
    assert candidacies["V-2"].manager_id == pool.id and pool.stage is Stage.RECRUIT
    assert candidacies["V-2"].source is CandidateSource.TALENT_POOL
    assert candidacies["V-3"].source is CandidateSource.INTERNAL and in_post.stage is Stage.DEVELOP
    assert candidacies["V-3"].applied_on == local_today(), "an empty date is the day of the import"
    assert candidacies["V-4"].manager_id != closed.id


def test_the_same_file_again_changes_nothing(hr: User, vacancy: Vacancy) -> None:
    content = csv_bytes(f"Nils;Ny;nils.ny@example.org;;{applied()};V-1", "Olle;Ny;olle@example.org;;;V-2")
    apply_candidate_import(plan_of(vacancy, content), hr)
    before = counts()
    again = plan_of(vacancy, content)
    assert outcomes(again) == {"V-1": "unchanged", "V-2": "unchanged"}
    assert not again.changes_anything
    assert messages(again)["V-1"] == ["Imported earlier: Nils Ny is a candidate."]
    apply_candidate_import(again, hr)
    assert counts() == before


def test_someone_already_a_candidate_is_unchanged_and_the_report_says_so(hr: User, vacancy: Vacancy) -> None:
    person = make_manager("Karl Kandidat", Stage.DEVELOP)
    add_candidate(vacancy, person, hr, local_today())
    plan = plan_of(vacancy, csv_bytes(f"Karl;Kandidat;{person.email};;;V-9"))
    assert outcomes(plan) == {"V-9": "unchanged"}
    assert messages(plan)["V-9"] == ["Karl Kandidat is already a candidate for this vacancy."]


def test_anonymising_an_imported_candidate_clears_the_recruitment_systems_reference(
    hr: User, vacancy: Vacancy
) -> None:
    apply_candidate_import(plan_of(vacancy, csv_bytes("Nils;Ny;nils@example.org;;;V-1")), hr)
    candidacy = db.session.scalars(select(Candidacy)).one()
    assert anonymise_person(candidacy.manager, hr)
    db.session.refresh(candidacy)
    assert candidacy.import_reference is None and candidacy.vacancy_id == vacancy.id


def test_english_headers_commas_and_one_name_column_are_read(hr: User, vacancy: Vacancy) -> None:
    plan = plan_of(
        vacancy,
        csv_bytes(
            f"Anna Andersson,anna@example.org,070-1,{applied()},RM-77", header=REACHMEE_HEADER, bom=False
        ),
    )
    assert [(row.reference, row.name, row.outcome) for row in plan.rows] == [
        ("RM-77", "Anna Andersson", Outcome.CREATED)
    ]


def test_every_problem_is_reported_on_its_row_and_nothing_is_written(hr: User, vacancy: Vacancy) -> None:
    twins = [make_manager("Tvilling Ett"), make_manager("Tvilling Två")]
    twins[1].email = twins[0].email
    future = (local_today() + timedelta(days=2)).isoformat()
    plan = plan_of(
        vacancy,
        csv_bytes(
            f"Nils;Ny;nils@example.org;;{applied()};V-1",
            f"Nils;Igen;NILS@example.org;;{applied()};V-2",
            f"Olle;Ny;olle@example.org;;{applied()};V-1",
            f"Ulla;Ny;inte-en-adress;;{applied()};V-3",
            f"Pia;Ny;pia@example.org;;{future};V-4",
            ";;tom@example.org;;;V-5",
            "Rut;Ny;rut@example.org;;31/12;",
            f"Tvilling;Ett;{twins[0].email};;;V-6",
            "Gun;Ny;gun@example.org;;;V-7;extra",
        ),
    )
    assert plan.has_errors
    by_line = {row.line: " ".join(str(m) for m in row.errors) for row in plan.rows}
    assert by_line[2] == "", "the first of two rows with one address is fine"
    assert "The e-mail address NILS@example.org is also on line 2." in by_line[3]
    assert "The reference V-1 is also on line 2." in by_line[4]
    assert "is not a valid e-mail address" in by_line[5]
    assert f"The application date {future} is in the future." in by_line[6]
    assert "The applicant's name is missing." in by_line[7]
    assert "The reference is missing" in by_line[8] and "is not a date" in by_line[8]
    assert "2 people on the journey have the e-mail address" in by_line[9]
    assert "more cells than the first line has columns" in by_line[10]
    before = counts()
    with pytest.raises(ImportHasErrorsError):
        apply_candidate_import(plan, hr)
    assert counts() == before


def test_a_file_without_a_name_reference_or_email_column_is_refused(vacancy: Vacancy) -> None:
    for header in ("E-post;Ansöknings-ID", "Namn;Ansöknings-ID", "Namn;E-post", "Förnamn;E-post;ID"):
        with pytest.raises(ImportFileError, match="Missing"):
            read_candidate_file(csv_bytes("x;y;z", header=header))


@pytest.mark.parametrize("status", [VacancyStatus.CANCELLED, VacancyStatus.DECIDED])
def test_a_vacancy_that_takes_no_more_candidates_refuses_the_file(
    hr: User, vacancy: Vacancy, status: VacancyStatus
) -> None:
    vacancy.status = status
    with pytest.raises(ImportFileError, match="takes no more candidates"):
        plan_of(vacancy, csv_bytes("Nils;Ny;nils@example.org;;;V-1"))


# -- the pages and the worker ----------------------------------------------------------------------


def test_the_vacancy_page_links_to_the_import(browser: FlaskClient, vacancy: Vacancy) -> None:
    page = browser.get(f"/vacancies/{vacancy.id}").get_data(as_text=True)
    assert f"/vacancies/{vacancy.id}/candidates/import" in page
    upload_page = browser.get(f"/vacancies/{vacancy.id}/candidates/import").get_data(as_text=True)
    assert "Import candidates" in upload_page and vacancy.title in upload_page
    assert "ansökningsdatum" in upload_page, "the page lists the columns"


def test_checking_changes_nothing_and_confirming_lets_the_worker_write_the_file(
    browser: FlaskClient, vacancy: Vacancy, import_worker: list[int]
) -> None:
    content = csv_bytes(f"Nils;Ny;nils@example.org;;{applied()};V-1", "Olle;Ny;olle@example.org;;;V-2")
    before = counts()
    response = upload(browser, vacancy, content)
    assert response.status_code == 302
    report_url = response.headers["Location"]
    assert report_url.startswith(f"/vacancies/{vacancy.id}/candidates/import/")
    assert counts()[:3] == before[:3], "the dry run adds no one"
    report = browser.get(report_url).get_data(as_text=True)
    assert "A new applicant; enters the journey at Recruit." in report and "nils@example.org" in report
    assert "Import the file" in report

    progress = confirm(browser, report_url)
    assert progress.status_code == 302 and progress.headers["Location"].endswith("/progress")
    import_id = int(report_url.rsplit("/", 1)[1])
    assert import_worker == [import_id]
    page = browser.get(progress.headers["Location"]).get_data(as_text=True)
    assert "Imported: 2 new, 0 changed, 0 unchanged." in page
    assert f'href="/vacancies/{vacancy.id}"' in page, "the finished import leads back to the vacancy"
    candidacies = list(db.session.scalars(select(Candidacy).where(Candidacy.vacancy_id == vacancy.id)))
    assert sorted(c.import_reference or "" for c in candidacies) == ["V-1", "V-2"]
    sources = set(
        db.session.scalars(
            select(AuditEvent.source).where(
                AuditEvent.object_type == "candidacy", AuditEvent.action == "create"
            )
        )
    )
    assert sources == {"import"}, "the worker acts as the HR user who confirmed, through the import"

    again = upload(browser, vacancy, content).headers["Location"]
    assert "Every row is unchanged; there is nothing to import." in browser.get(again).get_data(as_text=True)
    vacancy_page = browser.get(f"/vacancies/{vacancy.id}").get_data(as_text=True)
    assert "Nils Ny" in vacancy_page and "Imported from the recruitment system" in vacancy_page


def test_a_file_with_errors_shows_the_row_report_and_offers_no_import(
    browser: FlaskClient, vacancy: Vacancy
) -> None:
    report_url = upload(
        browser, vacancy, csv_bytes("Nils;Ny;nils@example.org;;;V-1", "Olle;Ny;olle;;;V-2")
    ).headers["Location"]
    page = html.unescape(browser.get(report_url).get_data(as_text=True))
    assert "1 row has an error." in page and "“olle” is not a valid e-mail address." in page
    assert "Import the file" not in page
    assert f"/vacancies/{vacancy.id}/candidates/import" in page, "a corrected file goes to the same vacancy"
    response = confirm(browser, report_url)
    record = db.session.get(ManagerImport, int(report_url.rsplit("/", 1)[1]))
    assert record is not None and response.status_code == 302
    db.session.refresh(record)
    assert record.status is ImportStatus.FAILED and db.session.scalar(select(func.count(Candidacy.id))) == 0


def test_an_unreadable_file_or_a_closed_vacancy_is_refused_next_to_the_field(
    browser: FlaskClient, vacancy: Vacancy, hr: User
) -> None:
    page = html.unescape(upload(browser, vacancy, b"Namn;Telefon\r\nNils;070\r\n").get_data(as_text=True))
    assert "Missing: email, reference." in page
    set_status(vacancy, VacancyStatus.CANCELLED, local_today())
    page = upload(browser, vacancy, csv_bytes("Nils;Ny;nils@example.org;;;V-1")).get_data(as_text=True)
    assert "This vacancy takes no more candidates." in page
    assert db.session.scalar(select(func.count(ManagerImport.id))) == 0


def test_a_vacancy_cancelled_after_the_check_fails_the_job_and_writes_nothing(
    browser: FlaskClient, vacancy: Vacancy
) -> None:
    report_url = upload(browser, vacancy, csv_bytes("Nils;Ny;nils@example.org;;;V-1")).headers["Location"]
    set_status(vacancy, VacancyStatus.CANCELLED, local_today())
    before = counts()[:3]
    progress = confirm(browser, report_url).headers["Location"]
    page = browser.get(progress).get_data(as_text=True)
    assert "The import failed; nothing was imported." in page
    assert "This vacancy takes no more candidates." in page
    assert counts()[:3] == before


def test_a_file_is_reached_only_under_its_own_vacancy(
    browser: FlaskClient, vacancy: Vacancy, hr: User
) -> None:
    report_url = upload(browser, vacancy, csv_bytes("Nils;Ny;nils@example.org;;;V-1")).headers["Location"]
    other = open_vacancy(hr, title="Förskolechef")
    import_id = report_url.rsplit("/", 1)[1]
    assert browser.get(f"/vacancies/{other.id}/candidates/import/{import_id}").status_code == 404
    assert browser.get(f"/managers/import/{import_id}").status_code == 404
    assert "varbi.csv" not in browser.get(f"/vacancies/{other.id}/candidates/import").get_data(as_text=True)
    assert "varbi.csv" in browser.get(f"/vacancies/{vacancy.id}/candidates/import").get_data(as_text=True)


# -- a file the size HR has, with a real worker ----------------------------------------------------

HR_FILE_SIZE = 2000


@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_imports_a_file_of_two_thousand_applicants(
    app: Flask, committed: None, make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    """The web process checks and queues; a Celery worker writes every applicant in one transaction."""
    web = make_app(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        CELERY=_celery_settings(redis_url(), tmp_path),
    )
    with web.app_context():
        _platform()
        user = make_user(Role.HR)
        email, vacancy_id = user.email, open_vacancy(user).id
        in_pool = [make_manager(f"Pool {n}", Stage.ATTRACT) for n in range(50)]
        pool_emails = [person.email for person in in_pool]
        db.session.commit()
    rows = [
        f"Sökande;{n};{pool_emails[n] if n < 50 else f'sokande{n}@example.org'};;{applied(n % 20)};VARBI-{n}"
        for n in range(HR_FILE_SIZE)
    ]
    content = csv_bytes(*rows)
    client = web.test_client()
    assert post_form(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    client.get("/?lang=en")
    with web.app_context():
        vacancy = db.session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        report_url = upload(client, vacancy, content).headers["Location"]
    progress_url = confirm(client, report_url).headers["Location"]
    page = ""
    with start_worker(web.extensions["celery"], pool="solo", perform_ping_check=False, shutdown_timeout=10):
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            page = client.get(progress_url).get_data(as_text=True)
            if "Imported:" in page or "The import failed" in page:
                break
            time.sleep(0.5)
    assert f"Imported: {HR_FILE_SIZE} new, 0 changed, 0 unchanged." in page, page[-2000:]
    with web.app_context():
        total = db.session.scalar(select(func.count(Candidacy.id)).where(Candidacy.vacancy_id == vacancy_id))
        linked = db.session.scalar(
            select(func.count(Candidacy.id)).where(Candidacy.source == CandidateSource.TALENT_POOL)
        )
        assert (total, linked) == (HR_FILE_SIZE, 50)
        again = plan_candidate_import(read_candidate_file(content), vacancy_id, local_today())
        assert again.counts["unchanged"] == HR_FILE_SIZE
        db.session.remove()
