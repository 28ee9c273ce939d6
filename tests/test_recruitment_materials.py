"""The recruitment's materials: the phrase and question banks, the job ad and the interview guide."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import Language
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import AuditEvent
from lifecycle.models import BankEntry
from lifecycle.models import User
from lifecycle.models import Vacancy
from lifecycle.models import VacancyAd
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.models.recruitment_banks import BankKind
from lifecycle.services.platform import get_platform
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import PlatformDoc
from lifecycle.services.platform_file import PlatformFileError
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.recruitment import VacancyError
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import set_recruitment_group
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.services.recruitment.ads import AdError
from lifecycle.services.recruitment.ads import ParagraphChoice
from lifecycle.services.recruitment.ads import ad_material
from lifecycle.services.recruitment.ads import ad_of
from lifecycle.services.recruitment.ads import save_ad
from lifecycle.services.recruitment.banks import BankError
from lifecycle.services.recruitment.banks import add_entry
from lifecycle.services.recruitment.banks import edit_entry
from lifecycle.services.recruitment.banks import entries_of
from lifecycle.services.recruitment.banks import move_entry
from lifecycle.services.recruitment.banks import set_retired
from lifecycle.services.recruitment.documents import plain_text
from lifecycle.services.recruitment.guides import guide_of
from tests.conftest import post_form
from tests.factories import make_unit
from tests.factories import make_user
from tests.test_recruitment import NORDBY
from tests.test_recruitment import _expectation
from tests.test_recruitment import orebro  # noqa: F401  (the fixture: Örebro's platform loaded)

pytestmark = pytest.mark.usefixtures("clock")

TODAY = date(2026, 11, 4)
SV, EN = Language.SV, Language.EN


def _bank(kind: BankKind, key: str, language: Language) -> list[BankEntry]:
    expectation = _expectation(key)
    return entries_of(kind, [expectation.id], language)[expectation.id]


def _vacancy(hr: User, weights: dict[str, int], **values: Any) -> Vacancy:
    vacancy = create_vacancy(
        VacancyValues(
            title=values.pop("title", "Rektor Västra skolan"),
            org_unit=make_unit("Västra skolan"),
            unit_text=values.pop("unit_text", "Västra skolan är en F–6-skola med 300 elever."),
            role_text=values.pop(
                "role_text", "Du leder 40 medarbetare tillsammans med två biträdande rektorer."
            ),
            **values,
        ),
        hr,
    )
    set_weights(vacancy, {_expectation(key): weight for key, weight in weights.items()})
    return vacancy


def _docx_texts(data: bytes) -> list[str]:
    return [paragraph.text for paragraph in Document(io.BytesIO(data)).paragraphs]


# -- the platform file seeds the banks ---------------------------------------------------------------


@pytest.mark.usefixtures("orebro")
def test_orebro_seeds_a_phrase_and_two_behaviour_questions_per_expectation_and_language() -> None:
    platform = get_platform()
    assert platform is not None
    expectations = [e for pillar in platform.pillars for e in pillar.expectations]
    assert len(expectations) == 16
    opening = {SV: "Berätta om en situation när ", EN: "Tell me about a time when "}
    for expectation in expectations:
        for language in Language:
            phrases = entries_of(BankKind.PHRASE, [expectation.id], language)[expectation.id]
            questions = entries_of(BankKind.QUESTION, [expectation.id], language)[expectation.id]
            assert len(phrases) >= 1 and len(phrases[0].text) > 60, (expectation.key, language)
            assert len(questions) >= 2, (expectation.key, language)
            assert all(q.text.startswith(opening[language]) for q in questions), (expectation.key, language)
            assert all(entry.seed_number is not None for entry in [*phrases, *questions])


def _with_first_phrase(doc: PlatformDoc, key: str, text: str) -> PlatformDoc:
    pillars = []
    for pillar in doc.pillars:
        expectations = [
            replace(e, phrases={**e.phrases, "sv": [text]}) if e.key == key else e
            for e in pillar.expectations
        ]
        pillars.append(replace(pillar, expectations=expectations))
    return replace(doc, pillars=pillars)


@pytest.mark.usefixtures("orebro")
def test_a_reload_follows_the_file_only_where_hr_has_not_edited() -> None:
    doc = parse_platform(DEFAULT_PLATFORM.read_bytes())
    assert not load_platform(doc).changed, "an unchanged file changes nothing, the banks included"
    steer, decide = (
        _bank(BankKind.PHRASE, "secure.steer", SV)[0],
        _bank(BankKind.PHRASE, "secure.decide", SV)[0],
    )
    edit_entry(decide, "HR:s egna ord om beslut.")
    question = _bank(BankKind.QUESTION, "leader.trust", SV)[0]
    set_retired(question, True)
    changed = _with_first_phrase(
        _with_first_phrase(doc, "secure.steer", "Ny lydelse."), "secure.decide", "Filens nya."
    )
    report = load_platform(changed)
    assert report.seeded == 1
    assert steer.text == "Ny lydelse."  # untouched by HR: follows the file
    assert decide.text == "HR:s egna ord om beslut."  # HR's edit stays
    assert question.is_retired and question not in _bank(BankKind.QUESTION, "leader.trust", SV)


def test_the_file_may_bring_banks_and_bad_ones_are_refused_with_their_line(app_ctx: Flask) -> None:
    content = DEFAULT_PLATFORM.read_text(encoding="utf-8")
    bad = content.replace(
        '        questions:\n          sv:\n            - "Berätta om en situation när du styrde',
        '        questions:\n          de:\n            - "Berätta om en situation när du styrde',
        1,
    )
    with pytest.raises(PlatformFileError) as refused:
        parse_platform(bad)
    assert any(
        "unknown field 'de'" in problem and problem.startswith("line ") for problem in refused.value.problems
    )
    empty = content.replace(
        '        phrases:\n          sv:\n            - "Du styr',
        '        phrases:\n          sv: []\n          xx:\n            - "Du styr',
        1,
    )
    with pytest.raises(PlatformFileError):
        parse_platform(empty)


# -- HR's banks ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("orebro")
def test_hr_adds_edits_reorders_and_retires_entries() -> None:
    trust = _expectation("leader.trust")
    before = _bank(BankKind.QUESTION, "leader.trust", EN)
    added = add_entry(
        BankKind.QUESTION, trust, EN, "  Tell me about a time when you said no to your own manager.  "
    )
    assert added.text.startswith("Tell me") and _bank(BankKind.QUESTION, "leader.trust", EN)[-1] is added
    assert move_entry(added, -1) and _bank(BankKind.QUESTION, "leader.trust", EN)[-2] is added
    assert not move_entry(_bank(BankKind.QUESTION, "leader.trust", EN)[0], -1)  # already first
    set_retired(added, True)
    assert _bank(BankKind.QUESTION, "leader.trust", EN) == before
    set_retired(added, False)
    assert _bank(BankKind.QUESTION, "leader.trust", EN)[-1] is added  # back, at the end
    for text in ("", "   ", "x" * 2001):
        with pytest.raises(BankError):
            add_entry(BankKind.PHRASE, trust, SV, text)
    assert _bank(BankKind.QUESTION, "leader.trust", SV)[0].language is SV  # languages stay apart


@pytest.mark.usefixtures("orebro")
def test_the_bank_pages_group_by_pillar_and_refuse_bad_input_next_to_the_field(
    client: FlaskClient, login: Callable[..., Any]
) -> None:
    hr = make_user(Role.HR)
    db.session.commit()
    login(hr.email)
    overview = client.get("/recruitment/banks/questions").get_data(as_text=True)
    assert overview.count('<h2 id="pillar-') == 3 and "Säker chef" in overview and "Vara nära" not in overview
    assert "vara nära och inge förtroende" in overview
    trust = _expectation("leader.trust")
    url = f"/recruitment/banks/questions/{trust.id}"
    count = db.session.scalar(select(func.count()).select_from(BankEntry))
    refused = post_form(client, url, {"language": "sv", "text": "   "})
    assert refused.status_code == 200 and 'id="text-error"' in refused.get_data(as_text=True)
    refused = post_form(client, url, {"language": "de", "text": "Berätta om en situation när …"})
    assert refused.status_code == 200 and 'id="language-error"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BankEntry)) == count
    added = post_form(client, url, {"language": "sv", "text": "Berätta om en situation när du bad om hjälp."})
    assert added.status_code == 302
    entry = db.session.scalar(
        select(BankEntry).where(BankEntry.text.startswith("Berätta om en situation när du bad"))
    )
    assert entry is not None and entry.seed_number is None and entry.language is SV
    page = client.get(url).get_data(as_text=True)
    assert f'id="entry-{entry.id}"' in page
    post_form(
        client,
        f"/recruitment/banks/entries/{entry.id}/edit",
        {"text": "Berätta om en situation när du bad om stöd."},
    )
    post_form(client, url, {})  # a refused add with no fields: the page again, nothing written
    client.post(
        f"/recruitment/banks/entries/{entry.id}/move",
        data={"direction": "up", "csrf_token": _token(client, url)},
    )
    client.post(
        f"/recruitment/banks/entries/{entry.id}/retire",
        data={"retired": "1", "csrf_token": _token(client, url)},
    )
    db.session.expire_all()
    assert entry.text.endswith("om stöd.") and entry.edited_at is not None and entry.is_retired
    assert client.get("/recruitment/banks/entries/2000000000/edit").status_code == 404
    # The changes are in the audit log: who did them, to what, without a person as subject.
    events = list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "bank_entry", AuditEvent.object_id == entry.id)
        )
    )
    assert [e.action for e in events] == ["create", "update", "update", "update"]
    assert {(e.actor_id, e.subject_manager_id, e.subject_user_id, e.source) for e in events} == {
        (hr.id, None, None, "web")
    }
    assert "text" in events[1].detail["fields"] and "Berätta" not in str(events[1].detail)


def _token(client: FlaskClient, url: str) -> str:
    from tests.conftest import csrf_token_from

    return csrf_token_from(client.get(url).get_data(as_text=True))


# -- the job ad ------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("orebro")
def test_the_ad_is_prefilled_from_the_vacancy_and_the_bank_in_the_vacancys_order() -> None:
    hr = make_user(Role.HR)
    vacancy = _vacancy(hr, {"leader.trust": 3, "secure.decide": 1})
    ad = ad_of(vacancy, SV)
    assert (
        not ad.saved and ad.unit_text.startswith("Västra skolan är") and ad.role_text.startswith("Du leder")
    )
    assert [p.expectation.key for p in ad.paragraphs] == ["leader.trust", "secure.decide"]
    assert [p.text for p in ad.paragraphs] == [
        _bank(BankKind.PHRASE, "leader.trust", SV)[0].text,
        _bank(BankKind.PHRASE, "secure.decide", SV)[0].text,
    ]
    text = plain_text(ad_material(ad, get_platform()))
    for block in (
        "Rektor Västra skolan",
        "Om oss",
        "Om uppdraget",
        "Det här förväntar vi oss av dig",
        "Vårt löfte till dig",
    ):
        assert block in text
    assert "undanröja hinder" in text and "Förenkla – Förnya – Förbättra." in text
    assert text.index("Du är en närvarande chef") < text.index("Du fattar välgrundade beslut")
    english = plain_text(ad_material(ad_of(vacancy, EN), get_platform()))
    assert (
        "What we expect of you" in english
        and "You are a present manager" in english
        and "Om oss" not in english
    )


@pytest.mark.usefixtures("orebro")
def test_hr_chooses_a_phrase_or_writes_the_paragraph_per_vacancy() -> None:
    hr = make_user(Role.HR)
    vacancy = _vacancy(hr, {"leader.trust": 3, "secure.decide": 1})
    trust, decide = _expectation("leader.trust"), _expectation("secure.decide")
    second = add_entry(BankKind.PHRASE, trust, SV, "Du bygger förtroende genom att finnas på plats.")
    save_ad(
        vacancy,
        SV,
        unit_text="Vi är en skola i förändring.",
        role_text="",
        choices={
            trust.id: ParagraphChoice(phrase_id=second.id),
            decide.id: ParagraphChoice(own_text="Du beslutar."),
        },
    )
    ad = ad_of(vacancy, SV)
    assert ad.saved and ad.unit_text == "Vi är en skola i förändring." and ad.role_text == ""
    assert [p.text for p in ad.paragraphs] == [
        "Du bygger förtroende genom att finnas på plats.",
        "Du beslutar.",
    ]
    assert "Om uppdraget" not in plain_text(ad_material(ad, get_platform()))  # an empty block is left out
    assert not ad_of(vacancy, EN).saved  # each language has its own ad
    # The chosen phrase is retired later: the ad keeps its words, and offers it still.
    set_retired(second, True)
    assert ad_of(vacancy, SV).paragraphs[0].text.startswith("Du bygger förtroende")
    english_phrase = _bank(BankKind.PHRASE, "leader.trust", EN)[0]
    for choice in (
        ParagraphChoice(phrase_id=english_phrase.id),
        ParagraphChoice(own_text="  "),
        ParagraphChoice(phrase_id=2_000_000_000),
    ):
        with pytest.raises(AdError) as refused:
            save_ad(vacancy, SV, unit_text="", role_text="", choices={trust.id: choice})
        assert refused.value.expectation_id == trust.id
    with pytest.raises(AdError):
        save_ad(vacancy, SV, unit_text="x" * 10_001, role_text="", choices={})
    set_status(vacancy, VacancyStatus.CANCELLED, TODAY)
    with pytest.raises(VacancyError):
        save_ad(vacancy, SV, unit_text="", role_text="", choices={})


@pytest.mark.usefixtures("orebro")
def test_hr_builds_the_ad_previews_copies_and_downloads_it_as_docx(
    client: FlaskClient, login: Callable[..., Any]
) -> None:
    hr = make_user(Role.HR)
    vacancy = _vacancy(hr, {"leader.feedback": 2, "developer.scout": 1}, closes_on=date(2026, 12, 1))
    feedback, scout = _expectation("leader.feedback"), _expectation("developer.scout")
    phrase = _bank(BankKind.PHRASE, "leader.feedback", SV)[0]
    db.session.commit()
    login(hr.email)
    url = f"/vacancies/{vacancy.id}/ad?language=sv"
    builder = client.get(url).get_data(as_text=True)
    assert "Västra skolan är en F–6-skola" in builder and phrase.text in builder
    assert builder.index(f'id="paragraph-{feedback.key}"') < builder.index(f'id="paragraph-{scout.key}"')
    form = {
        "unit_text": "Skolan ligger vid Svartån.",
        "role_text": "Uppdraget gäller från januari.",
        f"phrase_{feedback.id}": str(phrase.id),
        f"text_{feedback.id}": "",
        f"phrase_{scout.id}": "own",
        f"text_{scout.id}": "Du följer skolforskningen och tar hem det bästa.",
    }
    refused = post_form(client, url, {**form, f"text_{scout.id}": ""})
    assert refused.status_code == 200 and f'id="text_{scout.id}-error"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(VacancyAd)) == 0
    refused = post_form(client, url, {**form, f"phrase_{feedback.id}": "999999"})
    assert refused.status_code == 200 and db.session.scalar(select(func.count()).select_from(VacancyAd)) == 0
    saved = post_form(client, url, form)
    assert saved.status_code == 302 and "/ad/preview?language=sv" in saved.headers["Location"]
    preview = client.get(f"/vacancies/{vacancy.id}/ad/preview?language=sv").get_data(as_text=True)
    assert '<textarea id="ad-text" rows="16" readonly lang="sv">' in preview
    assert "Skolan ligger vid Svartån." in preview and "Sista ansökningsdag: 1 december 2026." in preview
    assert 'data-copy="ad-text"' in preview and "js/materials.js" in preview
    download = client.get(f"/vacancies/{vacancy.id}/ad.docx?language=sv")
    assert download.status_code == 200 and download.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in download.headers["Content-Disposition"]
    paragraphs = _docx_texts(download.data)
    assert paragraphs[0] == "Rektor Västra skolan"
    for expected in (
        phrase.text,
        "Du följer skolforskningen och tar hem det bästa.",
        "Skolan ligger vid Svartån.",
        "Vårt löfte till dig",
    ):
        assert expected in paragraphs
    assert paragraphs.index(phrase.text) < paragraphs.index(
        "Du följer skolforskningen och tar hem det bästa."
    )
    english = _docx_texts(client.get(f"/vacancies/{vacancy.id}/ad.docx?language=en").data)
    assert (
        "What we expect of you" in english
        and _bank(BankKind.PHRASE, "leader.feedback", EN)[0].text in english
    )
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "vacancy_ad")))
    assert [(e.action, e.actor_id) for e in events] == [("create", hr.id)]


# -- the interview guide -------------------------------------------------------------------------------


@pytest.mark.usefixtures("orebro")
def test_the_guide_asks_the_banks_questions_in_interview_order_and_prints(
    client: FlaskClient, login: Callable[..., Any]
) -> None:
    hr = make_user(Role.HR)
    interviewer = make_user(Role.MANAGER, name="Ingrid Intervjuare")
    outsider = make_user(Role.MANAGER, name="Otto Utanför")
    vacancy = _vacancy(hr, {"leader.grow_staff": 3, "secure.represent": 2})
    set_recruitment_group(vacancy, [interviewer])
    guide = guide_of(vacancy, SV)
    assert [s.expectation.key for s in guide.sections] == ["leader.grow_staff", "secure.represent"]
    assert all(len(s.questions) >= 2 for s in guide.sections) and not guide.missing
    db.session.commit()
    login(interviewer.email)
    page = client.get(f"/vacancies/{vacancy.id}/guide?language=sv").get_data(as_text=True)
    first, second = (s.questions[0].text for s in guide.sections)
    assert page.index(first) < page.index(second) and "1. Stärka och utveckla medarbetare" in page
    assert (
        'class="notes-room"' in page and "Lägg till en i banken" not in page
    )  # no HR link for an interviewer
    paragraphs = _docx_texts(client.get(f"/vacancies/{vacancy.id}/guide.docx?language=en").data)
    assert "Interview guide: Rektor Västra skolan" in paragraphs
    assert guide_of(vacancy, EN).sections[1].questions[1].text in paragraphs
    assert "Notes" in paragraphs
    # The group member reads the ad too, but does not build it.
    assert client.get(f"/vacancies/{vacancy.id}/ad/preview").status_code == 200
    assert client.get(f"/vacancies/{vacancy.id}/ad").status_code == 404
    client.post("/logout", data={"csrf_token": _token(client, "/")})
    login(outsider.email)
    for url in ("guide", "guide.docx", "ad/preview", "ad.docx", "ad"):
        response = client.get(f"/vacancies/{vacancy.id}/{url}")
        assert response.status_code == 404 and "Rektor" not in response.get_data(as_text=True), url


# -- a four-pillar platform without banks of its own ----------------------------------------------------


def test_nordby_brings_no_banks_and_every_page_says_so_until_hr_adds_an_entry(
    app_ctx: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    report = load_platform(parse_platform(NORDBY.read_bytes()))
    assert report.seeded == 0 and db.session.scalar(select(func.count()).select_from(BankEntry)) == 0
    hr = make_user(Role.HR)
    vacancy = _vacancy(hr, {"tydlig.lyssna": 3, "modig.prova": 1})
    lyssna = _expectation("tydlig.lyssna")
    db.session.commit()
    login(hr.email)
    overview = client.get("/recruitment/banks/phrases").get_data(as_text=True)
    assert overview.count('<h2 id="pillar-') == 4 and overview.count("Ingen än") == 2 * 14
    builder = client.get(f"/vacancies/{vacancy.id}/ad?language=sv").get_data(as_text=True)
    assert builder.count("Frasbanken har ingen fras för den här förväntan på svenska än.") == 2
    assert f"/recruitment/banks/phrases/{lyssna.id}?language=sv#new-entry" in builder
    guide = client.get(f"/vacancies/{vacancy.id}/guide?language=en").get_data(as_text=True)
    assert f"/recruitment/banks/questions/{lyssna.id}?language=en#new-entry" in guide
    assert "The question bank has no question for this expectation yet." in guide  # the guide's own words
    preview = client.get(f"/vacancies/{vacancy.id}/ad/preview?language=sv").get_data(as_text=True)
    assert 'id="missing-tydlig.lyssna"' in preview and "Vi ger dig stöd och tid." in preview
    post_form(
        client,
        f"/recruitment/banks/questions/{lyssna.id}",
        {"language": "en", "text": "Tell me about a time when you listened first."},
    )
    post_form(
        client,
        f"/recruitment/banks/phrases/{lyssna.id}",
        {"language": "sv", "text": "Du lyssnar in innan du bestämmer."},
    )
    guide = client.get(f"/vacancies/{vacancy.id}/guide?language=en").get_data(as_text=True)
    assert "Tell me about a time when you listened first." in guide
    assert f"/recruitment/banks/questions/{lyssna.id}?" not in guide
    paragraphs = _docx_texts(client.get(f"/vacancies/{vacancy.id}/ad.docx?language=sv").data)
    assert "Du lyssnar in innan du bestämmer." in paragraphs and "Tillsammans för Nordby" in paragraphs
    built = client.get(f"/vacancies/{vacancy.id}/ad?language=sv").get_data(as_text=True)
    assert built.count("Frasbanken har ingen fras") == 1  # modig.prova still has none


@pytest.mark.usefixtures("orebro")
def test_the_materials_pages_query_count_does_not_grow_with_the_weighed_expectations(
    client: FlaskClient, login: Callable[..., Any], count_queries: Callable[[], Any]
) -> None:
    hr = make_user(Role.HR)
    few = _vacancy(hr, {"leader.trust": 3})
    many = _vacancy(
        hr,
        {
            key: 2
            for key in (
                "leader.trust",
                "leader.feedback",
                "secure.decide",
                "developer.scout",
                "leader.organise",
            )
        },
    )
    for vacancy in (few, many):
        save_ad(vacancy, SV, unit_text="Om oss.", role_text="", choices={})
    db.session.commit()
    login(hr.email)
    for page in ("ad", "ad/preview", "guide", "guide.docx", "ad.docx"):
        counts = []
        for vacancy in (few, many):
            with count_queries() as counter:
                assert client.get(f"/vacancies/{vacancy.id}/{page}?language=sv").status_code == 200
            counts.append(counter.count)
        assert counts[0] == counts[1], (page, counts)
    with count_queries() as overview:
        assert client.get("/recruitment/banks/questions").status_code == 200
    assert overview.count < 15
