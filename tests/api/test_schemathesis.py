"""Schemathesis drives every operation of /api/v1/openapi.json with generated input (bounded).

No response may be a server error or break the document, whatever the input. It runs as HR (who may
do the most) with a little data in place, so paths with ids also reach real objects.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.checks import response_schema_conformance
from schemathesis.checks import status_code_conformance
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import add_candidate
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.services.tokens import create_token
from lifecycle.timeutil import local_today
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

EXAMPLES_PER_OPERATION = 12


def test_no_generated_input_breaks_the_api(app: Flask, app_ctx: Flask) -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    boss = make_manager("Chef Chefsson", with_account=True)
    anna = make_manager("Anna Andersson", line_manager=boss, with_account=True)
    hr = make_user(Role.HR)
    vacancy = create_vacancy(VacancyValues(title="Rektor", org_unit=make_unit(), hr_partner=hr), hr)
    expectation = db.session.scalars(select(Expectation)).first()
    assert expectation is not None
    set_weights(vacancy, {expectation: 2})
    set_status(vacancy, VacancyStatus.OPEN, local_today())
    add_candidate(vacancy, anna, hr, local_today())
    _token, secret = create_token(hr, "schemathesis")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    calls = 0

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case: Any) -> None:
            nonlocal calls
            calls += 1
            response = case.call(headers=headers)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance, status_code_conformance]
            )

        exercise()
    assert calls >= len(operations) * 2  # generation really ran
