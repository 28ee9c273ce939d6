"""Loading the leadership platform: idempotent, retiring instead of deleting, refusing broken files."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Pillar
from lifecycle.models import Platform
from lifecycle.services.platform import get_platform
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import PlatformFileError
from lifecycle.services.platform_file import parse_platform
from tests.factories import orebro_platform_only

ORIGINAL = DEFAULT_PLATFORM.read_text(encoding="utf-8")
#: the platform without the default programme and catalogue the file also carries
PLATFORM_ONLY = orebro_platform_only()

ORDER = [
    "secure.steer",
    "secure.represent",
    "secure.decide",
    "secure.agreements",
    "secure.stewardship",
    "developer.drive",
    "developer.scout",
    "developer.initiative",
    "developer.experiment",
    "developer.creativity",
    "leader.organise",
    "leader.communicate",
    "leader.trust",
    "leader.feedback",
    "leader.role_model",
    "leader.grow_staff",
]


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Platform)) or 0,
        db.session.scalar(select(func.count()).select_from(Pillar)) or 0,
        db.session.scalar(select(func.count()).select_from(Expectation)) or 0,
    )


def test_orebro_platform_is_the_seed_document(app_ctx: Flask) -> None:
    load_platform(parse_platform(ORIGINAL))
    platform = get_platform()
    assert platform is not None
    assert platform.name_sv == "Sveriges viktigaste chefsjobb"
    assert [p.key for p in platform.pillars] == ["secure", "developer", "leader"]
    assert [p.name_sv for p in platform.pillars] == ["Säker chef", "Initiativrik utvecklare", "Klar ledare"]
    assert [p.trait_sv for p in platform.pillars] == [
        "Du är uthållig och personligt mogen",
        "Du är modig och nyfiken",
        "Du är kommunikativ och generös",
    ]
    assert platform.pillars[0].description_sv == "Ansvarar för personal-, ekonomi- och verksamhet"
    assert [e.key for p in platform.pillars for e in p.expectations] == ORDER
    assert [len(p.expectations) for p in platform.pillars] == [5, 5, 6]
    assert platform.pillars[2].expectations[3].text_sv == "ge och få feedback"
    assert [v["sv"] for v in platform.values] == ["Förenkla", "Förnya", "Förbättra"]
    assert platform.whole_sv == "Du är en del av en helhet"
    assert "ge dig rätt förutsättningar och undanröja hinder" in platform.promise_sv
    assert all(e.text_en and p.name_en for p in platform.pillars for e in p.expectations)


def test_loading_the_same_file_twice_changes_nothing(app_ctx: Flask, count_queries) -> None:
    first = load_platform(parse_platform(ORIGINAL))
    assert first.changed and len(first.created) == 1 + 3 + 16
    loaded_at = get_platform().loaded_at  # type: ignore[union-attr]

    with count_queries() as counter:
        second = load_platform(parse_platform(ORIGINAL))
    assert not second.changed
    assert not [
        s for s in counter.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert get_platform().loaded_at == loaded_at  # type: ignore[union-attr]
    assert _counts() == (1, 3, 16)


def test_a_removed_expectation_is_retired_not_deleted_and_comes_back(app_ctx: Flask) -> None:
    load_platform(parse_platform(ORIGINAL))
    feedback = db.session.scalar(select(Expectation).where(Expectation.key == "leader.feedback"))
    assert feedback is not None
    feedback_id = feedback.id

    # The file's own programme and catalogue name the expectation too: they go with it.
    without_feedback = PLATFORM_ONLY.replace(
        "      - key: leader.feedback\n        text:\n          sv: ge och få feedback\n"
        "          en: give and receive feedback\n",
        "",
    )
    assert without_feedback != PLATFORM_ONLY
    report = load_platform(parse_platform(without_feedback))
    assert report.retired == ["leader.feedback"]
    db.session.expire_all()
    retired = db.session.get(Expectation, feedback_id)
    assert retired is not None and retired.is_retired
    assert retired.text_sv == "ge och få feedback"
    assert _counts() == (1, 3, 16)
    # The expectations after it moved up; the retired one keeps its identity for tagged history.
    leader = db.session.scalar(select(Pillar).where(Pillar.key == "leader"))
    active = [e.key for e in leader.expectations if not e.is_retired]  # type: ignore[union-attr]
    assert active == [
        "leader.organise",
        "leader.communicate",
        "leader.trust",
        "leader.role_model",
        "leader.grow_staff",
    ]

    again = load_platform(parse_platform(without_feedback))
    assert not again.changed

    restored = load_platform(parse_platform(ORIGINAL))
    assert restored.restored == ["leader.feedback"]
    db.session.expire_all()
    back = db.session.get(Expectation, feedback_id)
    assert back is not None and not back.is_retired


def test_the_schema_refuses_to_delete_a_pillar_that_has_expectations(app_ctx: Flask) -> None:
    load_platform(parse_platform(ORIGINAL))
    pillar = db.session.scalar(select(Pillar).where(Pillar.key == "secure"))
    with pytest.raises(IntegrityError):
        db.session.execute(Pillar.__table__.delete().where(Pillar.id == pillar.id))  # type: ignore[union-attr]
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    ("mangle", "expected"),
    [
        (lambda text: text.replace("pillars:\n", "pillars: [\n", 1), "line 2"),
        (
            lambda text: text.replace(
                "  - key: secure.decide\n", "  - key: secure.decide\n    key: again\n", 1
            ),
            "line",
        ),
        (lambda text: text.replace("          sv: styra och påverka\n", "", 1), "missing 'sv'"),
        (lambda text: text.replace("key: leader.trust", "key: secure.trust", 1), "must start with 'leader.'"),
        (lambda text: text.replace("key: leader.trust", "key: leader.feedback", 1), "used twice"),
        (
            lambda text: text.replace(
                "    trait:\n      sv: Du är modig", "    traits:\n      sv: Du är modig", 1
            ),
            "unknown field 'traits'",
        ),
        (lambda text: text.replace("sv: Förnya", "sv: 2013", 1), "must be a non-empty text"),
        (lambda text: "", "empty"),
    ],
)
def test_a_broken_file_is_refused_with_line_and_reason(mangle, expected: str) -> None:
    broken = mangle(ORIGINAL)
    with pytest.raises(PlatformFileError) as caught:
        parse_platform(broken)
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems
    assert all(problem.startswith(("line ", "not valid")) for problem in caught.value.problems)


def test_problem_names_the_right_line() -> None:
    lines = ORIGINAL.splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if "sv: vara nära och inge förtroende" in line)
    lines[number - 1] = "          sv: ''\n"
    with pytest.raises(PlatformFileError) as caught:
        parse_platform("".join(lines))
    assert caught.value.problems == [
        f"line {number}: pillar 3 expectation 3 text.sv must be a non-empty text"
    ]


def test_refuses_non_utf8_and_oversized_files() -> None:
    with pytest.raises(PlatformFileError, match="not UTF-8"):
        parse_platform(ORIGINAL.encode("cp1252"))
    with pytest.raises(PlatformFileError, match="larger than"):
        parse_platform(b"#" * (1024 * 1024 + 1))


def test_cli_loads_and_refuses_broken_file_without_writing(
    app: Flask, committed: None, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    broken = tmp_path / "broken.yaml"
    broken.write_text(ORIGINAL.replace("  - key: leader\n", "  - key: Leader!\n"), encoding="utf-8")
    result = runner.invoke(args=["platform", "load", str(broken)])
    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    assert "may only hold lower-case letters" in result.output
    with app.app_context():
        assert _counts() == (0, 0, 0)

    result = runner.invoke(args=["platform", "load", str(DEFAULT_PLATFORM)])
    assert result.exit_code == 0, result.output
    assert "is loaded" in result.output
    result = runner.invoke(args=["platform", "load", str(DEFAULT_PLATFORM)])
    assert result.exit_code == 0
    assert "already up to date; nothing changed" in result.output
    with app.app_context():
        assert _counts() == (1, 3, 16)


def test_a_second_municipality_cannot_silently_replace_the_first(app_ctx: Flask) -> None:
    load_platform(parse_platform(ORIGINAL))
    with pytest.raises(PlatformFileError, match="holds the platform 'orebro'"):
        load_platform(parse_platform(ORIGINAL.replace("key: orebro", "key: vasteras", 1)))


def test_the_file_carries_its_default_programme_and_catalogue() -> None:
    doc = parse_platform(ORIGINAL)
    assert doc.introduction is not None and len(doc.introduction.milestones) == 7
    first = doc.introduction.milestones[0]
    assert (first.offset_amount, first.offset_unit, first.responsible) == (-5, "days", "hr_partner")
    assert len(doc.catalogue) == 6
    assert parse_platform(PLATFORM_ONLY).defaults() is None


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            "introduction:\n  name: P\n  milestones:\n    - title: T\n      offset: 2 fortnights\n"
            "      responsible: line_manager\n      pillars: [leader]\n",
            "offset '2 fortnights' must be like",
        ),
        (
            "introduction:\n  name: P\n  milestones:\n    - title: T\n      offset: 1 week\n"
            "      responsible: the_boss\n      pillars: [leader]\n",
            "responsible must be one of manager, line_manager, hr_partner, mentor",
        ),
        (
            "catalogue:\n  - title: T\n    kind: course\n    expectations: [nobody.knows]\n",
            "catalogue item 1 expectations: 'nobody.knows' is not a key of this platform",
        ),
        ("catalogue:\n  - title: T\n    kind: course\n", "catalogue item 1 needs at least one pillar"),
    ],
)
def test_a_broken_programme_or_catalogue_is_refused_with_its_line(section: str, expected: str) -> None:
    with pytest.raises(PlatformFileError) as refused:
        parse_platform(PLATFORM_ONLY + section)
    assert any(expected in problem and problem.startswith("line ") for problem in refused.value.problems), (
        refused.value.problems
    )
