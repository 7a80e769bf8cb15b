"""Typed settings read from the environment, with safe defaults and a test profile."""
from __future__ import annotations

import math
import os
import re
import secrets
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Mapping

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

ENVIRONMENTS = ("development", "production", "test")
# The settings that bound a wait, in seconds: each must be a number above 0.
TIMEOUTS = ("db_connect_timeout", "db_pool_timeout", "db_statement_timeout",
            "db_command_statement_timeout", "db_lock_timeout", "db_idle_in_transaction_timeout",
            "sqlite_busy_timeout", "redis_timeout", "healthz_timeout")
# Variables whose names follow another convention than the upper-cased field name.
_ENV_NAMES = {"debug": "FLASK_DEBUG"}

# The audit chain's keys in development and tests: fixed, so a copied development database
# still verifies; production refuses it (see Settings.check).
DEVELOPMENT_AUDIT_KEYS = "dev:development-audit-key-never-use-in-production"
AUDIT_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")
AUDIT_SECRET_MIN_LENGTH = 32
MAIL_BACKENDS = ("", "smtp", "outbox-page")


class ConfigError(RuntimeError):
    """The environment asks for something the application refuses to run with."""


def _seconds(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"not a number of seconds: {value!r}") from None


def _bool(value: str) -> bool:
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"not a yes/no value: {value!r}")


@dataclass(frozen=True)
class Settings:
    """Everything the application can be told from outside; one field per variable."""

    tracker_env: str = "development"
    secret_key: str = ""
    database_url: str = ""
    debug: bool = False
    ratelimit_storage_uri: str = "memory://"
    login_rate_limit: str = "60 per minute"
    login_failures_per_minute: int = 5
    session_idle_minutes: int = 15
    session_absolute_hours: int = 8
    proxy_count: int = 0
    max_upload_mb: int = 20
    attachment_dir: str = ""
    small_count_threshold: int = 5
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    argon2_parallelism: int = 4
    totp_issuer: str = "Embassy case tracker"
    tracker_audit_keys: str = ""
    tracker_backup_key: str = ""
    backup_dir: str = ""
    # Every wait has a bound (seconds; decimals allowed). README "Timeouts and what users see".
    db_connect_timeout: float = 5.0
    db_pool_timeout: float = 5.0
    db_statement_timeout: float = 10.0
    db_command_statement_timeout: float = 900.0
    db_lock_timeout: float = 5.0
    db_idle_in_transaction_timeout: float = 60.0
    sqlite_busy_timeout: float = 10.0
    redis_timeout: float = 1.0
    healthz_timeout: float = 1.5
    # Mail (README "Notifications and mail"). MAIL_BACKEND: "smtp" sends with `flask
    # notifications send`; "outbox-page" keeps mail for administrators to read at
    # /admin/outbox (development). Empty: smtp in production, the outbox page elsewhere.
    mail_backend: str = ""
    mail_server: str = "localhost"
    mail_port: int = 25
    mail_use_tls: bool = False
    mail_username: str = ""
    mail_password: str = ""
    mail_sender: str = "case-tracker@localhost"
    # The address officers open the tracker at: links in mail are made from it.
    public_url: str = "http://localhost:5000"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Read every setting from environment variables (upper-case field names)."""
        environ = os.environ if environ is None else environ
        defaults = cls()
        values: dict[str, object] = {}
        for f in fields(cls):
            name = _ENV_NAMES.get(f.name, f.name.upper())
            raw = environ.get(name)
            if raw is None:
                continue
            default = getattr(defaults, f.name)
            try:
                if isinstance(default, bool):
                    values[f.name] = _bool(raw)
                elif isinstance(default, int):
                    values[f.name] = int(raw)
                elif isinstance(default, float):
                    values[f.name] = _seconds(raw)
                else:
                    values[f.name] = raw
            except ValueError as exc:
                raise ConfigError(f"{name}: {exc}") from exc
        settings = cls(**values)
        settings.check()
        return settings

    @property
    def production(self) -> bool:
        return self.tracker_env == "production"

    def check(self) -> None:
        """Refuse settings that would be unsafe for the chosen environment."""
        if self.tracker_env not in ENVIRONMENTS:
            raise ConfigError(f"TRACKER_ENV must be one of {', '.join(ENVIRONMENTS)}")
        if self.production:
            if len(self.secret_key) < 32:
                raise ConfigError("SECRET_KEY must be set (32 characters or more) in production")
            if self.debug:
                raise ConfigError("debug mode is refused in production")
            if not self.database_url:
                raise ConfigError("DATABASE_URL must be set in production")
            if not self.tracker_audit_keys.strip():
                raise ConfigError("TRACKER_AUDIT_KEYS must be set in production "
                                  "(keyid:secret, the current key first)")
            development = parse_audit_keys(DEVELOPMENT_AUDIT_KEYS)[0][1]
            if development in dict(self.audit_keys()).values():
                raise ConfigError("TRACKER_AUDIT_KEYS: the development key is refused in production")
            if not self.tracker_backup_key.strip():
                raise ConfigError("TRACKER_BACKUP_KEY must be set in production (32 random "
                                  "bytes in base64: openssl rand -base64 32)")
        self.audit_keys()  # a malformed value is refused in every environment
        self.backup_key()
        if self.mail_backend not in MAIL_BACKENDS:
            raise ConfigError("MAIL_BACKEND must be smtp or outbox-page")
        if not self.public_url.startswith(("http://", "https://")):
            raise ConfigError("PUBLIC_URL must be an http:// or https:// address")
        if self.login_failures_per_minute < 1:
            raise ConfigError("LOGIN_FAILURES_PER_MINUTE must be at least 1")
        if self.session_idle_minutes < 1 or self.session_absolute_hours < 1:
            raise ConfigError("session timeouts must be positive")
        for f in fields(self):
            if f.name in TIMEOUTS:
                value = getattr(self, f.name)
                if not isinstance(value, (int, float)) or isinstance(value, bool) \
                        or not math.isfinite(value) or value <= 0:
                    raise ConfigError(f"{f.name.upper()} must be a number of seconds above 0, "
                                      f"not {value!r}")

    def _ratelimit_storage_options(self) -> dict[str, float]:
        """A Redis that stops answering must not hold a sign-in: the limiter then counts in
        the worker's memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED)."""
        if not self.ratelimit_storage_uri.startswith(("redis://", "rediss://", "unix://")):
            return {}
        return {"socket_timeout": self.redis_timeout,
                "socket_connect_timeout": self.redis_timeout}

    def audit_keys(self) -> tuple[tuple[str, bytes], ...]:
        """The audit chain's keys as (key id, secret), the current one first."""
        return parse_audit_keys(self.tracker_audit_keys or DEVELOPMENT_AUDIT_KEYS)

    def backup_key(self) -> bytes | None:
        """The key backups are encrypted with (AES-256-GCM); None: not encrypted."""
        if not self.tracker_backup_key.strip():
            return None
        from tracker.backups import parse_key

        try:
            return parse_key(self.tracker_backup_key)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    def flask_config(self) -> dict[str, object]:
        """The Flask and extension configuration these settings imply."""
        database_url = self.database_url or f"sqlite:///{INSTANCE / 'tracker.sqlite3'}"
        return {
            "TRACKER_ENV": self.tracker_env,
            "TESTING": self.tracker_env == "test",
            "DEBUG": self.debug,
            "SECRET_KEY": self.secret_key or _development_secret_key(),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url, self),
            "DB_TIMEOUTS": {
                "statement": self.db_statement_timeout,
                "command_statement": self.db_command_statement_timeout,
                "lock": self.db_lock_timeout,
                "idle_in_transaction": self.db_idle_in_transaction_timeout,
                "sqlite_busy": self.sqlite_busy_timeout,
            },
            "HEALTHZ_TIMEOUT": self.healthz_timeout,
            "SESSION_COOKIE_NAME": "__Host-session" if self.production else "session",
            "SESSION_COOKIE_SECURE": self.production,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Strict",
            "SESSION_IDLE_MINUTES": self.session_idle_minutes,
            "SESSION_ABSOLUTE_HOURS": self.session_absolute_hours,
            "WTF_CSRF_TIME_LIMIT": self.session_absolute_hours * 3600,
            # Flask-WTF's HTTPS check wants a Referer header, which `Referrer-Policy:
            # no-referrer` never lets the browser send. The token plus the SameSite=Strict
            # session cookie already refuse cross-site forms.
            "WTF_CSRF_SSL_STRICT": False,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "RATELIMIT_STORAGE_OPTIONS": self._ratelimit_storage_options(),
            "RATELIMIT_HEADERS_ENABLED": True,
            # If Redis is down, count in this worker's memory rather than refuse every sign-in.
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
            "RATELIMIT_SWALLOW_ERRORS": True,
            "LOGIN_RATE_LIMIT": self.login_rate_limit,
            "LOGIN_FAILURES_PER_MINUTE": self.login_failures_per_minute,
            "TOTP_REQUIRED": self.production,
            "TOTP_ISSUER": self.totp_issuer,
            "ARGON2": {
                "time_cost": self.argon2_time_cost,
                "memory_cost": self.argon2_memory_cost,
                "parallelism": self.argon2_parallelism,
            },
            "HSTS": self.production,
            "PROXY_COUNT": self.proxy_count,
            "MAX_CONTENT_LENGTH": self.max_upload_mb * 1024 * 1024,
            "ATTACHMENT_DIR": self.attachment_dir or str(INSTANCE / "attachments"),
            "SMALL_COUNT_THRESHOLD": self.small_count_threshold,
            "AUDIT_KEYS": self.audit_keys(),
            "BACKUP_KEY": self.backup_key(),
            "BACKUP_DIR": self.backup_dir or str(INSTANCE / "backups"),
            "MAIL_BACKEND": self.mail_backend or ("smtp" if self.production else "outbox-page"),
            "MAIL_SERVER": self.mail_server,
            "MAIL_PORT": self.mail_port,
            "MAIL_USE_TLS": self.mail_use_tls,
            "MAIL_USERNAME": self.mail_username,
            "MAIL_PASSWORD": self.mail_password,
            "MAIL_SENDER": self.mail_sender,
            "PUBLIC_URL": self.public_url,
        }


def parse_audit_keys(raw: str) -> tuple[tuple[str, bytes], ...]:
    """Read "keyid:secret, older-id:older-secret": the first is the one new rows are signed with."""
    keys: list[tuple[str, bytes]] = []
    for entry in raw.split(","):
        entry = entry.strip()
        if not entry:
            continue
        key_id, sep, secret = entry.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        # Never echo the secret in the message: it may end up in a service's log.
        if not sep or not AUDIT_KEY_ID.fullmatch(key_id):
            raise ConfigError("TRACKER_AUDIT_KEYS: each entry is keyid:secret, the id 1 to 16 "
                              "letters, digits, - or _")
        if len(secret) < AUDIT_SECRET_MIN_LENGTH:
            raise ConfigError(f"TRACKER_AUDIT_KEYS: the secret of key {key_id!r} must be "
                              f"{AUDIT_SECRET_MIN_LENGTH} characters or more")
        if key_id in dict(keys):
            raise ConfigError(f"TRACKER_AUDIT_KEYS: key id {key_id!r} is given twice")
        keys.append((key_id, secret.encode("utf-8")))
    if not keys:
        raise ConfigError("TRACKER_AUDIT_KEYS: no key given")
    return tuple(keys)


def engine_options(database_url: str, settings: Settings | None = None) -> dict[str, object]:
    """Engine options per database: bounded waits for a pooled connection and a new one,
    pre-pinged PostgreSQL connections. What each connection is told when the pool hands it
    out (timeouts, JIT, the compartment) is set in one place: tracker.db.configure_engine."""
    settings = settings or Settings()
    if database_url.startswith("sqlite"):
        return {"pool_timeout": settings.db_pool_timeout}
    # libpq counts whole seconds and treats anything below 2 as 2.
    connect_timeout = max(2, math.ceil(settings.db_connect_timeout))
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5,
            "pool_timeout": settings.db_pool_timeout,
            "connect_args": {"connect_timeout": connect_timeout}}


def _development_secret_key() -> str:
    """A random key kept under instance/, so development sessions survive a restart."""
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def make_test_config(database_url: str, **overrides) -> dict[str, object]:
    """Configuration for the test suite: a given database, cheap password hashing; `overrides`
    are further settings (e.g. db_statement_timeout=1.0)."""
    settings = Settings(
        tracker_env="test",
        secret_key="test-secret-key-" + "x" * 32,
        database_url=database_url,
        argon2_time_cost=1,
        argon2_memory_cost=8192,
        argon2_parallelism=1,
        attachment_dir=tempfile.mkdtemp(prefix="tracker-test-documents-"),
        tracker_audit_keys="test:test-audit-key-" + "x" * 32,
        **overrides,
    )
    settings.check()
    return settings.flask_config()
