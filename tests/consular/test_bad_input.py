"""Whatever is typed into a consular form, the answer is never a 500 and nothing is half-saved."""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import PDF_BYTES, make_document, make_request, reload
from tests.consular.helpers import count
from tests.test_bad_input import answered, nonzero_int
from tracker.audit.models import AuditEvent
from tracker.auth.models import Role
from tracker.cases.models import Attachment, JournalNote, TimelineEvent
from tracker.consular.categories import CATEGORIES, Category, Channel, WaitingOn
from tracker.consular.models import ConsularRequest, Enquiry, ServiceTarget
from tracker.consular.workflow import CONSULAR_WORKFLOW
from tracker.cases import scope
from tracker.extensions import db, limiter
from tracker.people.models import Person, PersonIdentifier

NASTY = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50).map(lambda s: s + "\x00"),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "ﷺ", "‮evil", "👮‍♀️" * 40,
                     "Øyvind Ærø Åsen", "محمد چوہدری", "=cmd|' /C calc'!A0", "%00", "\r\n",
                     "-1", "0", "99999999999999999999", "2147483648", "1e9", "2026-02-30",
                     "9999-12-31", "0001-01-01", "۳۵۲۰۲۱۲۳۴۵۶۷۱", "35202-1234567-1"]),
    st.just("x" * 100_000),
)
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
MODELS = (Person, PersonIdentifier, ConsularRequest, JournalNote, Attachment, TimelineEvent,
          Enquiry, ServiceTarget)


def choice_or(values):
    return st.sampled_from(list(values)) | NASTY


KINDS = [f"{c.value}:{s}" for c, info in CATEGORIES.items() for s in info.subcategories]
PRIORITIES = ["routine", "urgent", "emergency"]
STEPS = list(CONSULAR_WORKFLOW.transitions)
DATES = st.dates().map(lambda d: d.isoformat()) | NASTY


def rows() -> dict:
    return {model.__name__: count(model) for model in MODELS}


def check(response, before: dict, audits_before: int, statuses):
    """One of `statuses`; anything but a redirect (a save) leaves every table as it was."""
    answered(response, *statuses)
    if response.status_code != 302:
        assert rows() == before
        assert count(AuditEvent) == audits_before


@pytest.fixture
def officer(login_as):
    return login_as(Role.CONSULAR_OFFICER)


@pytest.fixture
def own_request(officer):
    return make_request(office=officer.user.office, officer=officer.user,
                        category="arrest:detention")


SAVED_OR_REFUSED = (302, 422)


def post(user, url, data, statuses=SAVED_OR_REFUSED, **kwargs):
    limiter.reset()
    before, audits = rows(), count(AuditEvent)
    response = user.post(url, data, **kwargs)
    check(response, before, audits, statuses)
    return response


def get(user, url, params, statuses=(200,)):
    limiter.reset()
    before = rows()
    response = user.client.get(url, query_string=params)
    answered(response, *statuses)
    assert rows() == before
    return response


def names_no_person(value: str) -> bool:
    """A number that names no consular person (the new-request form then answers 404)."""
    if not nonzero_int(value):
        return False
    number = int(value)
    with scope.unscoped("a test checks which person a number names"):
        found = db.session.get(Person, number) if 0 < number <= 2**31 - 1 else None
    return found is None or found.compartment != "consular"


@FUZZ
@given(kind=choice_or(KINDS), priority=choice_or(PRIORITIES), channel=choice_or(Channel),
       summary=NASTY, description=NASTY, assigned_to=NASTY, person_id=NASTY, full_name=NASTY,
       other_names=NASTY, date_of_birth=DATES, sex=choice_or(["female", "male", ""]),
       nationality=NASTY, identifier_kind=choice_or(["norwegian_id", "cnic", "passport", ""]),
       identifier_value=NASTY, identifier_country=NASTY, phone=NASTY, requester_name=NASTY,
       requester_relationship=NASTY, use_person=NASTY, confirm_new=NASTY, person_arg=NASTY)
def test_new_request_form(officer, kind, priority, channel, summary, description, assigned_to,
                          person_id, full_name, other_names, date_of_birth, sex, nationality,
                          identifier_kind, identifier_value, identifier_country, phone,
                          requester_name, requester_relationship, use_person, confirm_new,
                          person_arg):
    post(officer, "/consular/requests/new", {
        "kind": kind, "priority": priority, "channel": channel, "summary": summary,
        "description": description, "assigned_to": assigned_to, "person_id": person_id,
        "full_name": full_name, "other_names": other_names, "date_of_birth": date_of_birth,
        "sex": sex, "nationality": nationality, "identifier_kind": identifier_kind,
        "identifier_value": identifier_value, "identifier_country": identifier_country,
        "phone": phone, "requester_name": requester_name,
        "requester_relationship": requester_relationship, "use_person": use_person,
        "confirm_new": confirm_new}, (404,) if names_no_person(person_id) else SAVED_OR_REFUSED)
    get(officer, "/consular/requests/new", {"person": person_arg},
        (404,) if names_no_person(person_arg) else (200,))


@FUZZ
@given(subcategory=choice_or(["arrest", "detention", "prison_visit"]),
       priority=choice_or(PRIORITIES), summary=NASTY, description=NASTY,
       version=choice_or(["1", "2"]))
def test_edit_form(officer, own_request, subcategory, priority, summary, description, version):
    post(officer, f"/consular/requests/{own_request.reference}/edit", {
        "subcategory": subcategory, "priority": priority, "summary": summary,
        "description": description, "version": version}, (302, 409, 422))


@FUZZ
@given(text=NASTY, corrects_id=NASTY, channel=choice_or(["call", "visit", "email"]),
       with_whom=NASTY, correct_arg=NASTY)
def test_note_and_contact_forms(officer, own_request, text, corrects_id, channel, with_whom,
                                correct_arg):
    base = f"/consular/requests/{own_request.reference}"
    post(officer, f"{base}/notes", {"text": text, "corrects_id": corrects_id})
    post(officer, f"{base}/contacts", {"contact_channel": channel, "contact_with": with_whom,
                                       "said": text})
    get(officer, base, {"correct": correct_arg})


@FUZZ
@given(step=choice_or(STEPS).filter(lambda step: step and "/" not in step), comment=NASTY, waiting_on=choice_or(WaitingOn),
       waiting_reason=NASTY, hold_until=DATES,
       closing_reason=choice_or(["released", "sentenced", "issued"]),
       cancel_reason=choice_or(["duplicate", "withdrawn"]))
def test_step_forms(officer, step, comment, waiting_on, waiting_reason, hold_until,
                    closing_reason, cancel_reason):
    request = make_request(office=officer.user.office, officer=officer.user,
                           category="arrest:detention")
    url = f"/consular/requests/{request.reference}/steps/{quote(step, safe='')}"
    known = step in STEPS
    # An unknown step is 404; a step not possible now is 409 (the page says why).
    get(officer, url, {}, (200, 409) if known else (404,))
    post(officer, url, {"comment": comment, "waiting_on": waiting_on,
                        "waiting_reason": waiting_reason, "hold_until": hold_until,
                        "closing_reason": closing_reason, "cancel_reason": cancel_reason},
         (302, 409, 422) if known else (404,))


@FUZZ
@given(assigned_to=NASTY, reason=NASTY, document_id=st.integers(min_value=-5,
                                                                  max_value=2**70))
def test_assign_and_document_forms(officer, own_request, assigned_to, reason, document_id):
    base = f"/consular/requests/{own_request.reference}"
    post(officer, f"{base}/assign", {"assigned_to": assigned_to})
    # The request has no documents: every number names nothing.
    get(officer, f"{base}/documents/{document_id}", {}, (404,))
    post(officer, f"{base}/documents/{document_id}/remove", {"reason": reason}, (404,))


@FUZZ
@given(name=NASTY, content=st.binary(max_size=200) | st.just(PDF_BYTES))
def test_document_upload(officer, own_request, name, content):
    post(officer, f"/consular/requests/{own_request.reference}/documents",
         {"file": (io.BytesIO(content), name)})


def test_removing_with_a_nasty_reason(officer, own_request):
    document = make_document(own_request, officer.user)
    url = f"/consular/requests/{own_request.reference}/documents/{document.id}/remove"
    for reason in ("\x00", "x" * 100_000):
        response = post(officer, url, {"reason": reason}, (422,))  # the message by the field
        assert "error" in response.get_data(as_text=True)
        assert reload(document).removed_at is None
    post(officer, url, {"reason": "<script>alert(1)</script>"}, (302,))
    assert reload(document).removed_at is not None


@FUZZ
@given(topic=choice_or(Category), channel=choice_or(Channel), received_on=DATES)
def test_enquiry_form(officer, topic, channel, received_on):
    post(officer, "/consular/enquiries", {"topic": topic, "channel": channel,
                                          "received_on": received_on})


@FUZZ
@given(category=choice_or(Category), working_days=NASTY | st.integers().map(str),
       version=NASTY)
def test_service_target_form(login_as, category, working_days, version):
    admin = login_as(Role.ADMINISTRATOR)
    post(admin, "/consular/service-targets", {"category": category,
                                              "working_days": working_days,
                                              "version": version},
         (302, 409, 422) if category in set(Category) else (400,))


@FUZZ
@given(status=NASTY, category=NASTY, office=NASTY, priority=NASTY, officer_=NASTY,
       overdue=NASTY, opened_from=DATES, opened_to=DATES,
       sort=choice_or(["newest", "oldest", "due"]), after=NASTY)
def test_list_filters(officer, own_request, status, category, office, priority, officer_,
                      overdue, opened_from, opened_to, sort, after):
    get(officer, "/consular/requests/", {
        "status": status, "category": category, "office": office, "priority": priority,
        "officer": officer_, "overdue": overdue, "opened_from": opened_from,
        "opened_to": opened_to, "sort": sort, "after": after}, (200, 400))


@FUZZ
@given(q=NASTY, reference=NASTY.filter(lambda typed: "/" not in typed))  # see the police twin
def test_search_and_addresses(officer, own_request, q, reference):
    get(officer, "/consular/search", {"q": q})
    address = quote(reference, safe="")
    get(officer, f"/consular/requests/{address}", {}, (404,) if address else (200,))


BIG = ["99999999999999999999", "2147483648", "9223372036854775808", "-1", "0"]


@pytest.mark.parametrize("number", BIG)
def test_numbers_too_big_for_the_database(officer, own_request, number):
    """Every place a number is read from a URL or a form, on SQLite and PostgreSQL alike."""
    base = f"/consular/requests/{own_request.reference}"
    zero = number == "0"  # 0 reads as "none given"
    saved_if_zero = (302,) if zero else (422,)
    # A correction must name a note of the request; 0 names none.
    post(officer, f"{base}/notes", {"text": "A note", "corrects_id": number}, (422,))
    post(officer, f"{base}/assign", {"assigned_to": number}, saved_if_zero)
    post(officer, f"{base}/edit", {"subcategory": "arrest", "priority": "routine",
                                   "summary": "x", "version": number}, (409,))
    new = {"kind": "passport:new", "priority": "routine", "channel": "phone", "summary": "x",
           "full_name": "Kari Nordmann", "confirm_new": "y"}
    post(officer, "/consular/requests/new", {**new, "assigned_to": number}, saved_if_zero)
    post(officer, "/consular/requests/new", {**new, "assigned_to": "0", "person_id": number},
         (302,) if zero else (404,))
    # Only a person the duplicate check listed can be chosen; none was listed.
    post(officer, "/consular/requests/new", {**new, "assigned_to": "0", "use_person": number},
         (422,))
    get(officer, "/consular/requests/new", {"person": number}, (200,) if zero else (404,))
    if not number.startswith("-"):
        get(officer, f"{base}/documents/{number}", {}, (404,))
        post(officer, f"{base}/documents/{number}/remove", {"reason": "x"}, (404,))
        get(officer, f"/consular/persons/{number}", {}, (404,))
    get(officer, "/consular/requests/", {"office": number, "officer": number,
                                         "after": f"1700000000.5_{number}"}, (200, 400))
    get(officer, base, {"correct": number})
