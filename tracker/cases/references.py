"""References read out on the phone: PREFIX-YEAR-NUMBER, e.g. ISB-2026-00123."""
from __future__ import annotations

import re

from sqlalchemy import update

from tracker.cases.models import ReferenceCounter
from tracker.db import insert_ignore
from tracker.extensions import db


# Three letters, a four-digit year, a number; any of space, dash, slash or dot between them.
_TYPED_REFERENCE = re.compile(r"([A-Za-z]{3})\s*[-/. ]?\s*([0-9]{4})\s*[-/. ]?\s*([0-9]{1,9})")


def parse_reference(text: str, digits: int = 5) -> str | None:
    """A reference typed loosely ("isb 2026 19", "ISB/2026/00019") in its stored form
    (ISB-2026-00019); None when the text is no reference. `digits`: the number's width in the
    references looked up (5 for consular requests, 4 for liaison cases)."""
    match = _TYPED_REFERENCE.fullmatch((text or "").strip())
    if match is None:
        return None
    prefix, year, number = match.groups()
    return f"{prefix.upper()}-{year}-{int(number):0{digits}d}"


def next_reference(prefix: str, year: int, digits: int = 5) -> str:
    """The next number for a prefix and year, without races between concurrent transactions.

    The counter row is created if missing (a conflicting insert is ignored), then incremented
    with UPDATE ... RETURNING: the row lock makes a second transaction wait for the first
    one's commit, so no number is handed out twice. It is the only lock taken here: writing
    audit rows takes none (they are sealed into the chain later), so nothing else is waited on.
    """
    db.session.execute(insert_ignore(ReferenceCounter, {"prefix": prefix, "year": year,
                                                        "last_number": 0}))
    number = db.session.scalar(
        update(ReferenceCounter)
        .where(ReferenceCounter.prefix == prefix, ReferenceCounter.year == year)
        .values(last_number=ReferenceCounter.last_number + 1)
        .returning(ReferenceCounter.last_number))
    return f"{prefix}-{year}-{number:0{digits}d}"
