"""The one search box, done by the database: references in any notation or part, identifiers,
names in any folded spelling or abbreviation, words of summaries, places, notes, contacts and
document names; ranked, marked, current after every change, and never past the reader's scope.
Runs alike on SQLite (FTS5) and PostgreSQL (tsvector, pg_trgm): TEST_DATABASE_URL picks."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.conftest import make_document, make_office, make_person, make_request, make_user
from tests.police.helpers import open_case, police_person
from tracker.auth.models import OfficeKind, Role
from tracker.cases import journal, scope
from tracker.cases.documents import remove_document
from tracker.consular import services as consular
from tracker.extensions import db
from tracker.people import services as people
from tracker.police import services as police
from tracker.search import schema
from tracker.search.highlight import Terms, highlight

C, M, P = Role.CONSULAR_OFFICER, Role.MANAGER, Role.POLICE_LIAISON_OFFICER
ROW = re.compile(r'<a href="/consular/requests/([A-Z]{3}-\d{4}-\d{5})">\1</a>')
MARKER = "Quetzalcoatl"  # a word no demo text has


def found(reader, query: str) -> list[str]:
    """References of the consular requests the reader's search finds, best first."""
    with scope.reading_as(reader):
        return [r.case.reference for r in consular.search_results(query)]


def found_police(reader, query: str) -> list[str]:
    with scope.reading_as(reader):
        return [r.case.reference for r in police.search_results(query)]


def hits(reader, query: str, search=consular.search_results) -> dict[str, list[tuple]]:
    with scope.reading_as(reader):
        return {r.case.reference: [(h.field, str(h.text)) for h in r.hits]
                for r in search(query)}


@pytest.fixture
def office(app):
    return make_office(kind=OfficeKind.EMBASSY)


@pytest.fixture
def officer(office):
    return make_user(C, office=office)


@pytest.fixture
def request_(officer):
    subject = make_person("Muhammad Chaudhry")
    return make_request(office=officer.office, officer=officer, subject=subject,
                        summary="Report of concern: forced marriage feared")


# --- each form of the search ----------------------------------------------------------------


def test_a_reference_in_any_notation_or_part(officer, request_):
    prefix, year, number = request_.reference.split("-")
    for typed in (number, str(int(number)), f"{prefix.lower()} {int(number)}",
                  f"{prefix}-{year}-{int(number)}", f"{year}-{int(number)}",
                  f"{prefix} {year}", request_.reference.lower()):
        assert request_.reference in found(officer, typed), typed


def test_a_whole_reference_goes_straight_to_the_request(login_as, request_):
    client = login_as(C, office=request_.office)
    prefix, year, number = request_.reference.split("-")
    response = client.get("/consular/search", query_string={"q": f"{prefix} {year} {int(number)}"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/consular/requests/{request_.reference}")


def test_a_part_of_a_reference_finds_only_that_number(officer, request_):
    other = make_request(office=officer.office, officer=officer, summary="Something else")
    number = request_.reference.split("-")[2]
    assert found(officer, number) == [request_.reference]
    assert other.reference in found(officer, other.reference.split("-")[2])


@pytest.mark.parametrize("typed", ["Muhammad Chaudhry", "Mohd Chaudhri", "Md. Chaudhry",
                                   "MOHAMMED CHAUDHARY", "muhd", "chaudhry"])
def test_a_name_in_any_spelling_or_abbreviation(officer, request_, typed):
    assert request_.reference in found(officer, typed)


def test_a_name_abbreviated_when_stored_is_found_by_the_full_spelling(officer):
    abbreviated = make_request(office=officer.office, officer=officer,
                               subject=make_person("Md. Imran Qureshi"))
    assert abbreviated.reference in found(officer, "Muhammad Imran")
    assert abbreviated.reference in found(officer, "Mohammed Quraishi")


def test_an_identifier_in_any_notation(officer):
    from tests.consular.helpers import a_cnic, in_urdu_digits
    number = a_cnic(41)
    request_ = make_request(office=officer.office, officer=officer, subject=make_person(
        "Ayesha Testbibi", identifiers=[people.IdentifierInput("cnic", number)]))
    for typed in (number, number.replace("-", ""), in_urdu_digits(number)):
        assert found(officer, typed) == [request_.reference], typed
    (field, shown), = hits(officer, number)[request_.reference]
    assert field == "identifier" and f"<mark>{number}</mark>" in shown


def test_words_of_the_summary_a_note_a_contact_and_a_document(officer, request_):
    journal.add_note(request_, officer, f"Sister says the {MARKER} family arranged it.")
    journal.add_contact(request_, officer, "call", "Aunt Parveen Testkhan", "Will call back.")
    make_document(request_, officer, filename="nikah_certificate_scan.pdf")
    db.session.commit()
    for typed, field in (("forced marriage", "summary"), ("FORCED marr", "summary"),
                         (MARKER.lower(), "note"), ("Parveen", "contact"),
                         ("nikah certificate", "document")):
        found_hits = hits(officer, typed)
        assert list(found_hits) == [request_.reference], typed
        assert field in [f for f, _ in found_hits[request_.reference]], (typed, found_hits)


def test_every_word_must_occur(officer, request_):
    assert found(officer, "forced holiday") == []


@pytest.mark.parametrize("typed", ["0¼", "²²", "ʹʹ", "x² y³", "ǅemal ½", "ﬁle", "a:* & b",
                                   "!(x)", "'' \\ ::"])
def test_words_that_fold_to_parts_or_nothing_are_still_a_search(officer, request_, typed):
    """unaccent makes "¼" "1/4" and "²" nothing: neither may become a broken text query."""
    assert found(officer, typed) == []


def test_a_word_with_a_ligature_finds_the_unligatured_text(officer, request_):
    journal.add_note(request_, officer, "The file was sent to Oslo.")
    db.session.commit()
    assert found(officer, "ﬁle") == [request_.reference]


def test_the_place_of_the_event(officer):
    request_ = make_request(office=officer.office, officer=officer)
    consular.update_request(request_, officer, version=request_.version, priority="routine",
                            summary=request_.summary, description="", subcategory="renewal",
                            place_of_event="Mirpur, Azad Kashmir")
    db.session.commit()
    assert found(officer, "mirpur") == [request_.reference]


def test_ranked_reference_then_name_then_words(officer, request_):
    in_a_note = make_request(office=officer.office, officer=officer, summary="Lost passport")
    journal.add_note(in_a_note, officer, "Neighbour Chaudhry called about it.")
    db.session.commit()
    assert found(officer, "Chaudhry") == [request_.reference, in_a_note.reference]


# --- the search stays current ---------------------------------------------------------------


def test_current_after_a_note_an_edit_a_new_spelling_and_a_removal(officer, request_):
    assert found(officer, MARKER) == []
    journal.add_note(request_, officer, f"{MARKER} mentioned on the phone.")
    db.session.commit()
    assert found(officer, MARKER) == [request_.reference]

    consular.update_request(request_, officer, version=request_.version, priority="routine",
                            summary="Report of concern: travel ban", description="",
                            subcategory=request_.subcategory)
    db.session.commit()
    assert found(officer, "forced marriage") == []
    assert found(officer, "travel ban") == [request_.reference]

    person = request_.subjects[0]
    assert found(officer, "Bilqees") == []
    people.keep_other_spellings(person, ["Bilqees Chaudhry"], officer)
    db.session.commit()
    assert found(officer, "Bilqees") == [request_.reference]

    document = make_document(request_, officer, filename="hospital_letter.pdf")
    assert found(officer, "hospital letter") == [request_.reference]
    remove_document(request_, document, officer, "Uploaded to the wrong request")
    db.session.commit()
    assert found(officer, "hospital letter") == []


def test_every_trigger_is_in_place(app):
    """A later SQLite migration that copies a source table drops its triggers: caught here."""
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    present = set(db.session.scalars(text(query)))
    assert set(schema.trigger_names(dialect)) <= present


# --- marked, escaped ------------------------------------------------------------------------


def test_the_matching_text_is_escaped_first_then_marked(login_as, office):
    client = login_as(C, office=office)
    request_ = make_request(office=office, officer=client.user,
                            summary='<script>alert("x")</script> forced marriage')
    journal.add_note(request_, client.user, "<b>Forced</b> & <i>marriage</i>")
    db.session.commit()
    html = client.get("/consular/search", query_string={"q": "forced marriage"}).get_data(
        as_text=True)
    assert request_.reference in ROW.findall(html)
    assert "<script>alert" not in html and "<b>Forced" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; <mark>forced</mark> " \
           "<mark>marriage</mark>" in html
    assert "&lt;b&gt;<mark>Forced</mark>&lt;/b&gt; &amp; &lt;i&gt;<mark>marriage</mark>" in html


def test_highlight_marks_folded_words_and_cuts_long_text():
    terms = Terms(words=("toyen", "forced"), names=("muhammad",))  # folded, as the search does
    assert str(highlight("Operation Tøyenløftet", terms.matches)) == \
        "Operation <mark>Tøyenløftet</mark>"
    assert str(highlight("Mohd. Ali <x>", terms.matches)) == "<mark>Mohd</mark>. Ali &lt;x&gt;"
    long = "word " * 200 + "forced " + "word " * 200
    shown = str(highlight(long, terms.matches))
    assert "<mark>forced</mark>" in shown and len(shown) < 300
    assert shown.startswith("…") and shown.endswith("…")


# --- never past the reader's scope ----------------------------------------------------------


def test_a_police_marker_never_reaches_a_consular_search(login_as, officer, request_):
    liaison = make_user(P)
    case = open_case(liaison, title=f"{MARKER} network", operation_name=MARKER)
    suspect = police_person("Muhammad Chaudhry", officer=liaison)
    police.add_party(case, liaison, suspect, "suspect")
    journal.add_note(case, liaison, f"{MARKER} seen in Rawalpindi.")
    db.session.commit()
    for reader in (officer, make_user(M, office=officer.office)):
        assert found(reader, MARKER) == [], reader.role
        assert found(reader, "Rawalpindi") == []
        assert found(reader, case.reference) == []
        assert found(reader, "Muhammad Chaudhry") == [request_.reference]
    assert found_police(liaison, MARKER) == [case.reference]
    assert found_police(liaison, "Muhammad Chaudhry") == [case.reference]
    client = login_as(C, office=officer.office)
    html = client.get("/consular/search", query_string={"q": MARKER}).get_data(as_text=True)
    assert "No request matches" in html
    assert MARKER not in html.split("<h2>Requests</h2>", 1)[1].replace(f"“{MARKER}”", "")


def test_an_officer_never_finds_a_request_of_an_office_they_do_not_serve(officer, request_):
    journal.add_note(request_, officer, f"{MARKER} again.")
    db.session.commit()
    elsewhere = make_user(C, office=make_office(kind=OfficeKind.EMBASSY))
    number = request_.reference.split("-")[2]
    for typed in (request_.reference, number, "Mohd Chaudhri", "forced marriage", MARKER):
        assert found(elsewhere, typed) == [], typed
        assert request_.reference in found(officer, typed), typed
    assert request_.reference in found(make_user(M, office=make_office()), MARKER)
    assert request_.reference in found(
        make_user(C, office=make_office(), reads_all_offices=True), MARKER)


def test_a_restricted_case_is_found_only_by_those_named_on_it():
    named, other = make_user(P), make_user(P)
    case = open_case(named, title=f"{MARKER} witness", operation_name="Nordlys")
    police.add_party(case, named, police_person("Farzana Testqazi", officer=named), "victim")
    journal.add_note(case, named, "Safe house in Lahore.")
    police.set_restriction(case, named, True, [named.id])
    db.session.commit()
    number = case.reference.split("-")[2]
    for typed in (MARKER, "Nordlys", "Farzana", "safe house", number):
        assert found_police(named, typed) == [case.reference], typed
        assert found_police(other, typed) == [], typed
    # The exact reference tells the other officer only that the case exists (to give a reason).
    (only,) = hits(other, case.reference, police.search_results)[case.reference]
    assert only[0] == "reference"


def test_nobody_outside_the_compartments_finds_anything(request_):
    for role in (Role.ADMINISTRATOR,):
        reader = make_user(role, office=request_.office)
        assert found(reader, "forced marriage") == []
        assert found(reader, request_.reference) == []
        assert found_police(reader, "forced marriage") == []
