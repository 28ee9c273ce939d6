"""Configuration classes; every setting can come from the environment.

Nothing here is read at import time by the app: `create_app()` picks a class and calls
`Config.from_environment()`, which reads `os.environ` then.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent


#: days in a stage after which HR sees a person as stuck; a stage not named has no threshold. Years in
#: "retain and develop" are normal, so it has none by default.
DEFAULT_STUCK_AFTER_DAYS = {"attract": 365, "recruit": 120, "introduce": 240, "offboard": 90}


def _stuck_after_days(value: str) -> dict[str, int]:
    """Read STUCK_AFTER_DAYS: `stage=days` pairs (`recruit=90,introduce=200`) replacing the defaults' stages.

    A stage given as `develop=` (no number) has no threshold. A bare number applies to every stage but
    "retain and develop", as the setting once did.
    """
    value = value.strip()
    if not value:
        return dict(DEFAULT_STUCK_AFTER_DAYS)
    if value.isdigit():
        return dict.fromkeys(("attract", "recruit", "introduce", "offboard"), int(value))
    thresholds = dict(DEFAULT_STUCK_AFTER_DAYS)
    stages = ("attract", "recruit", "introduce", "develop", "offboard")
    for pair in value.split(","):
        stage, _, days = (part.strip() for part in pair.partition("="))
        if stage.lower() not in stages or not (days == "" or days.isdigit()):
            raise ConfigurationError(
                f"STUCK_AFTER_DAYS: {pair.strip()!r} is not stage=days (stages: {', '.join(stages)})"
            )
        if days:
            thresholds[stage.lower()] = int(days)
        else:
            thresholds.pop(stage.lower(), None)
    return thresholds


class ConfigurationError(RuntimeError):
    """A setting is missing or wrong; the app refuses to start."""


def _env_int(environ: dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from exc


def _env_days(environ: dict[str, str], name: str, default: int) -> int:
    """Read a retention period in days: a whole number of at least one day."""
    days = _env_int(environ, name, default)
    if days < 1:
        raise ConfigurationError(f"{name} must be at least 1 (days), got {days}")
    return days


def _env_rate_limit(environ: dict[str, str], name: str, default: str) -> str:
    """Read a rate limit such as "5 per minute" (Flask-Limiter's notation); a wrong one stops the start."""
    from limits import parse_many

    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        parse_many(raw)
    except ValueError as exc:
        raise ConfigurationError(f'{name} must be a rate limit such as "5 per minute", got {raw!r}') from exc
    return raw


def _development_secret_key(instance_path: Path) -> str:
    """Return the development secret key kept in instance/, creating it on first use."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _celery_settings(redis_url: str | None, instance_path: Path) -> dict[str, Any]:
    """Return Celery settings: Redis when configured, else kombu's filesystem transport."""
    from celery.schedules import crontab

    settings: dict[str, Any] = {
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "timezone": "UTC",
        "enable_utc": True,
        "broker_connection_retry_on_startup": True,
        # A task is acknowledged after it ran, and given back if the worker dies.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "beat_schedule": {
            "beat-heartbeat": {"task": "system.heartbeat", "schedule": 60.0},
            # An interval in UTC: daylight saving never shifts it; the rows carry the 08:00 local times.
            "reminders-dispatch": {"task": "reminders.dispatch", "schedule": 60.0},
            # Daily at 01:30 UTC (the schedule's timezone): closed journeys past GDPR_RETENTION_DAYS.
            "gdpr-retention": {"task": "gdpr.retention", "schedule": crontab(hour=1, minute=30)},
            # Daily: pool members whose consent ran out (TALENT_POOL_RETENTION_DAYS), and candidates
            # not selected past CANDIDATE_RETENTION_DAYS.
            "talent-pool-retention": {
                "task": "talent_pool.retention",
                "schedule": crontab(hour=1, minute=40),
            },
            "candidate-retention": {
                "task": "recruitment.candidate_retention",
                "schedule": crontab(hour=1, minute=50),
            },
            # Invitations saved while the broker was down, or whose task was lost, go out late, once.
            "invitations-sweep": {"task": "invitations.sweep", "schedule": 600.0},
            # The same for the e-mails telling candidates they are not selected.
            "not-selected-sweep": {"task": "recruitment.sweep_not_selected", "schedule": 600.0},
            # And for the e-mails telling reporters their obstacle is resolved.
            "obstacle-notices-sweep": {"task": "obstacles.sweep_resolved", "schedule": 600.0},
            # -- mentoring: daily at 02:00 UTC, a missed meeting cadence moves on to its next period.
            "mentoring-resync": {"task": "mentoring.resync", "schedule": crontab(hour=2, minute=0)},
        },
    }
    if redis_url:
        settings["broker_url"] = redis_url
        # Longer than any retry backoff, so Redis never hands an unacknowledged task out twice.
        settings["broker_transport_options"] = {"visibility_timeout": 6 * 3600}
    else:
        queue_dir = instance_path / "celery" / "queue"
        processed_dir = instance_path / "celery" / "processed"
        control_dir = instance_path / "celery" / "control"
        settings["broker_url"] = "filesystem://"
        settings["broker_transport_options"] = {
            "data_folder_in": str(queue_dir),
            "data_folder_out": str(queue_dir),
            "processed_folder": str(processed_dir),
            "control_folder": str(control_dir),
            "store_processed": False,
        }
    return settings


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    TESTING = False
    DEBUG = False

    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
    LANGUAGES = ("sv", "en")

    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    HSTS = False

    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    LOGIN_RATE_LIMIT = "5 per minute"
    #: password reset requests per network address, and per e-mail address asked about
    PASSWORD_RESET_RATE_LIMIT = "10 per hour"  # noqa: S105  (a limit, not a password)
    PASSWORD_RESET_EMAIL_RATE_LIMIT = "3 per hour"  # noqa: S105
    #: API tokens one user may create
    API_TOKEN_RATE_LIMIT = "10 per hour"  # noqa: S105
    RATELIMIT_HEADERS_ENABLED = True

    @classmethod
    def from_environment(cls, instance_path: Path, environ: dict[str, str] | None = None) -> dict[str, Any]:
        """Return this class's settings completed from the environment."""
        env = dict(os.environ if environ is None else environ)
        settings: dict[str, Any] = {
            key: getattr(cls, key) for key in dir(cls) if key.isupper() and not key.startswith("_")
        }
        settings["SQLALCHEMY_DATABASE_URI"] = cls.database_url(env, instance_path)
        redis_url = env.get("REDIS_URL") or None
        settings["REDIS_URL"] = redis_url
        settings["CELERY"] = _celery_settings(redis_url, instance_path)
        settings["RATELIMIT_STORAGE_URI"] = _limiter_storage(redis_url)
        settings["SECRET_KEY"] = cls.secret_key(env, instance_path)
        settings.update(cls.mail_settings(env, instance_path))
        settings["STUCK_AFTER_DAYS"] = _stuck_after_days(env.get("STUCK_AFTER_DAYS", ""))
        # Closed journeys are anonymised this many days after closing (GDPR retention, a daily job).
        settings["GDPR_RETENTION_DAYS"] = _env_int(env, "GDPR_RETENTION_DAYS", 730)
        # A consent to be kept in the talent pool lasts this many days (about 24 months); the member is
        # then removed, and anonymised if the pool was their whole journey (a daily job).
        settings["TALENT_POOL_RETENTION_DAYS"] = _env_days(env, "TALENT_POOL_RETENTION_DAYS", 730)
        # Candidates not selected are anonymised this many days after the decision: the period in
        # which a discrimination claim can be brought (confirm it with the archivist; a daily job).
        settings["CANDIDATE_RETENTION_DAYS"] = _env_days(env, "CANDIDATE_RETENTION_DAYS", 730)
        # An open obstacle untouched this many days is reminded to its owner and escalated to HR.
        settings["OBSTACLE_STALE_DAYS"] = _env_days(env, "OBSTACLE_STALE_DAYS", 30)
        # How long an e-mailed password reset link works.
        settings["PASSWORD_RESET_MAX_AGE_MINUTES"] = _env_int(env, "PASSWORD_RESET_MAX_AGE_MINUTES", 60)
        # How long the link in an invitation e-mail works.
        settings["INVITATION_MAX_AGE_DAYS"] = _env_int(env, "INVITATION_MAX_AGE_DAYS", 7)
        # Rate limits: logins, reset requests per network address and per address asked about, API tokens.
        for limit in (
            "LOGIN_RATE_LIMIT",
            "PASSWORD_RESET_RATE_LIMIT",
            "PASSWORD_RESET_EMAIL_RATE_LIMIT",
            "API_TOKEN_RATE_LIMIT",
        ):
            settings[limit] = _env_rate_limit(env, limit, getattr(cls, limit))
        # Reminder delivery: a claimed row's lease, the SMTP retry backoff (kept far below the Redis
        # visibility timeout), the attempts before giving up, rows claimed per dispatcher batch, and
        # e-mails per send task.
        settings["REMINDER_LEASE_SECONDS"] = _env_int(env, "REMINDER_LEASE_SECONDS", 600)
        settings["REMINDER_RETRY_BASE_SECONDS"] = _env_int(env, "REMINDER_RETRY_BASE_SECONDS", 30)
        settings["REMINDER_RETRY_MAX_SECONDS"] = _env_int(env, "REMINDER_RETRY_MAX_SECONDS", 600)
        settings["REMINDER_MAX_ATTEMPTS"] = _env_int(env, "REMINDER_MAX_ATTEMPTS", 12)
        settings["REMINDER_BATCH_SIZE"] = _env_int(env, "REMINDER_BATCH_SIZE", 1000)
        settings["REMINDER_SEND_BATCH"] = _env_int(env, "REMINDER_SEND_BATCH", 10)
        if env.get("BASE_URL"):
            settings["BASE_URL"] = env["BASE_URL"].rstrip("/")
        return settings

    @classmethod
    def database_url(cls, env: dict[str, str], instance_path: Path) -> str:
        url = env.get("DATABASE_URL")
        if url:
            # Heroku-style URLs name the dialect only; we always talk psycopg 3.
            if url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgres://")
            elif url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        instance_path.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance_path / 'chefsresan.sqlite3'}"

    @classmethod
    def secret_key(cls, env: dict[str, str], instance_path: Path) -> str:
        return env.get("SECRET_KEY") or _development_secret_key(instance_path)

    @classmethod
    def mail_settings(cls, env: dict[str, str], instance_path: Path) -> dict[str, Any]:
        sender = env.get("MAIL_DEFAULT_SENDER") or "Chefsresan <chefsresan@localhost>"
        if not env.get("MAIL_SERVER"):
            return {
                "MAIL_BACKEND": "lifecycle.mail.ConsoleAndFileEmailBackend",
                "MAIL_FILE_PATH": str(instance_path / "mail"),
                "MAIL_DEFAULT_SENDER": sender,
            }
        return {
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": env["MAIL_SERVER"],
            "MAIL_PORT": _env_int(env, "MAIL_PORT", 25),
            "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
            "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
            "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "").lower() in {"1", "true", "yes"},
            "MAIL_USE_SSL": env.get("MAIL_USE_SSL", "").lower() in {"1", "true", "yes"},
            "MAIL_TIMEOUT": _env_int(env, "MAIL_TIMEOUT", 30),
            "MAIL_DEFAULT_SENDER": sender,
        }


def _limiter_storage(redis_url: str | None) -> str:
    return redis_url if redis_url else "memory://"


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = True

    @classmethod
    def from_environment(cls, instance_path: Path, environ: dict[str, str] | None = None) -> dict[str, Any]:
        settings = super().from_environment(instance_path, environ)
        env = dict(os.environ if environ is None else environ)
        # Links in e-mails must reach the app `make run` starts: on this machine, on its port.
        settings.setdefault("BASE_URL", f"http://localhost:{_env_int(env, 'PORT', 5000)}")
        return settings


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = True
    # Cheap hashing keeps the suite fast; production parameters are tested separately.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1

    @classmethod
    def from_environment(cls, instance_path: Path, environ: dict[str, str] | None = None) -> dict[str, Any]:
        settings = super().from_environment(instance_path, environ)
        settings["MAIL_BACKEND"] = "locmem"
        # A broker that cannot work, so an unplanned .delay() fails loudly instead of queueing;
        # tests that run a real worker pass the real broker in explicitly.
        settings["CELERY"]["broker_url"] = "you-forgot-to-start-a-worker-in-this-test://"
        settings["CELERY"].pop("broker_transport_options", None)
        return settings

    @classmethod
    def secret_key(cls, env: dict[str, str], instance_path: Path) -> str:
        return env.get("SECRET_KEY") or "testing-secret-key-not-for-production"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS = True

    @classmethod
    def from_environment(cls, instance_path: Path, environ: dict[str, str] | None = None) -> dict[str, Any]:
        settings = super().from_environment(instance_path, environ)
        # Links in e-mails (reminders, password reset) are built from BASE_URL, never from a request's
        # Host header; without it they would point at localhost.
        if not str(settings.get("BASE_URL", "")).startswith("https://"):
            raise ConfigurationError(
                "BASE_URL must be set to the public https:// address of Chefsresan in production"
            )
        return settings

    @classmethod
    def secret_key(cls, env: dict[str, str], instance_path: Path) -> str:
        key = env.get("SECRET_KEY")
        if not key or len(key) < 32:
            raise ConfigurationError(
                "SECRET_KEY must be set to a random string of at least 32 characters in production"
            )
        return key


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_class(name: str | None = None) -> type[Config]:
    """Return the config class named by `name` or by `CHEFSRESAN_ENV` (default development)."""
    chosen = name or os.environ.get("CHEFSRESAN_ENV") or "development"
    try:
        return CONFIGS[chosen]
    except KeyError as exc:
        raise ConfigurationError(
            f"CHEFSRESAN_ENV must be one of {', '.join(CONFIGS)}, got {chosen!r}"
        ) from exc
