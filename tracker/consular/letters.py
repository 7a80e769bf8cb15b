"""What a letter may say about a consular request (tracker/letters fills in the rest)."""
from __future__ import annotations

from tracker.cases.registry import LetterFacts
from tracker.consular.models import ConsularRequest


def letter_facts(request: ConsularRequest) -> LetterFacts:
    """The request's category and subjects, read through the reader's scope, in the language
    the caller has chosen (labels are said when they are made into text here)."""
    subjects = list(request.subjects)
    identifiers = [f"{identifier.kind.label} {identifier.shown}"
                   for person in subjects for identifier in person.identifiers]
    return LetterFacts(category=request.category.value, category_label=str(request.category.label),
                       subject_name=", ".join(person.full_name for person in subjects),
                       subject_identifiers="; ".join(identifiers))
