"""Forms that never invent or lose data: every mistake at once with a summary, no choice made
for the officer, limits said instead of cut, hold dates in the future, a new spelling kept,
and a chosen file kept across a failed submit."""
from __future__ import annotations

import io
import os
import re
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from wtforms import HiddenField, StringField

from tests.conftest import PDF_BYTES, audit_rows, count, make_person, make_request, reload
from tests.consular.helpers import new_request_form
from tests.police.helpers import (
    case_form,
    exchange_form,
    field_error,
    fnr,
    open_case,
    page,
    wrong_check_digit,
)
from tracker.auth.models import Role, User
from tracker.cases import pending
from tracker.cases.models import Attachment, JournalNote
from tracker.consular import services as consular
from tracker.consular.models import ConsularRequest, Enquiry
from tracker.extensions import db
from tracker.forms import MaxLength, TrackerForm
from tracker.people.models import Person
from tracker.police.models import Exchange, LiaisonCase


@pytest.fixture
def consular_officer(login_as):
    return login_as(Role.CONSULAR_OFFICER)


@pytest.fixture
def liaison_officer(login_as):
    return login_as(Role.POLICE_LIAISON_OFFICER)



def summary_links(html: str) -> list[tuple[str, str]]:
    """(target id, message) of each link in the error summary."""
    found = re.search(r'<div class="error-summary" role="alert" tabindex="-1"[^>]*>(.*?)</div>',
                      html, re.S)
    assert found, "no error summary on the page"
    assert "There is a problem" in found.group(1)
    return re.findall(r'<a href="#([^"]+)">(.*?)</a>', found.group(1), re.S)


def select_options(html: str, field_id: str) -> list[tuple[str, bool]]:
    """(value, selected?) of each option of a select, in order."""
    found = re.search(rf'<select[^>]*id="{field_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select {field_id}"
    return [(value, "selected" in attrs)
            for attrs, value in re.findall(r'<option([^>]*?)value="([^"]*)"', found.group(1))]


# --- every mistake at once, with the summary -------------------------------------------------


def test_three_mistakes_give_three_errors_and_a_summary_linking_to_each(consular_officer):
    tomorrow = date.today() + timedelta(days=1)
    before = count(ConsularRequest), count(Person)
    response = consular_officer.post("/consular/requests/new", new_request_form(
        summary="", date_of_birth=tomorrow.isoformat(), identifier_kind="norwegian_id",
        identifier_value=wrong_check_digit(fnr(7))))
    assert response.status_code == 422
    html = page(response)
    assert field_error(html, "summary")
    assert field_error(html, "date_of_birth") == ["The date of birth is in the future."]
    assert field_error(html, "identifier_value")
    targets = [target for target, _ in summary_links(html)]
    assert sorted(targets) == ["date_of_birth", "identifier_value", "summary"]
    assert (count(ConsularRequest), count(Person)) == before


def test_the_summary_is_on_the_shared_case_forms_too(consular_officer):
    case = make_request(officer=consular_officer.user)
    response = consular_officer.post(f"/consular/requests/{case.reference}/notes", {"text": ""})
    assert response.status_code == 422
    assert [t for t, _ in summary_links(page(response))] == ["text"]


def test_a_form_without_mistakes_shows_no_summary(consular_officer):
    assert "error-summary" not in page(consular_officer.get("/consular/requests/new"))


# --- no choice made for the officer ------------------------------------------------------------


@pytest.mark.parametrize("url, field_id", [
    ("/consular/requests/new", "kind"),
    ("/consular/requests/new", "priority"),
    ("/police/cases/new", "category"),
    ("/police/cases/new", "priority"),
])
def test_the_choice_starts_empty(login_as, url, field_id):
    role = Role.CONSULAR_OFFICER if url.startswith("/consular") else Role.POLICE_LIAISON_OFFICER
    html = page(login_as(role).get(url))
    options = select_options(html, field_id)
    assert options[0][0] == "" and not any(selected for value, selected in options[1:])


@pytest.mark.parametrize("field", ["kind", "priority"])
def test_a_new_request_without_its_choice_is_refused(consular_officer, field):
    before = count(ConsularRequest)
    response = consular_officer.post("/consular/requests/new", new_request_form(**{field: ""}))
    assert response.status_code == 422
    assert field_error(page(response), field)[0].startswith("Choose")
    assert count(ConsularRequest) == before


@pytest.mark.parametrize("field", ["category", "priority"])
def test_a_new_case_without_its_choice_is_refused(liaison_officer, field):
    before = count(LiaisonCase)
    form = case_form(**{field: ""})
    response = liaison_officer.post("/police/cases/new", form)
    assert response.status_code == 422
    assert field_error(page(response), field)[0].startswith("Choose")
    assert count(LiaisonCase) == before


def test_an_exchange_without_a_handling_code_is_refused(liaison_officer):
    case = open_case(liaison_officer.user)
    url = f"/police/cases/{case.reference}/exchanges"
    options = select_options(page(liaison_officer.get(url)), "handling_code")
    assert options[0] == ("", True) or (options[0][0] == "" and not any(s for _, s in options))
    response = liaison_officer.post(url, exchange_form(handling_code=""))
    assert response.status_code == 422
    assert field_error(page(response), "handling_code") == [
        "Choose the handling code the sender gave."]
    assert count(Exchange, Exchange.case_id == case.id) == 0


def test_the_exchange_rules_show_with_the_forms_own_errors(liaison_officer):
    case = open_case(liaison_officer.user)
    response = liaison_officer.post(f"/police/cases/{case.reference}/exchanges", exchange_form(
        summary="", handling_code="H3", restriction="", source_grade="A",
        information_grade=""))
    assert response.status_code == 422
    html = page(response)
    assert field_error(html, "summary")
    assert field_error(html, "restriction") == ["State the H3 restriction."]
    assert field_error(html, "information_grade") == [
        "Grade both the source and the information (4x4), or neither."]
    assert len(summary_links(html)) == 3


def test_a_death_resolution_needs_its_outcome_chosen(consular_officer):
    case = make_request(officer=consular_officer.user, category="death:repatriation")
    consular.move(case, consular_officer.user, "start")
    db.session.commit()
    url = f"/consular/requests/{case.reference}/steps/request_approval"
    options = select_options(page(consular_officer.get(url)), "closing_reason")
    assert options[0][0] == "" and not any(selected for _, selected in options)
    response = consular_officer.post(url, {"closing_reason": "", "comment": ""})
    assert response.status_code == 422
    assert field_error(page(response), "closing_reason") == ["Choose how the request ended."]
    assert reload(case).status == "in_progress"


def test_a_liaison_case_is_not_closed_without_an_outcome(liaison_officer):
    case = open_case(liaison_officer.user)
    url = f"/police/cases/{case.reference}/steps/close"
    options = select_options(page(liaison_officer.get(url)), "closing_reason")
    assert options[0][0] == "" and not any(selected for _, selected in options)
    response = liaison_officer.post(url, {"closing_reason": "", "version": str(case.version)})
    assert response.status_code == 422
    assert field_error(page(response), "closing_reason") == ["Choose the outcome."]
    assert reload(case).status == "opened"


# Choices that matter start empty and are required: (who, page, field, the rest of the form,
# the message by the field, what must not be saved).
NO_CHOICE_MADE = [
    (Role.CONSULAR_OFFICER, "/consular/enquiries", "topic", {"channel": "phone"},
     "Choose what the enquiry was about."),
    (Role.CONSULAR_OFFICER, "/consular/enquiries", "channel", {"topic": "passport"},
     "Choose how the enquiry came in."),
    (Role.CONSULAR_OFFICER, "/consular/requests/new", "channel", new_request_form(),
     "Choose how the request came in."),
    (Role.POLICE_LIAISON_OFFICER, "/police/cases/new", "country", case_form(),
     "Choose the Nordic country the case is handled for."),
    (Role.POLICE_LIAISON_OFFICER, "/police/cases/new", "counterpart", case_form(),
     "Choose the host-country counterpart."),
]


@pytest.mark.parametrize("role, url, name, rest, message", NO_CHOICE_MADE,
                         ids=[f"{url}:{name}" for _, url, name, *_ in NO_CHOICE_MADE])
def test_a_choice_that_matters_starts_empty_and_is_required(login_as, role, url, name, rest,
                                                            message):
    user = login_as(role)
    options = select_options(page(user.get(url)), name)
    assert options[0][0] == "" and not any(selected for _, selected in options)
    before = count(Enquiry), count(ConsularRequest), count(LiaisonCase)
    response = user.post(url, {**rest, name: ""})
    assert response.status_code == 422
    assert field_error(page(response), name) == [message]
    assert (count(Enquiry), count(ConsularRequest), count(LiaisonCase)) == before


def test_a_new_accounts_role_starts_empty_and_is_required(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    options = select_options(page(admin.get("/admin/users/new")), "role")
    assert options[0][0] == "" and not any(selected for _, selected in options)
    before = count(User)
    response = admin.post("/admin/users/new", {
        "email": "new.officer@tracker.example", "display_name": "Nadia Nyansatt",
        "role": "", "office": str(admin.user.office_id), "active": "y",
        "password": "a long enough passphrase for testing"})
    assert response.status_code == 422
    assert field_error(page(response), "role") == ["Choose the account's role."]
    assert count(User) == before


# --- limits said, not cut ----------------------------------------------------------------------


def test_a_note_over_the_limit_is_refused_with_the_count_and_kept_on_the_page(
        consular_officer):
    case = make_request(officer=consular_officer.user)
    text = "x" * 20_412
    response = consular_officer.post(f"/consular/requests/{case.reference}/notes",
                                     {"text": text})
    assert response.status_code == 422
    html = page(response)
    assert field_error(html, "text") == ["At most 20,000 characters; you typed 20,412."]
    assert text in html  # what was typed is shown again, whole
    assert count(JournalNote, JournalNote.case_id == case.id) == 0


def test_line_breaks_count_once(consular_officer):
    case = make_request(officer=consular_officer.user)
    text = "x\r\n" * 6_000 + "y" * 2_000  # 20,000 characters as typed, 26,000 bytes sent
    response = consular_officer.post(f"/consular/requests/{case.reference}/notes",
                                     {"text": text})
    assert response.status_code == 302


@pytest.mark.parametrize("url", ["/consular/requests/new", "/police/cases/new"])
def test_no_field_is_cut_short_by_the_browser(login_as, url):
    role = Role.CONSULAR_OFFICER if url.startswith("/consular") else Role.POLICE_LIAISON_OFFICER
    assert "maxlength" not in page(login_as(role).get(url))


def _form_classes(base=TrackerForm):
    for sub in base.__subclasses__():
        yield sub
        yield from _form_classes(sub)


def test_every_text_field_has_a_limit_checked_on_the_server(app):

    missing = []
    for form_class in set(_form_classes()):
        for name in dir(form_class):
            unbound = getattr(form_class, name, None)
            if getattr(unbound, "field_class", None) is None:
                continue
            if not issubclass(unbound.field_class, StringField) or issubclass(
                    unbound.field_class, HiddenField):
                continue  # a hidden field is the page's, not typed
            validators = unbound.kwargs.get("validators") or (
                unbound.args[1] if len(unbound.args) > 1 else [])
            if not any(isinstance(v, MaxLength) for v in validators):
                missing.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert missing == []


# --- hold dates --------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [-1, 0])
def test_a_hold_date_that_has_come_is_refused(consular_officer, days):
    case = make_request(officer=consular_officer.user)
    response = consular_officer.post(f"/consular/requests/{case.reference}/steps/wait", {
        "waiting_on": "host_authorities", "waiting_reason": "Court papers",
        "hold_until": (date.today() + timedelta(days=days)).isoformat()})
    assert response.status_code == 422
    [message] = field_error(page(response), "hold_until")
    assert message.startswith("Choose a day after today")
    assert reload(case).status == "new"


def test_a_hold_date_in_the_future_is_kept(consular_officer):
    case = make_request(officer=consular_officer.user)
    later = date.today() + timedelta(days=2)
    response = consular_officer.post(f"/consular/requests/{case.reference}/steps/wait", {
        "waiting_on": "host_authorities", "waiting_reason": "Court papers",
        "hold_until": later.isoformat()})
    assert response.status_code == 302
    assert reload(case).hold_until == later


def test_a_liaison_case_hold_date_in_the_past_is_refused_with_the_other_mistakes(
        liaison_officer):
    case = open_case(liaison_officer.user)
    response = liaison_officer.post(f"/police/cases/{case.reference}/steps/await_counterpart", {
        "waiting_reason": "", "hold_until": (date.today() - timedelta(days=3)).isoformat()})
    assert response.status_code == 422
    html = page(response)
    assert field_error(html, "waiting_reason") and field_error(html, "hold_until")
    assert reload(case).status == "opened"


# --- the duplicate step ------------------------------------------------------------------------


def test_one_radio_group_and_one_button_at_the_duplicate_step(consular_officer):
    known = make_person("Muhammad Chaudhry", date_of_birth=date(1990, 2, 14))
    make_request(officer=consular_officer.user, subject=known)
    response = consular_officer.post("/consular/requests/new", new_request_form(
        full_name="Mohammed Chaudhary", date_of_birth="1990-02-14"))
    assert response.status_code == 422
    html = page(response)
    assert f'id="use_person-{known.id}"' in html and 'id="use_person-new"' in html
    assert 'type="checkbox"' not in html.split('class="request-form"')[1]
    assert html.count('type="submit"') - html.count("Sign out") == 1
    assert [t for t, _ in summary_links(html)] == [f"use_person-{known.id}"]


def test_a_new_spelling_for_a_chosen_person_is_kept(consular_officer):
    known = make_person("Muhammad Chaudhry", date_of_birth=date(1990, 2, 14))
    make_request(officer=consular_officer.user, subject=known)
    persons = count(Person)
    response = consular_officer.post("/consular/requests/new", new_request_form(
        full_name="Mohammed Chaudhary", date_of_birth="1990-02-14", use_person=str(known.id)))
    assert response.status_code == 302
    assert count(Person) == persons
    person = reload(known)
    assert [n.name for n in person.other_names] == ["Mohammed Chaudhary"]
    [row] = audit_rows(known.id, "person.spelling_added")
    assert "Mohammed Chaudhary" in row.details and row.actor_id == consular_officer.user.id
    # The same spelling again adds nothing.
    consular_officer.post("/consular/requests/new", new_request_form(
        full_name="mohammed  chaudhary", date_of_birth="1990-02-14", use_person=str(known.id)))
    assert [n.name for n in reload(known).other_names] == ["Mohammed Chaudhary"]


def test_a_new_person_chosen_at_the_duplicate_step(consular_officer):
    known = make_person("Muhammad Chaudhry", date_of_birth=date(1990, 2, 14))
    make_request(officer=consular_officer.user, subject=known)
    persons = count(Person)
    response = consular_officer.post("/consular/requests/new", new_request_form(
        full_name="Mohammed Chaudhary", date_of_birth="1990-02-14", use_person="new"))
    assert response.status_code == 302
    assert count(Person) == persons + 1
    assert reload(known).other_names == []


# --- a chosen file survives a failed submit --------------------------------------------------


def _exchange_with_file(officer, case, **fields):
    data = exchange_form(**fields)
    if "document" not in data:
        data["document"] = (io.BytesIO(PDF_BYTES), "report from Lahore.pdf")
    return officer.post(f"/police/cases/{case.reference}/exchanges", data,
                        content_type="multipart/form-data")


def _pending_token(html: str) -> str:
    [token] = re.findall(r'name="pending_upload"[^>]*value="([0-9a-f]{32})"', html) or \
        re.findall(r'value="([0-9a-f]{32})"[^>]*name="pending_upload"', html)
    return token


def test_a_file_survives_an_error_on_the_exchange_form(liaison_officer):
    case = open_case(liaison_officer.user)
    response = _exchange_with_file(liaison_officer, case, summary="")
    assert response.status_code == 422
    html = page(response)
    assert "Already attached: <strong>report from Lahore.pdf</strong>" in html
    token = _pending_token(html)
    assert count(Attachment, Attachment.case_id == case.id) == 0
    response = _exchange_with_file(liaison_officer, case, pending_upload=token, document=None)
    assert response.status_code == 302
    [exchange] = db.session.scalars(select(Exchange).where(Exchange.case_id == case.id)).all()
    [document] = exchange.documents
    assert document.filename == "report from Lahore.pdf" and document.size == len(PDF_BYTES)
    with liaison_officer.client.application.test_request_context():
        assert pending.find(liaison_officer.user, token) is None  # used, then gone


def test_a_kept_file_can_be_removed_before_saving(liaison_officer):
    case = open_case(liaison_officer.user)
    token = _pending_token(page(_exchange_with_file(liaison_officer, case, summary="")))
    response = _exchange_with_file(liaison_officer, case, pending_upload=token,
                                   remove_pending="y", document=None)
    assert response.status_code == 302
    [exchange] = db.session.scalars(select(Exchange).where(Exchange.case_id == case.id)).all()
    assert exchange.documents == []


def test_another_officers_kept_file_cannot_be_used(liaison_officer, login_as):
    case = open_case(liaison_officer.user)
    token = _pending_token(page(_exchange_with_file(liaison_officer, case, summary="")))
    colleague = login_as(Role.POLICE_LIAISON_OFFICER, office=liaison_officer.user.office)
    response = _exchange_with_file(colleague, case, pending_upload=token, document=None)
    assert response.status_code == 302
    [exchange] = db.session.scalars(select(Exchange).where(Exchange.case_id == case.id)).all()
    assert exchange.documents == []


def test_a_file_refused_for_itself_is_not_kept(liaison_officer):
    case = open_case(liaison_officer.user)
    response = _exchange_with_file(liaison_officer, case,
                                   document=(io.BytesIO(b"<html>not a pdf</html>"), "x.pdf"))
    assert response.status_code == 422
    html = page(response)
    assert field_error(html, "document") and "Already attached" not in html


def test_kept_files_older_than_a_day_are_swept(app, liaison_officer):
    from werkzeug.datastructures import FileStorage

    with app.test_request_context():
        old = pending.keep(liaison_officer.user, FileStorage(io.BytesIO(PDF_BYTES), "a.pdf"))
        new = pending.keep(liaison_officer.user, FileStorage(io.BytesIO(PDF_BYTES), "b.pdf"))
        two_days_ago = time.time() - 2 * 86_400
        os.utime(old.path, (two_days_ago, two_days_ago))
        assert pending.sweep() == 1
        assert pending.find(liaison_officer.user, old.token) is None
        assert pending.find(liaison_officer.user, new.token) is not None
        pending.discard(new)


def test_the_sweep_command(app, liaison_officer):
    result = app.test_cli_runner().invoke(args=["cases", "sweep-uploads"])
    assert result.exit_code == 0 and "pending upload(s) older than a day removed" in result.output


def test_the_documents_sweep_removes_old_pending_uploads_too(app, liaison_officer):
    """One command cleans both: files no document names and files kept from failed submits."""
    from werkzeug.datastructures import FileStorage

    with app.test_request_context():
        old = pending.keep(liaison_officer.user, FileStorage(io.BytesIO(PDF_BYTES), "a.pdf"))
        new = pending.keep(liaison_officer.user, FileStorage(io.BytesIO(PDF_BYTES), "b.pdf"))
    two_days_ago = time.time() - 2 * 86_400
    os.utime(old.path, (two_days_ago, two_days_ago))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["documents", "sweep", "--dry-run"])
    assert dry.exit_code == 0 and "would remove 1 pending upload(s)" in dry.output
    assert old.path.exists()
    result = runner.invoke(args=["documents", "sweep"])
    assert result.exit_code == 0 and "removed 1 pending upload(s)" in result.output
    assert not old.path.exists() and new.path.exists()
    pending.discard(new)
