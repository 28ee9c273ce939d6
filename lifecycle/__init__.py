"""Chefsresan: the manager's journey, tied to the municipality's leadership platform."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

__all__ = ["create_app"]

logger = logging.getLogger(__name__)


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: read config, init extensions, register blueprints and commands."""
    from config import config_class

    app = Flask(__name__, instance_relative_config=True)
    config = config_class(config_name)
    app.config.update(config.from_environment(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)

    from lifecycle.urls import register_converters

    register_converters(app)
    _init_extensions(app)
    _init_i18n(app)
    _init_security(app)

    from lifecycle.blueprints import register_blueprints
    from lifecycle.cli import register_commands
    from lifecycle.errors import register_error_handlers

    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from lifecycle import models  # noqa: F401  (every table must be known to Alembic)
    from lifecycle.auth import init_login
    from lifecycle.extensions import celery_init_app
    from lifecycle.extensions import csrf
    from lifecycle.extensions import db
    from lifecycle.extensions import limiter
    from lifecycle.extensions import mail
    from lifecycle.extensions import migrate
    from lifecycle.services import audit  # noqa: F401  (records every audited change on flush)

    db.init_app(app)
    with app.app_context():
        _configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    init_login(app)
    celery_init_app(app)
    from lifecycle import tasks  # noqa: F401  (registers the tasks with the Celery app)


def _configure_engine(engine: Any) -> None:
    """Make SQLite behave: enforce foreign keys and let SQLAlchemy control transactions (savepoints)."""
    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def _init_i18n(app: Flask) -> None:
    from flask_babel import format_date
    from flask_babel import format_datetime
    from flask_babel import get_locale

    from lifecycle.extensions import babel
    from lifecycle.i18n import localized
    from lifecycle.i18n import localized_value
    from lifecycle.i18n import select_locale

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(app.root_path) / "translations"),
    )
    app.jinja_env.globals.update(
        get_locale=get_locale,
        localized=localized,
        localized_value=localized_value,
    )
    app.jinja_env.filters.update(format_date=format_date, format_datetime=format_datetime)
    app.jinja_env.add_extension("jinja2.ext.i18n")


def _init_security(app: Flask) -> None:
    from lifecycle import web_audit
    from lifecycle.policy import enforce_endpoint_rule
    from lifecycle.security import refuse_nul_characters
    from lifecycle.security import set_security_headers

    web_audit.init_app(app)

    app.before_request(refuse_nul_characters)
    app.before_request(enforce_endpoint_rule)
    app.after_request(set_security_headers)
