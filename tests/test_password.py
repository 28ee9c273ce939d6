"""Changing the password: checked against the rules, and every other session ends."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from lifecycle.auth import verify_password
from lifecycle.extensions import db
from lifecycle.passwords import password_problem
from tests.conftest import post_form
from tests.factories import PASSWORD
from tests.factories import make_user


def test_password_rules() -> None:
    assert password_problem("kort") is not None
    assert password_problem("Sommaren2026") is not None  # a favourite, whatever the case
    assert password_problem("aaaaaaaaaaaaaaaa") is not None
    assert password_problem("stina-andersson-2026", email="stina@kommun.example") is not None
    assert password_problem("blå cykel under äppelträdet") is None


def test_change_password_ends_other_sessions(app: Flask, app_ctx: Flask, login) -> None:
    user = make_user(email="byter@test.example", name="Byter Lösen")
    phone, laptop = app.test_client(), app.test_client()
    login(user.email, test_client=phone)
    login(user.email, test_client=laptop)
    response = post_form(
        laptop,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "blå cykel under äppelträdet",
            "repeat_password": "blå cykel under äppelträdet",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200  # this browser goes on
    assert phone.get("/").status_code == 302  # the other one is logged out
    db.session.refresh(user)
    assert verify_password(user, "blå cykel under äppelträdet")


def test_wrong_current_or_weak_new_password_is_refused_next_to_the_field(
    app_ctx: Flask, client: FlaskClient, login
) -> None:
    user = make_user(email="svag@test.example")
    login(user.email)
    wrong = post_form(
        client,
        "/account/password",
        {"current_password": "fel", "new_password": "x" * 20, "repeat_password": "x" * 20},
    ).get_data(as_text=True)
    assert 'id="current_password-error"' in wrong
    weak = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "sommaren2026", "repeat_password": "sommaren2026"},
    ).get_data(as_text=True)
    assert 'id="new_password-error"' in weak
    db.session.refresh(user)
    assert verify_password(user, PASSWORD)


def test_the_ten_thousand_most_common_passwords_and_their_dressed_up_forms_are_refused() -> None:
    from lifecycle.passwords import common_passwords

    listed = common_passwords()
    assert len(listed) >= 10_000
    # Long enough for the length rule, yet on the list of breached passwords as they are.
    assert "qwertyuiopasdfgh" in listed or "1q2w3e4r5t6y" in listed
    for password in (
        "1q2w3e4r5t6y",
        "Dragon123456",  # a listed word with digits around it
        "!!football2024",
        "Superman2026!",
        "Sverige2027!!",
        "sommaren 2027",  # a Swedish favourite, spaced
    ):
        assert password_problem(password) is not None, password
    # Passphrases and words that are not on the list pass.
    for password in ("blå cykel under äppelträdet", "sju gröna ekorrar i Örebro", "Kanelbulle-i-Kumla-77"):
        assert password_problem(password) is None, password
