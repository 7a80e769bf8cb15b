"""Letters on a consular request: filled in only from what the officer reads, downloaded as
DOCX or filed on the request as a document."""
from __future__ import annotations

import re

import pytest
from babel.dates import format_date
from sqlalchemy import select

from tests.conftest import (
    audit_rows,
    count,
    make_letter_template,
    make_liaison_case,
    make_office,
    make_request,
    make_user,
    timeline,
)
from tests.consular.helpers import a_passport, fnr, person_with_id
from tests.letters.helpers import docx_text
from tracker.auth.models import Role
from tracker.cases.clock import office_today
from tracker.cases.models import Attachment, TimelineKind
from tracker.db import utcnow
from tracker.extensions import db
from tracker.letters import drafting
from tracker.letters.drafting import DOCX_TYPE

# Every placeholder, each on a line of its own, labelled, so the test can read each back.
EVERYTHING = tuple(f"{name}: {{{{ {name} }}}}" for name in drafting.PLACEHOLDERS)


@pytest.fixture
def office():
    return make_office(name="Royal Norwegian Embassy, Islamabad (letters)",
                       address="Diplomatic Enclave\nIslamabad")


@pytest.fixture
def officer(login_as, office):
    return login_as(Role.CONSULAR_OFFICER, office=office, display_name="Solveig Brevskriver")


@pytest.fixture
def request_(officer, office):
    subject = person_with_id("Kari Markørsen", "norwegian_id", fnr(7))
    return make_request(office=office, officer=officer.user, category="death:repatriation",
                        subject=subject)


def letter_url(case) -> str:
    return f"/consular/requests/{case.reference}/letters"


def lines(content: bytes) -> dict[str, str]:
    """The letter's "name: value" lines, as python-docx reads them back."""
    found = {}
    for line in docx_text(content).splitlines():
        name, _, value = line.partition(": ")
        found.setdefault(name, value)
    return found


def test_the_letter_is_filled_in_from_the_request_and_downloaded_as_docx(officer, request_):
    template = make_letter_template(paragraphs=EVERYTHING)
    page = officer.get(letter_url(request_)).get_data(as_text=True)
    assert "Letter to the family (English)" in page
    response = officer.post(letter_url(request_), {"template": template.id,
                                                   "action": "download"})
    assert response.status_code == 200
    assert response.mimetype == DOCX_TYPE
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    got = lines(response.data)
    today = office_today(request_.office.time_zone, utcnow())
    assert got["reference"] == request_.reference
    assert got["category"] == "Death abroad"
    assert got["subject_name"] == "Kari Markørsen"
    assert fnr(7) in got["subject_identifiers"].replace(" ", "")
    assert got["office_name"] == "Royal Norwegian Embassy, Islamabad (letters)"
    assert got["office_address"] == "Diplomatic Enclave"  # the next line is the second one
    assert "Islamabad" in docx_text(response.data).split("office_address: ")[1].splitlines()[1]
    assert got["today"] == format_date(today, format="long", locale="en")
    assert got["officer_name"] == "Solveig Brevskriver"
    [row] = audit_rows(request_.reference, "consular_request.letter_downloaded")
    assert row.actor_id == officer.user.id
    assert count(Attachment, Attachment.case_id == request_.id) == 0  # not filed


def test_a_norwegian_letter_says_the_category_and_date_in_bokmal(officer, request_):
    template = make_letter_template(language="nb", paragraphs=EVERYTHING)
    response = officer.post(letter_url(request_), {"template": template.id,
                                                   "action": "download"})
    got = lines(response.data)
    assert got["category"] == "Dødsfall i utlandet"
    today = office_today(request_.office.time_zone, utcnow())
    assert got["today"] == format_date(today, format="long", locale="nb")
    assert re.search(r"\d+\. \w+ \d{4}", got["today"])  # "1. desember 2026"


def test_names_are_text_in_the_letter_never_word_markup(officer, office):
    subject = person_with_id("Ås & <Sønn> \"Ltd\"", "passport", a_passport(3))
    case = make_request(office=office, officer=officer.user, subject=subject)
    template = make_letter_template(paragraphs=EVERYTHING)
    response = officer.post(letter_url(case), {"template": template.id, "action": "download"})
    assert response.status_code == 200
    assert lines(response.data)["subject_name"] == "Ås & <Sønn> \"Ltd\""


def test_filing_the_letter_puts_it_on_the_request_with_its_template_version(officer, request_):
    first = make_letter_template(paragraphs=("Old wording for {{ reference }}",))
    response = officer.post(letter_url(request_), {"template": first.id, "action": "file"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/consular/requests/{request_.reference}"
                                                  "#documents")
    # A new version later does not change the letter filed from the old one.
    second = make_letter_template(paragraphs=("New wording for {{ reference }}",))
    assert second.version == first.version + 1
    db.session.expire_all()
    [filed] = db.session.scalars(select(Attachment).where(Attachment.case_id == request_.id))
    assert filed.letter_template_id == first.id
    assert filed.content_type == DOCX_TYPE
    assert filed.filename == f"Letter to the family {request_.reference}.docx"
    assert [e.kind for e in timeline(request_)][-1] is TimelineKind.DOCUMENT_ADDED
    [row] = audit_rows(request_.reference, "consular_request.letter_filed")
    assert row.actor_id == officer.user.id
    assert audit_rows(request_.reference, "consular_request.document_added")
    download = officer.get(f"/consular/requests/{request_.reference}/documents/{filed.id}")
    assert docx_text(download.data) == f"Old wording for {request_.reference}"
    page = officer.get(f"/consular/requests/{request_.reference}").get_data(as_text=True)
    assert filed.filename in page
    assert "Letter from the template Letter to the family, version 1" in page


def test_only_templates_for_the_requests_category_or_any_are_offered(officer, request_):
    offered = make_letter_template(name="For deaths", category="death")
    other = make_letter_template(name="For passports", category="passport")
    page = officer.get(letter_url(request_)).get_data(as_text=True)
    assert "For deaths" in page and "For passports" not in page
    response = officer.post(letter_url(request_), {"template": other.id, "action": "file"})
    assert response.status_code == 422
    assert "Choose one of the templates listed." in response.get_data(as_text=True)
    assert count(Attachment, Attachment.case_id == request_.id) == 0
    # An older version is not offered either: the newest of each template is.
    newer = make_letter_template(name="For deaths", category="death")
    response = officer.post(letter_url(request_), {"template": offered.id, "action": "file"})
    assert response.status_code == 422
    assert officer.post(letter_url(request_), {"template": newer.id,
                                               "action": "file"}).status_code == 302


def test_no_template_chosen_is_a_message_beside_the_field(officer, request_):
    make_letter_template()
    response = officer.post(letter_url(request_), {"template": "", "action": "download"})
    assert response.status_code == 422
    assert re.search(r'id="template-error-1">.*Choose a template\.', response.get_data(
        as_text=True))


def test_without_templates_the_page_says_so(officer, request_):
    page = officer.get(letter_url(request_)).get_data(as_text=True)
    assert "No letter templates are offered for this category yet." in page


def test_an_officer_of_another_office_gets_404(login_as, request_):
    template = make_letter_template()
    outsider = login_as(Role.CONSULAR_OFFICER, office=make_office())
    assert outsider.get(letter_url(request_)).status_code == 404
    assert outsider.post(letter_url(request_), {"template": template.id,
                                                "action": "download"}).status_code == 404
    assert outsider.post(letter_url(request_), {"template": template.id,
                                                "action": "file"}).status_code == 404
    assert count(Attachment, Attachment.case_id == request_.id) == 0


def test_the_police_liaison_officer_gets_no_consular_letter(login_as, request_):
    template = make_letter_template()
    liaison = login_as(Role.POLICE_LIAISON_OFFICER)
    make_liaison_case(liaison.user, link_to=request_)
    assert liaison.post(letter_url(request_), {"template": template.id,
                                               "action": "download"}).status_code == 403


def test_no_police_word_reaches_a_consular_letter(officer, request_):
    """The request is linked to a liaison case: nothing of it is in the letter."""
    liaison = make_user(Role.POLICE_LIAISON_OFFICER)
    case, party, _link = make_liaison_case(liaison, link_to=request_,
                                           title="Operation Brevdue heroin route")
    template = make_letter_template(paragraphs=EVERYTHING)
    response = officer.post(letter_url(request_), {"template": template.id,
                                                   "action": "download"})
    text = docx_text(response.data)
    for police_word in (case.reference, "Operation Brevdue", "Liam Testsson", "heroin",
                        "Polismyndigheten", "child_abduction", "Child abduction", "POL-"):
        assert police_word not in text


def test_the_address_an_administrator_gives_the_office_is_on_its_letters(login_as, officer,
                                                                         office, request_):
    admin = login_as(Role.ADMINISTRATOR)
    form = {"code": office.code, "name": office.name, "kind": "embassy",
            "time_zone": "Asia/Karachi", "active": "y", "version": str(office.version)}
    too_long = admin.post(f"/admin/offices/{office.id}", {**form, "address": "x" * 501})
    assert too_long.status_code == 422
    assert re.search(r'id="address-error-1">', too_long.get_data(as_text=True))
    saved = admin.post(f"/admin/offices/{office.id}",
                       {**form, "address": "  Sector G-5  \r\n\r\nDiplomatic   Enclave\r\n"})
    assert saved.status_code == 302
    [row] = audit_rows(office.id, "office.updated")
    assert "address" in row.details
    template = make_letter_template(paragraphs=("{{ office_address }}",))
    response = officer.post(letter_url(request_), {"template": template.id,
                                                   "action": "download"})
    assert docx_text(response.data) == "Sector G-5\nDiplomatic Enclave"


def test_an_officer_who_reads_every_office_but_does_not_serve_this_one_writes_no_letter(
        login_as, request_):
    """Reading a request is not enough: a letter speaks for the office that works it."""
    template = make_letter_template()
    reader = login_as(Role.CONSULAR_OFFICER, office=make_office(), reads_all_offices=True)
    assert reader.get(f"/consular/requests/{request_.reference}").status_code == 200
    assert reader.get(letter_url(request_)).status_code == 404
    assert reader.post(letter_url(request_), {"template": template.id,
                                              "action": "download"}).status_code == 404
    page = reader.get(f"/consular/requests/{request_.reference}").get_data(as_text=True)
    assert "Write a letter" not in page
