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


_PREFIX_NUMBER = re.compile(r"([A-Za-z]{3})\s*[-/. ]?\s*([0-9]{1,9})")
_YEAR_NUMBER = re.compile(r"([0-9]{4})\s*[-/. ]\s*([0-9]{1,9})")
_NUMBER = re.compile(r"[0-9]{1,9}")


def reference_parts(text: str) -> list[tuple[str | None, str | None, int | None]]:
    """What a part of a reference says, as (prefix, year, number), None where it says nothing:
    "isb 16" (any year), "2026-16" (any office), "00016" or "16" (the number alone); "isb 2026"
    also means that office's year. A whole reference is `parse_reference`'s; a part too short
    to tell anything gives nothing."""
    text = (text or "").strip()
    if parse_reference(text):
        return []
    if match := _PREFIX_NUMBER.fullmatch(text):
        prefix, number = match.group(1).upper(), match.group(2)
        parts = [(prefix, None, int(number))] if int(number) else []
        if len(number) == 4 and 2000 <= int(number) <= 2099:  # a year, as far as it may be
            parts.append((prefix, number, None))
        return parts
    if match := _YEAR_NUMBER.fullmatch(text):
        return [(None, match.group(1), int(match.group(2)))] if int(match.group(2)) else []
    if _NUMBER.fullmatch(text) and int(text) > 0:
        return [(None, None, int(text))]
    return []
