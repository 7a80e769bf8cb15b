"""The embassy case tracker: create_app builds the Flask application."""
from __future__ import annotations

from typing import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker.config import INSTANCE, ROOT, Settings


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Configuration -> extensions -> blueprints -> error pages -> commands."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE),
    )
    app.config.from_mapping(Settings.from_env().flask_config() if config is None else config)
    from tracker.web import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added

    if app.config.get("PROXY_COUNT"):
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    _init_extensions(app)
    _register_blueprints(app)

    from tracker import errors, web

    errors.register(app)
    web.register(app)

    from tracker.cli import register_commands

    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from tracker import i18n
    from tracker.db import configure_engine
    from tracker.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["DB_TIMEOUTS"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True,
                    render_as_batch=True)
    csrf.init_app(app)
    i18n.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    # Sign-in redirects are made by tracker.auth.permissions.enforce_access; sessions are
    # checked on the server (tracker.auth.sessions), so Flask-Login's own protection is off.
    login_manager.session_protection = None

    # Import the models so that every table is known to the metadata and to Alembic.
    import tracker.audit.models  # noqa: F401
    import tracker.auth.models  # noqa: F401
    import tracker.auth.sessions  # noqa: F401  (registers the user loader)
    import tracker.cases.journal  # noqa: F401  (notes are immutable)
    import tracker.cases.models  # noqa: F401
    import tracker.consular.models  # noqa: F401
    import tracker.letters.models  # noqa: F401
    import tracker.consular.workflow  # noqa: F401  (registers the workflow)
    import tracker.people.models  # noqa: F401
    import tracker.police.models  # noqa: F401
    import tracker.police.workflow  # noqa: F401  (registers the workflow)
    import tracker.reports.models  # noqa: F401
    import tracker.retention.models  # noqa: F401
    import tracker.search.models  # noqa: F401
    import tracker.cases.links  # noqa: F401
    import tracker.consular.access  # noqa: F401  (registers the consular scope)
    import tracker.police.access  # noqa: F401  (registers the police scope)
    import tracker.notifications.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from tracker.audit.views import bp as audit_bp
    from tracker.auth.admin_views import bp as admin_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.consular.views import bp as consular_bp
    from tracker.consular.views import requests_bp as consular_requests_bp
    from tracker.letters.views import bp as letters_bp
    from tracker.main.views import bp as main_bp
    from tracker.notifications.views import bp as notifications_bp
    from tracker.police.views import bp as police_bp
    from tracker.police.views import cases_bp as police_cases_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.retention.views import bp as retention_bp

    for bp in (main_bp, auth_bp, admin_bp, audit_bp, consular_bp, consular_requests_bp,
               police_bp, police_cases_bp, reports_bp, notifications_bp, retention_bp,
               letters_bp):
        app.register_blueprint(bp)
