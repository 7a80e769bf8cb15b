"""Each StrEnum column allows, in the migrated database, exactly the enum's values.

`enum_column` stores an enum by value in a VARCHAR with a CHECK constraint. Alembic's
comparison (`flask db check`, tests/test_migrations.py) does not look inside CHECK constraints,
so a member added to an enum without a migration would pass every schema test and then be
refused by the database when first saved. This reads each constraint the migrations made.
"""
from __future__ import annotations

import re
from enum import StrEnum

import pytest
from flask_migrate import upgrade
from sqlalchemy import Enum, inspect

from tests.conftest import sibling_database
from tracker import create_app
from tracker.config import make_test_config
from tracker.extensions import db

pytestmark = pytest.mark.own_database

QUOTED = re.compile(r"'((?:[^']|'')*)'")


@pytest.fixture
def migrated_app(database_url, tmp_path):
    url = sibling_database(database_url, "enum_checks", tmp_path)
    app = create_app(make_test_config(url))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def enum_columns():
    """(table, column, enum class, constraint name) for every StrEnum column in the models."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            kind = column.type
            if isinstance(kind, Enum) and kind.enum_class and issubclass(kind.enum_class, StrEnum):
                yield table.name, column.name, kind.enum_class, f"ck_{table.name}_{kind.name}"


def allowed_values(sqltext: str) -> set[str]:
    """The quoted values of `col IN ('a', 'b')` (SQLite) or `col = ANY (ARRAY['a', 'b'])`
    (PostgreSQL)."""
    return {value.replace("''", "'") for value in QUOTED.findall(sqltext)}


def mismatches() -> list[str]:
    inspector = inspect(db.engine)
    checks = {table: {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
              for table in inspector.get_table_names()}
    wrong = []
    for table, column, enum_cls, name in enum_columns():
        sqltext = checks.get(table, {}).get(name)
        if sqltext is None:
            wrong.append(f"{table}.{column}: no CHECK constraint {name} for {enum_cls.__name__}")
            continue
        if not re.search(rf"\b{column}\b", sqltext):
            wrong.append(f"{table}.{column}: {name} does not check this column: {sqltext}")
        allowed, values = allowed_values(sqltext), {member.value for member in enum_cls}
        if allowed != values:
            wrong.append(f"{table}.{column} ({enum_cls.__name__}): the database also allows "
                         f"{sorted(allowed - values)} and refuses {sorted(values - allowed)}")
    return wrong


def test_every_enum_column_allows_exactly_its_enum_values(migrated_app):
    assert len(list(enum_columns())) >= 30  # the models' enum columns were found
    assert mismatches() == []


def test_a_member_missing_from_the_migrations_is_caught(migrated_app, monkeypatch):
    """The check can fail: an enum with one member more than its migration allows."""
    from tracker.auth import models

    grown = StrEnum("Role", {**{m.name: m.value for m in models.Role}, "AUDITOR": "auditor"})
    role_type = models.User.__table__.c.role.type
    monkeypatch.setattr(role_type, "enum_class", grown)
    assert mismatches() == ["users.role (Role): the database also allows [] and refuses "
                            "['auditor']"]
