"""Retention periods: defaults, and the one place they are read and changed.

The defaults are what the migration seeds (0019_retention). They are a starting point for the
data-protection officer, who sets the periods (an administrator enters them); the reasons are
in README.md, "Personal data", "Retention".
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.audit import service as audit
from tracker.consular.categories import Category
from tracker.db import utcnow
from tracker.domain import FieldError, StaleRecord
from tracker.extensions import db
from tracker.people.models import Compartment
from tracker.police.categories import PoliceCategory
from tracker.retention.models import RetentionRule

# Years after closing, per consular category.
CONSULAR_DEFAULTS: dict[str, int] = {
    Category.PASSPORT: 5, Category.NATIONAL_ID: 5, Category.DEATH: 10, Category.ARREST: 10,
    Category.HOSPITALISATION: 5, Category.VICTIM_OF_CRIME: 10, Category.MISSING_PERSON: 10,
    Category.REPORT_OF_CONCERN: 10, Category.FINANCIAL_DISTRESS: 10, Category.ADVICE: 2,
    Category.NOTARIAL: 5, Category.OTHER: 2,
}
# Years after closing, per police case kind: the police register rules' ordinary limit.
POLICE_DEFAULTS: dict[str, int] = {kind.value: 10 for kind in PoliceCategory}
DEFAULTS: dict[Compartment, dict[str, int]] = {
    Compartment.CONSULAR: {str(k): v for k, v in CONSULAR_DEFAULTS.items()},
    Compartment.POLICE: POLICE_DEFAULTS,
}
MIN_YEARS, MAX_YEARS = 1, 100


class RuleError(FieldError):
    """A retention period that cannot be set."""


def category_label(compartment: Compartment, category: str) -> str:
    """The category's or case kind's label, in the reader's language."""
    if compartment is Compartment.CONSULAR:
        return Category(category).label
    return PoliceCategory(category).label


def rules() -> list[RetentionRule]:
    """Every rule, consular first, in the order of the categories' lists."""
    order = {(Compartment.CONSULAR, str(c)): i for i, c in enumerate(Category)}
    order |= {(Compartment.POLICE, k.value): 100 + i for i, k in enumerate(PoliceCategory)}
    found = db.session.scalars(select(RetentionRule)).all()
    return sorted(found, key=lambda r: order.get((r.compartment, r.category), 999))


@dataclass(frozen=True)
class RuleChange:
    rule: RetentionRule
    before: int


def set_years(rule: RetentionRule, years: int | None, actor, *, version: int | None) -> RuleChange:
    """Change one rule's period (audited with before and after); flushes, never commits."""
    if version is not None and version != rule.version:
        raise StaleRecord(_("Someone changed this period after you opened the page: nothing "
                            "was saved."))
    if years is None or not MIN_YEARS <= years <= MAX_YEARS:
        raise RuleError(_("Give a whole number of years from %(low)d to %(high)d.",
                          low=MIN_YEARS, high=MAX_YEARS), "years")
    before = rule.years
    if years != before:
        rule.years = years
        rule.changed_at = utcnow()
        rule.changed_by_id = actor.id if actor is not None else None
        audit.record("retention_rule.changed", object_type="retention_rule", object_id=rule.key,
                     actor=actor, details={"years_before": before, "years_after": years})
        db.session.flush()
    return RuleChange(rule, before)
