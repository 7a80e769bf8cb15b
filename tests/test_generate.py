"""The volume generator: reproducible, consistent with the rules, and the app works on top."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from tests.conftest import sibling_database
from tracker import create_app
from tracker.audit.service import verify_chain
from tracker.cases.models import TimelineEvent
from tracker.config import make_test_config
from tracker.consular.models import ConsularRequest
from tracker.demo import load_demo
from tracker.unit_of_work import unit_of_work
from tracker.extensions import db
from tracker.generate import generate
from tracker.people.identifiers import canonical_identifier
from tracker.people.models import PersonIdentifier

pytestmark = pytest.mark.own_database


def _generated(url: str, seed: int) -> list[tuple]:
    app = create_app(make_test_config(url))
    with app.app_context():
        upgrade()
        with unit_of_work():
            load_demo()
        generate(300, seed, until=date(2026, 11, 1))
        # The demo requests go back 60 days from today; older ones are all generated.
        rows = db.session.execute(
            select(ConsularRequest.reference, ConsularRequest.status, ConsularRequest.category,
                   ConsularRequest.opened_at)
            .where(ConsularRequest.opened_at < datetime(2026, 9, 1, tzinfo=timezone.utc))
            .order_by(ConsularRequest.reference)).all()
        checks = {
            "requests": db.session.scalar(select(func.count()).select_from(ConsularRequest)),
            "timeline": db.session.scalar(select(func.count()).select_from(TimelineEvent)),
            "chain": verify_chain().whole,
            "identifiers": db.session.execute(
                select(PersonIdentifier.kind, PersonIdentifier.value).limit(200)).all(),
            # The planner's statistics were gathered at the end (ANALYZE).
            "analyzed": db.session.scalar(text(
                "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'cases'"
                if db.engine.dialect.name == "sqlite" else
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'cases' "
                "AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)")) > 0,
            "open_without_resolution": db.session.scalar(
                select(func.count()).select_from(ConsularRequest).where(
                    ConsularRequest.status.in_(["new", "in_progress", "waiting"]),
                    ConsularRequest.resolved_at.is_not(None))),
        }
        db.session.remove()
        db.engine.dispose()
    return rows, checks


def test_same_seed_same_data_and_every_rule_holds(database_url, tmp_path):
    first, checks = _generated(sibling_database(database_url, "generate_a", tmp_path), 7)
    second, _ = _generated(sibling_database(database_url, "generate_b", tmp_path), 7)
    assert first == second and len(first) >= 250
    assert checks["chain"], "generated history must leave the audit chain whole"
    assert checks["timeline"] > checks["requests"]
    assert checks["open_without_resolution"] == 0
    assert checks["analyzed"], "the generator gathers the planner's statistics at the end"
    for kind, value in checks["identifiers"]:
        assert canonical_identifier(kind, value, country="NO") == value
    references = [row[0] for row in first]
    assert len(set(references)) == len(references)
