"""Every route, every role: the answer must match the matrix below, kept as data.

A route that is not in the matrix fails the test, so a new page cannot ship without someone
deciding who may see it. The roles are every member of `Role`: a new role is refused
everywhere (but its own account pages) until the matrix and ROLE_PERMISSIONS say otherwise.
"""
from __future__ import annotations

import pytest

from tests.conftest import (
    csrf_token,
    image_bytes,
    login,
    make_document,
    make_letter_template,
    make_liaison_case,
    make_office,
    make_person,
    make_request,
    make_user,
)
from tracker.auth.models import AccountChangeKind, AccountChangeProposal, Role
from tracker.cases.models import SavedView
from tracker.consular.models import SubjectAccessRequest
from tracker.auth.permissions import (
    HIDDEN_PERMISSIONS,
    PUBLIC_ENDPOINTS,
    ROLE_PERMISSIONS,
    Permission,
    allow,
)
from sqlalchemy import select

from tracker.cases import assignment
from tracker.extensions import db, limiter
from tracker.notifications.models import Notification
from tracker.people.models import PossibleDuplicate

ANON = "anonymous"
C, P, M, A = (Role.CONSULAR_OFFICER, Role.POLICE_LIAISON_OFFICER, Role.MANAGER,
              Role.ADMINISTRATOR)
ROLES = tuple(Role)
EVERYONE = (ANON, *ROLES)


def only(allowed: dict, *, anonymous: int = 302, others: int = 403) -> dict:
    """Expected statuses: the given roles as listed, anonymous sent to sign in, others 403."""
    answer = {role: others for role in ROLES}
    answer[ANON] = anonymous
    answer.update(allowed)
    return answer


def hidden(allowed: dict) -> dict:
    """A page of the police compartment: 404 for every other role, sign-in for strangers."""
    return only(allowed, others=404)


def signed_in(status: int) -> dict:
    return {role: status for role in ROLES}


# (endpoint, method) -> {role: expected status}. POSTs are sent with a valid CSRF token and
# otherwise empty forms, so an allowed role gets a validation answer (422/400) or a redirect.
MATRIX: dict[tuple[str, str], dict] = {
    ("static", "GET"): {role: 200 for role in EVERYONE},
    ("main.healthz", "GET"): {role: 200 for role in EVERYONE},
    ("main.home", "GET"): only(signed_in(200)),
    ("auth.login", "GET"): {ANON: 200, **signed_in(302)},
    ("auth.login", "POST"): {ANON: 400, **signed_in(302)},
    # No password step pending: everyone is sent back to the sign-in page.
    ("auth.second_factor", "GET"): {role: 302 for role in EVERYONE},
    ("auth.second_factor", "POST"): {role: 302 for role in EVERYONE},
    ("auth.logout", "POST"): only(signed_in(302)),
    ("auth.account", "GET"): only(signed_in(200)),
    ("auth.change_password", "POST"): only(signed_in(422)),
    ("auth.choose_language", "POST"): only(signed_in(422)),
    ("auth.enrol_second_factor", "GET"): only(signed_in(200)),
    ("auth.enrol_second_factor", "POST"): only(signed_in(422)),
    ("admin.users", "GET"): only({A: 200}),
    ("admin.new_user", "GET"): only({A: 200}),
    ("admin.new_user", "POST"): only({A: 422}),
    ("admin.edit_user", "GET"): only({A: 200}),
    ("admin.edit_user", "POST"): only({A: 422}),
    # A reset is only proposed (no fields); a second administrator approves it.
    ("admin.set_user_password", "POST"): only({A: 302}),
    ("admin.end_user_sessions", "POST"): only({A: 302}),
    ("admin.reset_second_factor", "POST"): only({A: 302}),
    ("admin.approvals_list", "GET"): only({A: 200}),
    # An empty decision does not say which version of the proposal it was made on.
    ("admin.approve_change", "POST"): only({A: 422}),
    ("admin.refuse_change", "POST"): only({A: 422}),
    ("admin.withdraw_change", "POST"): only({A: 422}),
    ("admin.offices", "GET"): only({A: 200}),
    ("admin.new_office", "GET"): only({A: 200}),
    ("admin.new_office", "POST"): only({A: 422}),
    ("admin.edit_office", "GET"): only({A: 200}),
    ("admin.edit_office", "POST"): only({A: 422}),
    ("audit.log", "GET"): only({A: 200}),
    # Letter templates: administrators upload them; officers write letters on a case.
    ("letters.templates", "GET"): only({A: 200}),
    ("letters.upload_template", "GET"): only({A: 200}),
    ("letters.upload_template", "POST"): only({A: 422}),
    ("letters.template_file", "GET"): only({A: 200}),
    # Consular section: officers of the request's office and managers; never police or admin.
    ("consular.queues", "GET"): only({C: 200, M: 200}),
    ("consular.search", "GET"): only({C: 200, M: 200}),
    ("consular.person", "GET"): only({C: 200, M: 200}),
    ("consular.add_relation", "POST"): only({C: 422, M: 422}),
    ("consular.add_identifier", "POST"): only({C: 422, M: 422}),
    ("consular.correct_person", "GET"): only({C: 200, M: 200}),
    ("consular.correct_person", "POST"): only({C: 422, M: 422}),
    # Subject access: officers and managers ask; a manager who did not ask decides; only the
    # one who asked or the manager who approved downloads (the sample was asked by another).
    ("consular.ask_subject_access", "GET"): only({C: 200, M: 200}),
    ("consular.ask_subject_access", "POST"): only({C: 422, M: 422}),
    ("consular.subject_access_requests", "GET"): only({M: 200}),
    ("consular.decide_subject_access", "POST"): only({M: 422}),
    ("consular.download_subject_access", "GET"): only({C: 403, M: 403}),
    ("consular.duplicate_queue", "GET"): only({M: 200}),
    ("consular.duplicate_pair", "GET"): only({M: 200}),
    ("consular.decide_duplicate", "POST"): only({M: 422}),
    ("consular.enquiries", "GET"): only({C: 200}),
    ("consular.enquiries", "POST"): only({C: 422}),
    ("consular.service_targets", "GET"): only({A: 200}),
    ("consular.service_targets", "POST"): only({A: 400}),
    ("consular_requests.request_list", "GET"): only({C: 200, M: 200}),
    ("consular_requests.new", "GET"): only({C: 200, M: 200}),
    ("consular_requests.new", "POST"): only({C: 422, M: 422}),
    ("consular_requests.detail", "GET"): only({C: 200, M: 200}),
    ("consular_requests.edit", "GET"): only({C: 200, M: 200}),
    ("consular_requests.edit", "POST"): only({C: 422, M: 422}),
    ("consular_requests.add_note", "POST"): only({C: 422, M: 422}),
    ("consular_requests.add_contact", "POST"): only({C: 422, M: 422}),
    ("consular_requests.add_document", "POST"): only({C: 422, M: 422}),
    ("consular_requests.download_document", "GET"): only({C: 200, M: 200}),
    # The sample document is a PNG: its thumbnail is made and shown.
    ("consular_requests.document_preview", "GET"): only({C: 200, M: 200}),
    ("consular_requests.write_letter", "GET"): only({C: 200, M: 200}),
    ("consular_requests.write_letter", "POST"): only({C: 422, M: 422}),
    ("consular_requests.remove_document", "POST"): only({C: 422, M: 422}),
    ("consular_requests.step", "GET"): only({C: 200, M: 200}),
    ("consular_requests.step", "POST"): only({C: 422, M: 422}),
    ("consular_requests.assign", "POST"): only({C: 302, M: 302}),
    # Each case action is a page of its own (GET) that posts back to itself.
    ("consular_requests.add_note", "GET"): only({C: 200, M: 200}),
    ("consular_requests.add_contact", "GET"): only({C: 200, M: 200}),
    ("consular_requests.add_document", "GET"): only({C: 200, M: 200}),
    ("consular_requests.remove_document", "GET"): only({C: 200, M: 200}),
    ("consular_requests.assign", "GET"): only({C: 200, M: 200}),
    # Saved views (the sample view is shared with the reader's office; only its owner may
    # change it: 404 to anyone else, as if it did not exist) and the selection's bulk actions
    # (an empty form: 422); reassigning a selection is the managers'.
    ("consular_requests.saved_views", "GET"): only({C: 200, M: 200}),
    ("consular_requests.save_view", "POST"): only({C: 422, M: 422}),
    ("consular_requests.open_view", "GET"): only({C: 302, M: 302}),
    ("consular_requests.rename_view", "POST"): only({C: 404, M: 404}),
    ("consular_requests.share_view", "POST"): only({C: 404, M: 404}),
    ("consular_requests.delete_view", "POST"): only({C: 404, M: 404}),
    ("consular_requests.bulk_priority", "POST"): only({C: 422, M: 422}),
    ("consular_requests.bulk_reassign", "POST"): only({M: 422}),
    # Legal holds: whoever works the case places and lifts one, with a reason.
    ("consular_requests.place_legal_hold", "GET"): only({C: 200, M: 200}),
    ("consular_requests.place_legal_hold", "POST"): only({C: 422, M: 422}),
    ("consular_requests.lift_legal_hold", "GET"): only({C: 200, M: 200}),
    ("consular_requests.lift_legal_hold", "POST"): only({C: 422, M: 422}),
    # Police compartment: liaison officers only; everyone else 404, as if it did not exist.
    ("police.cases", "GET"): hidden({P: 200}),
    ("police.person", "GET"): hidden({P: 200}),
    ("police.add_identifier", "POST"): hidden({P: 422}),
    ("police.correct_person", "GET"): hidden({P: 200}),
    ("police.correct_person", "POST"): hidden({P: 422}),
    ("police.duplicate_queue", "GET"): hidden({P: 200}),
    ("police.duplicate_pair", "GET"): hidden({P: 200}),
    ("police.decide_duplicate", "POST"): hidden({P: 422}),
    ("police_cases.new", "GET"): hidden({P: 200}),
    ("police_cases.new", "POST"): hidden({P: 422}),
    ("police_cases.detail", "GET"): hidden({P: 200}),
    ("police_cases.break_glass", "GET"): hidden({P: 302}),  # not restricted: straight in
    ("police_cases.break_glass", "POST"): hidden({P: 302}),
    ("police_cases.edit", "GET"): hidden({P: 200}),
    ("police_cases.edit", "POST"): hidden({P: 422}),
    ("police_cases.add_party", "POST"): hidden({P: 422}),
    ("police_cases.add_exchange", "POST"): hidden({P: 422}),
    ("police_cases.add_notice", "POST"): hidden({P: 422}),
    ("police_cases.set_restriction", "POST"): hidden({P: 302}),
    ("police_cases.link_consular", "POST"): hidden({P: 422}),
    ("police_cases.share_link", "POST"): hidden({P: 302}),
    ("police_cases.export", "GET"): hidden({P: 200}),
    ("police_cases.add_note", "POST"): hidden({P: 422}),
    ("police_cases.add_contact", "POST"): hidden({P: 422}),
    ("police_cases.add_document", "POST"): hidden({P: 422}),
    ("police_cases.download_document", "GET"): hidden({P: 200}),
    ("police_cases.document_preview", "GET"): hidden({P: 200}),
    ("police_cases.remove_document", "POST"): hidden({P: 422}),
    ("police_cases.step", "GET"): hidden({P: 200}),
    ("police_cases.step", "POST"): hidden({P: 422}),
    ("police_cases.assign", "POST"): hidden({P: 302}),
    ("police_cases.add_note", "GET"): hidden({P: 200}),
    ("police_cases.add_contact", "GET"): hidden({P: 200}),
    ("police_cases.add_document", "GET"): hidden({P: 200}),
    ("police_cases.remove_document", "GET"): hidden({P: 200}),
    ("police_cases.assign", "GET"): hidden({P: 200}),
    ("police_cases.add_party", "GET"): hidden({P: 200}),
    ("police_cases.add_exchange", "GET"): hidden({P: 200}),
    ("police_cases.add_notice", "GET"): hidden({P: 200}),
    ("police_cases.set_restriction", "GET"): hidden({P: 200}),
    ("police_cases.link_consular", "GET"): hidden({P: 200}),
    ("police.saved_views", "GET"): hidden({P: 200}),
    ("police.save_view", "POST"): hidden({P: 422}),
    ("police.open_view", "GET"): hidden({P: 302}),
    ("police.rename_view", "POST"): hidden({P: 404}),
    ("police.share_view", "POST"): hidden({P: 404}),
    ("police.delete_view", "POST"): hidden({P: 404}),
    ("police.bulk_priority", "POST"): hidden({P: 422}),
    ("police_cases.place_legal_hold", "GET"): hidden({P: 200}),
    ("police_cases.place_legal_hold", "POST"): hidden({P: 422}),
    ("police_cases.lift_legal_hold", "GET"): hidden({P: 200}),
    ("police_cases.lift_legal_hold", "POST"): hidden({P: 422}),
    # Retention: managers and administrators see what is due, held and was done (police
    # cases as counts); only administrators change the periods (no rule named: 400).
    ("retention.overview", "GET"): only({M: 200, A: 200}),
    ("retention.rules", "GET"): only({A: 200}),
    ("retention.rules", "POST"): only({A: 400}),
    # Reports: managers both parts, consular officers their office's consular part, the
    # liaison officer the police aggregates; administrators none.
    ("reports.monthly", "GET"): only({C: 200, P: 200, M: 200}),
    ("reports.export", "GET"): only({C: 200, P: 200, M: 200}),
    ("reports.publish_month", "GET"): only({M: 200}),
    ("reports.publish_month", "POST"): only({M: 302}),
    # Notifications: everyone's own centre and choices; another's notification is 404.
    ("notifications.centre", "GET"): only(signed_in(200)),
    ("notifications.open", "GET"): only(signed_in(404)),
    ("notifications.mark_read", "POST"): only(signed_in(404)),
    ("notifications.mark_all_read", "POST"): only(signed_in(302)),
    ("notifications.settings", "GET"): only(signed_in(200)),
    # An empty form chooses nothing; no kind of notification reaches an administrator.
    ("notifications.settings", "POST"): only({C: 422, P: 422, M: 422, A: 302}),
    ("notifications.outbox", "GET"): only({A: 200}),
}


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_matrix(app):
    missing = [(rule.endpoint, method) for rule, method in routes(app)
               if (rule.endpoint, method) not in MATRIX]
    assert not missing, f"routes without a permission decision: {missing}"
    stale = set(MATRIX) - {(rule.endpoint, method) for rule, method in routes(app)}
    assert not stale, f"matrix rows for routes that no longer exist: {stale}"


def test_public_endpoints_are_the_short_allow_list(app):
    public = {rule.endpoint for rule in app.url_map.iter_rules()
              if getattr(app.view_functions[rule.endpoint], "is_public", False)}
    assert public | {"static"} == PUBLIC_ENDPOINTS
    assert PUBLIC_ENDPOINTS == {"static", "auth.login", "auth.second_factor", "main.healthz"}


def test_every_non_public_view_declares_its_permissions(app):
    undeclared = [endpoint for endpoint, view in app.view_functions.items()
                  if endpoint not in PUBLIC_ENDPOINTS
                  and not getattr(view, "required_permissions", None)]
    assert not undeclared


def test_every_role_has_an_entry_in_the_permission_table():
    """A new member of Role must be given its permissions (even none) on purpose."""
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert all(isinstance(p, Permission) for grants in ROLE_PERMISSIONS.values() for p in grants)


def test_every_role_may_use_its_own_account():
    """Whoever can sign in can also sign out and change their password."""
    assert all(Permission.USE_OWN_ACCOUNT in grants for grants in ROLE_PERMISSIONS.values())


def test_every_permission_is_needed_by_a_view_and_held_by_a_role(app):
    needed = {p for view in app.view_functions.values()
              for p in getattr(view, "required_permissions", ())}
    held = set().union(*ROLE_PERMISSIONS.values())
    assert needed == set(Permission)
    assert held == set(Permission)


def test_the_police_compartment_is_hidden_and_no_other_role_holds_it():
    """Its permissions answer 404 to others, and only the liaison officer holds them."""
    assert all(p.hidden for p in HIDDEN_PERMISSIONS)
    assert not Permission.READ_CONSULAR_REQUESTS.hidden
    holders = {role for role, grants in ROLE_PERMISSIONS.items() if grants & HIDDEN_PERMISSIONS}
    assert holders == {Role.POLICE_LIAISON_OFFICER}


def test_allow_takes_permissions_not_roles():
    with pytest.raises(TypeError):
        allow(Role.MANAGER)
    with pytest.raises(ValueError):
        allow()


def _url(app, rule, values):
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})


def sample_values(office) -> dict[str, dict]:
    """One of everything a URL can name, in `office`: for the consular and police pages."""
    target = make_user(Role.CONSULAR_OFFICER, office=office)
    request = make_request(office=office, officer=target, category="passport:renewal")
    document = make_document(request, target, image_bytes("PNG"), "scan.png")
    proposal = AccountChangeProposal(
        kind=AccountChangeKind.PASSWORD_RESET, target=target, target_version=target.version,
        proposed_by=make_user(Role.ADMINISTRATOR, office=office))
    db.session.add(proposal)
    db.session.commit()
    assignment.assign(request, proposal.proposed_by, None)
    assignment.assign(request, proposal.proposed_by, target)  # a notification for `target`
    notification = db.session.scalar(select(Notification.id).where(
        Notification.user_id == target.id))
    template = make_letter_template(proposal.proposed_by)
    common = {"user_id": target.id, "office_id": office.id, "filename": "css/tracker.css",
              "fmt": "csv", "proposal_id": proposal.id, "notification_id": notification,
              "template_id": template.id}
    liaison = make_user(Role.POLICE_LIAISON_OFFICER, office=office)
    case, party, link = make_liaison_case(liaison, link_to=request)
    police_document = make_document(case, liaison, image_bytes("PNG"), "photo.png")
    pairs = {}
    for compartment, known in (("consular", request.subjects[0].id), ("police", party.person_id)):
        later = make_person("Sample Duplicate", compartment=compartment)
        pair = PossibleDuplicate(compartment=compartment, person_id=later.id, other_id=known,
                                 matched_on="identifier")
        db.session.add(pair)
        db.session.commit()
        pairs[compartment] = pair.id
    export = SubjectAccessRequest(person=request.subjects[0], asked_by=target,
                                  reason="Letter from the citizen, ref. 118")
    db.session.add(export)
    db.session.commit()
    views = {}
    for kind, owner in (("consular_request", target), ("liaison_case", liaison)):
        view = SavedView(kind=kind, owner=owner, name="Sample view", filters="{}",
                         sort="newest", shared_office=office)
        db.session.add(view)
        db.session.commit()
        views[kind] = view.id
    return {
        "consular": {**common, "reference": request.reference,
                     "person_id": request.subjects[0].id, "document_id": document.id,
                     "name": "wait", "pair_id": pairs["consular"], "decision": "merge",
                     "view_id": views["consular_request"], "export_id": export.id,
                     "outcome": "approve"},
        "police": {**common, "reference": case.reference, "person_id": party.person_id,
                   "document_id": police_document.id, "link_id": link.id,
                   "name": "await_counterpart", "pair_id": pairs["police"],
                   "decision": "merge", "view_id": views["liaison_case"]},
    }


@pytest.mark.parametrize("role", EVERYONE, ids=str)
def test_answers_match_the_matrix(app, role):
    target_office = make_office()
    values = sample_values(target_office)
    wrong = []
    for rule, method in routes(app):
        limiter.reset()  # one sign-in per route: more than an address may make in a minute
        client = app.test_client()
        data = {}
        if role != ANON:
            actor = make_user(role, office=target_office)
            assert login(client, actor.email).status_code == 302
        data["csrf_token"] = csrf_token(client)
        url = _url(app, rule, values["police" if rule.endpoint.startswith("police")
                                     else "consular"])
        response = client.open(url, method=method, data=data if method == "POST" else None)
        expected = MATRIX[(rule.endpoint, method)][role]
        if response.status_code != expected:
            wrong.append((method, url, expected, response.status_code))
        if response.status_code == 302 and role == ANON and expected == 302:
            assert "/login" in response.headers["Location"]
    assert not wrong, f"{role}: (method, url, expected, got) {wrong}"


def test_unknown_page_is_404_for_everyone(client, login_as):
    assert client.get("/no/such/page").status_code == 404
    assert login_as(Role.MANAGER).get("/no/such/page").status_code == 404


def test_a_view_without_declared_roles_is_refused_to_everyone(app, login_as):
    """Deny by default: forgetting the decorator closes the page, it does not open it."""
    from tracker import create_app
    from tracker.config import make_test_config

    fresh = create_app(make_test_config(app.config["SQLALCHEMY_DATABASE_URI"]))
    fresh.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    admin = make_user(Role.ADMINISTRATOR)
    client = fresh.test_client()
    login(client, admin.email)
    assert client.get("/forgotten").status_code == 403
    assert fresh.test_client().get("/forgotten").status_code == 302


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_navigation_shows_exactly_the_pages_the_role_may_open(app, login_as, role):
    """A link in the main navigation is there when, and only when, its page opens (the matrix)."""
    import re

    from tracker.web import NAVIGATION

    html = login_as(role).get("/").get_data(as_text=True)
    nav = html[html.index('<nav aria-label="Main">'):html.index("</nav>")]
    shown = re.findall(r'<a href="([^"]+)"', nav)
    with app.test_request_context():
        from flask import url_for

        expected = [url_for(endpoint) for _, endpoint, _ in NAVIGATION
                    if MATRIX[(endpoint, "GET")][role] == 200]
    assert shown == expected
