"""Settings come from the environment; production refuses to start unsafe."""
from __future__ import annotations

import pytest

from tracker import create_app
from tracker.config import ConfigError, Settings

PRODUCTION = {"TRACKER_ENV": "production", "SECRET_KEY": "s" * 48,
              "DATABASE_URL": "postgresql+psycopg://tracker@db/tracker",
              "TRACKER_AUDIT_KEYS": "k1:" + "a" * 48,
              "TRACKER_BACKUP_KEY": "QkFDS1VQLUtFWS1GT1ItVEVTVFMtT05MWS0zMi1CWVQ="}


def test_defaults_are_safe_for_development():
    settings = Settings.from_env({})
    config = settings.flask_config()
    assert settings.tracker_env == "development"
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["SQLALCHEMY_DATABASE_URI"].endswith("instance/tracker.sqlite3")
    assert config["SESSION_IDLE_MINUTES"] == 15 and config["SESSION_ABSOLUTE_HOURS"] == 8
    assert config["LOGIN_FAILURES_PER_MINUTE"] == 5
    assert config["LOGIN_RATE_LIMIT"] == "60 per minute"


def test_values_are_typed():
    settings = Settings.from_env({"SESSION_IDLE_MINUTES": "30", "FLASK_DEBUG": "1",
                                  "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    assert settings.session_idle_minutes == 30 and settings.debug is True
    with pytest.raises(ConfigError):
        Settings.from_env({"SESSION_IDLE_MINUTES": "a while"})
    with pytest.raises(ConfigError):
        Settings.from_env({"TRACKER_ENV": "staging"})


@pytest.mark.parametrize("change, message", [
    ({"SECRET_KEY": ""}, "SECRET_KEY"),
    ({"SECRET_KEY": "too-short"}, "SECRET_KEY"),
    ({"FLASK_DEBUG": "true"}, "debug"),
    ({"DATABASE_URL": ""}, "DATABASE_URL"),
    ({"TRACKER_AUDIT_KEYS": ""}, "TRACKER_AUDIT_KEYS"),
    ({"TRACKER_AUDIT_KEYS": "k1:too-short"}, "TRACKER_AUDIT_KEYS"),
    ({"TRACKER_BACKUP_KEY": ""}, "TRACKER_BACKUP_KEY must be set"),
    ({"TRACKER_BACKUP_KEY": "c2hvcnQ="}, "TRACKER_BACKUP_KEY must be 32"),
])
def test_production_refuses_to_start_unsafe(monkeypatch, change, message):
    for name, value in {**PRODUCTION, **change}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        create_app()


def test_production_settings():
    config = Settings.from_env(PRODUCTION).flask_config()
    assert config["HSTS"] is True and config["TOTP_REQUIRED"] is True
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_sqlite_connections_are_set_up(app):
    from sqlalchemy import text

    from tracker.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert db.session.scalar(text("PRAGMA foreign_keys")) == 1
    assert db.session.scalar(text("PRAGMA journal_mode")) == "wal"
    assert db.session.scalar(text("PRAGMA busy_timeout")) >= 5000
