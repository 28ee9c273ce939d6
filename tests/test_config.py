"""Configuration from the environment, with defaults that work with nothing installed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from config import ConfigurationError
from config import DevelopmentConfig
from config import ProductionConfig


def test_development_defaults_need_nothing_installed(tmp_path: Path) -> None:
    settings = DevelopmentConfig.from_environment(tmp_path, environ={})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'chefsresan.sqlite3'}"
    assert settings["CELERY"]["broker_url"] == "filesystem://"
    assert settings["CELERY"]["broker_transport_options"]["data_folder_in"].startswith(str(tmp_path))
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["MAIL_BACKEND"] == "lifecycle.mail.ConsoleAndFileEmailBackend"
    assert settings["MAIL_FILE_PATH"] == str(tmp_path / "mail")
    assert settings["BABEL_DEFAULT_TIMEZONE"] == "Europe/Stockholm"
    assert settings["BABEL_DEFAULT_LOCALE"] == "sv"


def test_development_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = DevelopmentConfig.from_environment(tmp_path, environ={})["SECRET_KEY"]
    second = DevelopmentConfig.from_environment(tmp_path, environ={})["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        ProductionConfig.from_environment(tmp_path, environ={"DATABASE_URL": "postgresql://db/x"})
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        ProductionConfig.from_environment(tmp_path, environ={"SECRET_KEY": "short"})


def test_environment_chooses_the_services(tmp_path: Path) -> None:
    settings = ProductionConfig.from_environment(
        tmp_path,
        environ={
            "SECRET_KEY": "x" * 40,
            "BASE_URL": "https://chefsresan.kommun.example/",
            "DATABASE_URL": "postgresql://chefsresan@db.internal/chefsresan",
            "REDIS_URL": "redis://cache.internal:6379/0",
            "MAIL_SERVER": "smtp.internal",
            "MAIL_PORT": "587",
            "MAIL_DEFAULT_SENDER": "Chefsresan <noreply@kommun.example>",
        },
    )
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://chefsresan@db.internal/chefsresan"
    assert settings["CELERY"]["broker_url"] == "redis://cache.internal:6379/0"
    assert settings["CELERY"]["broker_transport_options"]["visibility_timeout"] >= 3600
    assert settings["CELERY"]["task_acks_late"] is True
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    assert settings["MAIL_BACKEND"] == "smtp"
    assert settings["MAIL_PORT"] == 587
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["HSTS"] is True
    assert settings["BASE_URL"] == "https://chefsresan.kommun.example"


def test_production_refuses_to_start_without_its_public_address(tmp_path: Path) -> None:
    secret = {"SECRET_KEY": "x" * 40}
    with pytest.raises(ConfigurationError, match="BASE_URL"):
        ProductionConfig.from_environment(tmp_path, environ=secret)
    with pytest.raises(ConfigurationError, match="BASE_URL"):
        ProductionConfig.from_environment(
            tmp_path, environ={**secret, "BASE_URL": "http://chefsresan.example"}
        )


def test_a_bad_number_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="MAIL_PORT"):
        DevelopmentConfig.from_environment(tmp_path, environ={"MAIL_SERVER": "x", "MAIL_PORT": "twenty-five"})


def test_production_app_sends_hsts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_app: Callable[..., Flask]
) -> None:
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    monkeypatch.setenv("BASE_URL", "https://chefsresan.kommun.example")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    app = make_app("production")
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_development_mail_goes_to_console_and_instance(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    make_app: Callable[..., Flask],
) -> None:
    from flask_mailman import EmailMessage

    monkeypatch.delenv("MAIL_SERVER", raising=False)
    monkeypatch.setenv("SECRET_KEY", "d" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'dev.sqlite3'}")
    app = make_app("development", MAIL_FILE_PATH=str(tmp_path / "mail"))
    with app.app_context():
        EmailMessage("Påminnelse", "Hej!", to=["chef@kommun.example"]).send()
    assert "Subject: =?utf-8?q?P=C3=A5minnelse?=" in capsys.readouterr().out
    files = list((tmp_path / "mail").iterdir())
    assert len(files) == 1 and b"chef@kommun.example" in files[0].read_bytes()


def test_development_links_point_at_the_port_make_run_serves(tmp_path: Path) -> None:
    secret = {"SECRET_KEY": "d" * 40}
    assert DevelopmentConfig.from_environment(tmp_path, environ={**secret, "PORT": "5123"})["BASE_URL"] == (
        "http://localhost:5123"
    )
    assert DevelopmentConfig.from_environment(tmp_path, environ=secret)["BASE_URL"] == "http://localhost:5000"
    given = {**secret, "PORT": "5123", "BASE_URL": "http://chefsresan.test/"}
    assert DevelopmentConfig.from_environment(tmp_path, environ=given)["BASE_URL"] == "http://chefsresan.test"
