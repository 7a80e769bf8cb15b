"""The migrations are the schema: upgrade gives exactly the models, and every step reverses."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from tests.conftest import sibling_database
from tracker import create_app
from tracker.auth.models import User
from tracker.config import ROOT, make_test_config
from tracker.demo import load_demo
from tracker.unit_of_work import unit_of_work
from tracker.extensions import db

pytestmark = pytest.mark.own_database


@pytest.fixture
def empty_app(database_url, tmp_path):
    url = sibling_database(database_url, "migrations", tmp_path)
    app = create_app(make_test_config(url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _revisions():
    script = ScriptDirectory(str(ROOT / "migrations"))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _schema_differences():
    with db.engine.connect() as conn:
        return compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)


def test_upgrade_gives_exactly_the_models_schema(empty_app):
    upgrade()
    assert _schema_differences() == []


def test_every_revision_downgrades_and_upgrades_again_with_data(empty_app):
    revisions = _revisions()
    assert revisions, "no migrations found"
    upgrade()
    with unit_of_work():
        load_demo()
    users = db.session.scalar(select(func.count()).select_from(User))
    db.session.remove()
    for revision in reversed(revisions[1:]):
        downgrade(revision=revisions[revisions.index(revision) - 1])
        upgrade(revision=revision)
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    db.session.remove()
    downgrade(revision="base")
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade()
    assert _schema_differences() == []


def test_demo_data_loads_once(empty_app):
    upgrade()
    with unit_of_work():
        assert load_demo() > 0
    with unit_of_work():
        assert load_demo() == 0
