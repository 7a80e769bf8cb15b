"""Links between the compartments, owned by the kernel so that neither imports the other.

The liaison officer links a liaison case to a consular request. The consular side learns only
that "the police liaison officer is involved", and only once the link is shared; the police
side reads the request's summary and status, and each such read is logged in the request's
own access history.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint, exists, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from flask_babel import gettext as _

from tracker.audit import service as audit
from tracker.cases import scope
from tracker.db import Base, UTCDateTime, utcnow
from tracker.extensions import db
from tracker.domain import FieldError


class ConsularLink(Base):
    """A liaison case linked to a consular request; the consular side sees it only if shared."""

    __tablename__ = "consular_links"
    __table_args__ = (UniqueConstraint("liaison_case_id", "consular_request_id",
                                       name="uq_consular_links_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    liaison_case_id: Mapped[int] = mapped_column(ForeignKey("liaison_cases.id"), index=True)
    consular_request_id: Mapped[int] = mapped_column(ForeignKey("consular_requests.id"),
                                                     index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    shared_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="when the consular side was told the liaison officer is involved")
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    liaison_case = relationship("LiaisonCase")
    consular_request = relationship("ConsularRequest")


LINKS = ConsularLink.__table__


def linked_to_an_open_liaison_case(case_id_column, reader):
    """Clause: the consular request is linked to a liaison case this reader may open."""
    from tracker.cases.models import Case, CaseKind  # late: models import this module's Base

    links, cases = LINKS.alias(), Case.__table__.alias()
    return exists(select(links.c.id).select_from(
        links.join(cases, cases.c.id == links.c.liaison_case_id)).where(
        links.c.consular_request_id == case_id_column,
        scope.kind_clause(CaseKind.LIAISON_CASE, reader, cases)))


def police_involved(request_id: int) -> bool:
    """What a consular page may know: whether a link was shared. Never which case."""
    count = db.session.execute(
        select(func.count()).select_from(LINKS).where(
            LINKS.c.consular_request_id == request_id, LINKS.c.shared_at.is_not(None))
    ).scalar_one()
    return count > 0


def link_consular_request(liaison_case, actor, reference: str) -> ConsularLink:
    """Link a consular request to a liaison case by its exact reference, and log the read.

    The liaison officer reads no consular request before linking it, so the lookup is the one
    place past the scope on this side; an unknown reference and one that names no consular
    request get the same answer.
    """
    from tracker.cases.models import Case, CaseKind

    from tracker.cases.references import parse_reference

    reference = parse_reference(reference) or (reference or "").strip().upper()[:20]
    with scope.unscoped("find a consular request by its exact reference to link it"):
        request_id = db.session.scalar(select(Case.id).where(
            Case.reference == reference, Case.kind == CaseKind.CONSULAR_REQUEST))
    if request_id is None:
        raise FieldError(_("No consular request has this reference."), "reference")
    if db.session.scalar(select(LINKS.c.id).where(
            LINKS.c.liaison_case_id == liaison_case.id,
            LINKS.c.consular_request_id == request_id)):
        raise FieldError(_("This request is linked already."), "reference")
    link = ConsularLink(liaison_case_id=liaison_case.id, consular_request_id=request_id,
                        created_by_id=actor.id)
    db.session.add(link)
    audit.record("liaison_case.consular_linked", object_type="liaison_case",
                 object_id=liaison_case.reference, actor=actor, details={"request": reference})
    record_linked_reads([reference], actor)
    return link


def record_linked_reads(references: list[str], reader) -> None:
    """A liaison officer read these requests' summary and status: it shows in their history."""
    for reference in references:
        audit.record("consular_request.viewed", object_type="consular_request",
                     object_id=reference, actor=reader, details={"through": "police link"})
