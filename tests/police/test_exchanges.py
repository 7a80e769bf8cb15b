"""Exchanges with counterparts: handling codes, the H3 restriction, 4x4 grading, documents;
the strictest code in force; the export for sharing, which never carries H2 material."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PDF_BYTES, make_document
from tests.police.helpers import (
    P,
    audit_rows,
    exchange_form,
    exchange_input,
    field_error,
    liaison,
    open_case,
    page,
    row_counts,
)
from tracker.cases import documents
from tracker.cases.models import Attachment
from tracker.extensions import db
from tracker.police import services
from tracker.police.categories import (
    Direction,
    ExchangeChannel,
    HandlingCode,
    InformationGrade,
    SourceGrade,
)
from tracker.police.models import Exchange

PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
             b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
             b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def officer(login_as):
    return login_as(P)


def exchanges(case) -> list[Exchange]:
    db.session.expire_all()
    return list(db.session.scalars(select(Exchange).where(Exchange.case_id == case.id)
                                   .order_by(Exchange.id)))


def post_exchange(officer, case, **fields):
    return officer.post(f"/police/cases/{case.reference}/exchanges", exchange_form(**fields))


# --- logging an exchange ------------------------------------------------------------------------


def test_log_an_exchange_with_everything(officer):
    case = open_case(officer.user)
    on = date.today() - timedelta(days=3)
    response = post_exchange(officer, case, exchanged_on=on.isoformat(), direction="sent",
                             channel="interpol", counterpart="NCB Islamabad",
                             summary="Asked for the suspect's entry records.",
                             handling_code="H1", source_grade="B", information_grade="2")
    assert response.status_code == 302
    [exchange] = exchanges(case)
    assert exchange.exchanged_on == on
    assert exchange.direction is Direction.SENT and exchange.channel is ExchangeChannel.INTERPOL
    assert exchange.counterpart == "NCB Islamabad"
    assert exchange.handling_code is HandlingCode.H1
    assert (exchange.source_grade, exchange.information_grade) == (SourceGrade.B,
                                                                    InformationGrade.TWO)
    assert exchange.created_by_id == officer.user.id
    rows = audit_rows(case.reference, "liaison_case.exchange_added")
    assert len(rows) == 1 and '"code": "H1"' in rows[0].details
    html = page(officer.get(f"/police/cases/{case.reference}"))
    assert "Asked for the suspect&#39;s entry records." in html
    assert "NCB Islamabad" in html and ">B2<" in html


def test_an_empty_date_is_today(officer):
    case = open_case(officer.user)
    assert post_exchange(officer, case).status_code == 302
    from tracker.cases.clock import office_today
    from tracker.db import utcnow

    assert exchanges(case)[0].exchanged_on == office_today(officer.user.office.time_zone,
                                                           utcnow())


@pytest.mark.parametrize("code", ["H0", "H1", "H2"])
def test_codes_without_a_restriction(officer, code):
    case = open_case(officer.user)
    assert post_exchange(officer, case, handling_code=code,
                         restriction="ignored unless H3").status_code == 302
    [exchange] = exchanges(case)
    assert exchange.handling_code.value == code and exchange.restriction is None


def test_h3_needs_its_restriction_stated(officer):
    case = open_case(officer.user)
    before = row_counts()
    for blank in ("", "   "):
        response = post_exchange(officer, case, handling_code="H3", restriction=blank)
        assert response.status_code == 422
        assert field_error(page(response), "restriction") == ["State the H3 restriction."]
        assert row_counts() == before
    response = post_exchange(officer, case, handling_code="H3",
                             restriction="Only for the Oslo prosecutor")
    assert response.status_code == 302
    assert exchanges(case)[0].restriction == "Only for the Oslo prosecutor"
    html = page(officer.get(f"/police/cases/{case.reference}"))
    assert "Restriction:</strong> Only for the Oslo prosecutor" in html


@pytest.mark.parametrize("code", ["", "H4", "h0", "H"])
def test_every_exchange_carries_a_handling_code(officer, code):
    case = open_case(officer.user)
    before = row_counts()
    response = post_exchange(officer, case, handling_code=code)
    assert response.status_code == 422
    assert field_error(page(response), "handling_code")
    assert row_counts() == before


def test_the_service_refuses_a_missing_code(app):
    officer = liaison()
    case = open_case(officer)
    for code in ("", None, "H5"):
        with pytest.raises(services.CaseError) as refused:
            services.add_exchange(case, officer, exchange_input(handling_code=code))
        assert refused.value.field == "handling_code"
        db.session.rollback()
    assert exchanges(case) == []


@pytest.mark.parametrize("source, information, error_field", [
    ("A", "", "information_grade"),
    ("", "3", "source_grade"),
    ("D", "1", "source_grade"),
    ("A", "5", "information_grade"),
])
def test_grading_is_both_or_neither(officer, source, information, error_field):
    case = open_case(officer.user)
    before = row_counts()
    response = post_exchange(officer, case, source_grade=source, information_grade=information)
    assert response.status_code == 422
    assert field_error(page(response), error_field)
    assert row_counts() == before


@pytest.mark.parametrize("source", list(SourceGrade))
@pytest.mark.parametrize("information", list(InformationGrade))
def test_every_4x4_grade(app, source, information):
    officer = liaison()
    case = open_case(officer)
    exchange = services.add_exchange(case, officer, exchange_input(
        source_grade=source.value, information_grade=information.value))
    assert (exchange.source_grade, exchange.information_grade) == (source, information)


@pytest.mark.parametrize("field, value", [
    ("counterpart", ""), ("summary", "  "), ("direction", "sideways"), ("channel", "pigeon"),
    ("exchanged_on", "2026-02-30"), ("exchanged_on", "yesterday"),
])
def test_required_and_known_fields(officer, field, value):
    case = open_case(officer.user)
    before = row_counts()
    response = post_exchange(officer, case, **{field: value})
    assert response.status_code == 422
    assert field_error(page(response), field), page(response)
    assert row_counts() == before


def test_a_date_in_the_future_is_refused(officer):
    case = open_case(officer.user)
    before = row_counts()
    response = post_exchange(officer, case,
                             exchanged_on=(date.today() + timedelta(days=2)).isoformat())
    assert response.status_code == 422
    assert field_error(page(response), "exchanged_on") == ["The date is in the future."]
    assert row_counts() == before


# --- documents with an exchange ---------------------------------------------------------------


def test_a_document_goes_with_the_exchange(officer):
    case = open_case(officer.user)
    data = exchange_form(summary="Photo of the passport page")
    data["document"] = (io.BytesIO(PNG_BYTES), "passport page.png")
    response = officer.post(f"/police/cases/{case.reference}/exchanges", data,
                            content_type="multipart/form-data")
    assert response.status_code == 302
    [exchange] = exchanges(case)
    [document] = exchange.documents
    assert document.content_type == "image/png" and document.filename == "passport page.png"
    html = page(officer.get(f"/police/cases/{case.reference}"))
    url = f"/police/cases/{case.reference}/documents/{document.id}"
    assert url in html
    download = officer.get(url)
    assert download.status_code == 200 and download.data == PNG_BYTES


def test_a_document_that_is_not_what_it_says_is_refused_and_nothing_is_saved(officer):
    """Type checked by content: a script called .pdf is refused, and the exchange with it."""
    case = open_case(officer.user)
    before = row_counts()
    data = exchange_form(summary="Comes with a fake PDF")
    data["document"] = (io.BytesIO(b"#!/bin/sh\nrm -rf /\n"), "report.pdf")
    response = officer.post(f"/police/cases/{case.reference}/exchanges", data,
                            content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_error(page(response), "document")
    assert row_counts() == before
    assert exchanges(case) == []


def test_a_document_that_fails_after_it_was_stored_takes_the_exchange_with_it(
        app, officer, monkeypatch):
    """One unit of work: the document's half failing leaves nothing of the exchange's half
    (no exchange, timeline entry, audit row, document row or stored file)."""
    case = open_case(officer.user)
    before = row_counts()
    folder = Path(app.config["ATTACHMENT_DIR"])
    files = set(os.listdir(folder)) if folder.exists() else set()
    store = documents.add_document

    def stored_then_refused(*args, **kwargs):
        store(*args, **kwargs)  # the file is written and its row flushed
        raise documents.DocumentError("The document store refused it.")

    monkeypatch.setattr(services.documents, "add_document", stored_then_refused)
    data = exchange_form(summary="Comes with a document that fails late")
    data["document"] = (io.BytesIO(PNG_BYTES), "passport page.png")
    response = officer.post(f"/police/cases/{case.reference}/exchanges", data,
                            content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_error(page(response), "document")
    assert row_counts() == before
    assert exchanges(case) == []
    assert audit_rows(case.reference, "liaison_case.exchange_added") == []
    assert (set(os.listdir(folder)) if folder.exists() else set()) == files


def test_an_empty_document_field_is_no_document(officer):
    case = open_case(officer.user)
    data = exchange_form()
    data["document"] = (io.BytesIO(b""), "")
    response = officer.post(f"/police/cases/{case.reference}/exchanges", data,
                            content_type="multipart/form-data")
    assert response.status_code == 302
    assert exchanges(case)[0].documents == []


# --- the strictest code in force --------------------------------------------------------------


@pytest.mark.parametrize("codes, strictest", [
    ([], None),
    (["H0"], "H0"),
    (["H0", "H1"], "H1"),
    (["H1", "H3", "H0"], "H3"),
    (["H3", "H2", "H1"], "H2"),
    (["H2", "H0"], "H2"),
])
def test_the_case_shows_the_strictest_code_in_force(officer, codes, strictest):
    case = open_case(officer.user)
    for code in codes:
        services.add_exchange(case, officer.user, exchange_input(
            handling_code=code, restriction="Not to the press" if code == "H3" else None,
            summary=f"Message under {code}"))
    db.session.expire_all()
    html = page(officer.get(f"/police/cases/{case.reference}"))
    if strictest is None:
        assert "Strictest handling code" not in html
    else:
        assert f"Strictest handling code in force: {strictest}" in html
    # Each exchange shows its own code.
    shown = re.findall(r'<span class="badge badge-code-(H\d)" title="[^"]*">H\d</span>',
                       html.split('id="exchanges"', 1)[1].split("</section>")[0])
    assert sorted(shown) == sorted(codes)


def test_the_order_of_strictness():
    order = sorted(HandlingCode, key=lambda c: c.strictness)
    assert [c.value for c in order] == ["H0", "H1", "H3", "H2"]
    assert [c.may_leave_compartment for c in HandlingCode] == [True, True, False, True]


def test_the_list_shows_the_strictest_code(officer):
    case = open_case(officer.user)
    services.add_exchange(case, officer.user, exchange_input(handling_code="H1"))
    services.add_exchange(case, officer.user, exchange_input(handling_code="H2"))
    html = page(officer.get("/police/"))
    row = re.search(rf"{case.reference}.*?</tr>", html, re.S).group(0)
    assert 'badge-code-H2">H2<' in row


# --- export for sharing ----------------------------------------------------------------------


SECRET = "H2-MARKER-7f3a91 informant says the shipment moves Friday"


@pytest.fixture
def coded_case(officer):
    case = open_case(officer.user, operation_name="Tøyenløftet", agency_reference="K-17")
    for code, summary, restriction in [
            ("H0", "H0-MARKER seized 4 kg at Karachi port", None),
            ("H1", "H1-MARKER bank records from Lahore", None),
            ("H2", SECRET, None),
            ("H3", "H3-MARKER witness statement", "Not to be shown to the defence"),
            ("H2", "H2-SECOND-MARKER another secret", None)]:
        services.add_exchange(case, officer.user, exchange_input(
            handling_code=code, summary=summary, restriction=restriction,
            source_grade="A" if code == "H1" else None,
            information_grade="1" if code == "H1" else None))
    services.add_notice(case, officer.user, "red", "A-123/4-2026")
    return case


def test_the_export_never_carries_h2_material(officer, coded_case):
    response = officer.get(f"/police/cases/{coded_case.reference}/export")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"{coded_case.reference}-for-sharing.txt" in disposition
    text = page(response)
    assert "H2-MARKER-7f3a91" not in text and "shipment moves Friday" not in text
    assert "H2-SECOND-MARKER" not in text
    for marker in ("H0-MARKER", "H1-MARKER", "H3-MARKER"):
        assert marker in text, marker
    assert "3 included, 2 withheld under H2" in text
    assert "H3 – other restrictions (stated): Not to be shown to the defence" in text
    assert coded_case.reference in text and "Heroin shipment via Karachi port" in text
    assert "Red Notice A-123/4-2026" in text
    assert "Tøyenløftet" in text
    assert "graded A1" in text
    assert "&#39;" not in text and "&amp;" not in text  # plain text, not HTML-escaped


def test_the_export_is_logged_and_shows_on_the_viewer_list(officer, coded_case):
    officer.get(f"/police/cases/{coded_case.reference}/export")
    rows = audit_rows(coded_case.reference, "liaison_case.exported")
    assert len(rows) == 1 and rows[0].actor_id == officer.user.id
    html = page(officer.get(f"/police/cases/{coded_case.reference}"))
    viewers = html.split("Who opened this case", 1)[1]
    assert f"{officer.user.email} · exported it" in viewers


def test_an_export_without_h2_says_nothing_was_withheld(officer):
    case = open_case(officer.user)
    services.add_exchange(case, officer.user, exchange_input(summary="Only H0 here"))
    text = page(officer.get(f"/police/cases/{case.reference}/export"))
    assert "1 included)" in text and "withheld" not in text.split("Exchanges", 1)[1]


def test_an_all_h2_case_exports_no_exchange(officer):
    case = open_case(officer.user)
    services.add_exchange(case, officer.user, exchange_input(handling_code="H2",
                                                             summary=SECRET))
    text = page(officer.get(f"/police/cases/{case.reference}/export"))
    assert SECRET not in text and "H2-MARKER" not in text
    assert "0 included, 1 withheld under H2" in text


def test_shareable_exchanges(app):
    officer = liaison()
    case = open_case(officer)
    for code in ("H2", "H0", "H2", "H3", "H1"):
        services.add_exchange(case, officer, exchange_input(
            handling_code=code, restriction="stated" if code == "H3" else None))
    db.session.expire_all()
    allowed, withheld = services.shareable_exchanges(db.session.get(type(case), case.id))
    assert sorted(e.handling_code.value for e in allowed) == ["H0", "H1", "H3"]
    assert withheld == 2


def test_a_document_of_an_h2_exchange_is_not_in_the_export(officer):
    case = open_case(officer.user)
    exchange = services.add_exchange(case, officer.user, exchange_input(
        handling_code="H2", summary=SECRET))
    document = make_document(case, officer.user, PDF_BYTES, "informant-h2-note.pdf")
    exchange.documents.append(db.session.get(Attachment, document.id))
    db.session.commit()
    text = page(officer.get(f"/police/cases/{case.reference}/export"))
    assert "informant-h2-note" not in text and SECRET not in text
