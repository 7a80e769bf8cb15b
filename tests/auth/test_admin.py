"""Administrators manage accounts and offices in the web UI; the CLI does the same for scripts."""
from __future__ import annotations

from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, login, make_office, make_user, reload
from tracker.audit.models import AuditEvent
from tracker.auth.models import AccountChangeProposal, Office, Role, User
from tracker.extensions import db

NEW_PASSWORD = "tea in the garden at noon"


def _user_form(office, **overrides):
    return {"email": "new.officer@tracker.example", "display_name": "Nadia Rahim",
            "role": "consular_officer", "office": str(office.id), "password": NEW_PASSWORD,
            "active": "y", **overrides}


def test_create_an_account(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    office = make_office()
    response = admin.post("/admin/users/new", _user_form(office))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.officer@tracker.example"))
    assert user.role is Role.CONSULAR_OFFICER and user.office_id == office.id
    assert user.password_hash.startswith("$argon2id$")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created"))
    assert event.actor_id == admin.user.id and NEW_PASSWORD not in (event.details or "")
    assert login(admin.client.application.test_client(), user.email,
                 NEW_PASSWORD).status_code == 302


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    office = make_office()
    cases = {
        "email": ("not-an-address", "Enter an e-mail address"),
        "password": ("too short", "at least 15"),
        "role": ("emperor", "Not a valid choice"),
        "display_name": ("", "This field is required"),
    }
    for field, (value, message) in cases.items():
        response = admin.post("/admin/users/new", _user_form(office, **{field: value}))
        html = response.get_data(as_text=True)
        assert response.status_code == 422, field
        assert message in html, field
        assert f'id="{field}-error-1"' in html, field  # the error sits by its field
        assert 'aria-invalid="true"' in html
    assert db.session.scalar(select(User).where(User.email.like("new.officer%"))) is None


def test_duplicate_e_mail_is_refused(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    existing = make_user()
    response = admin.post("/admin/users/new", _user_form(existing.office,
                                                         email=existing.email.upper()))
    assert response.status_code == 422
    assert "exists already" in response.get_data(as_text=True)


def test_extra_fields_are_ignored(login_as):
    """No mass assignment: fields the form does not have never reach the record."""
    admin = login_as(Role.ADMINISTRATOR)
    target = make_user()
    response = admin.post(f"/admin/users/{target.id}", {
        "display_name": "Renamed", "role": "consular_officer",
        "office": str(target.office_id), "active": "y", "version": str(target.version),
        "email": "hijack@evil.example", "password_hash": "x", "totp_secret": "AAAA"})
    assert response.status_code == 302
    target = reload(target)
    assert target.display_name == "Renamed" and target.email != "hijack@evil.example"
    assert target.password_hash.startswith("$argon2id$") and target.totp_secret is None


def test_role_change_is_audited_with_before_and_after(login_as):
    admin, approver = login_as(Role.ADMINISTRATOR), login_as(Role.ADMINISTRATOR)
    target = make_user()
    admin.post(f"/admin/users/{target.id}", {
        "display_name": target.display_name, "role": "manager",
        "office": str(target.office_id), "active": "y", "version": str(target.version)})
    proposal = db.session.scalar(select(AccountChangeProposal)
                                 .where(AccountChangeProposal.target_id == target.id))
    approver.post(f"/admin/approvals/{proposal.id}/approve", {"version": str(proposal.version)})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert '"from": "consular_officer"' in event.details and '"to": "manager"' in event.details
    assert event.actor_id == approver.user.id


def test_two_administrators_editing_the_same_account_do_not_overwrite(login_as):
    first, second = login_as(Role.ADMINISTRATOR), login_as(Role.ADMINISTRATOR)
    target = make_user()
    opened_at = target.version
    form = {"role": "consular_officer", "office": str(target.office_id), "active": "y",
            "version": str(opened_at)}
    assert first.post(f"/admin/users/{target.id}",
                      {**form, "display_name": "First edit"}).status_code == 302
    late = second.post(f"/admin/users/{target.id}", {**form, "display_name": "Second edit"})
    assert late.status_code == 409
    assert "changed by someone else" in late.get_data(as_text=True)
    assert reload(target).display_name == "First edit"


def test_the_last_administrator_cannot_be_removed(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    for other in db.session.scalars(select(User).where(User.role == Role.ADMINISTRATOR,
                                                       User.id != admin.user.id)):
        other.active = False
    db.session.commit()
    me = reload(admin.user)
    response = admin.post(f"/admin/users/{me.id}", {
        "display_name": me.display_name, "role": "manager", "office": str(me.office_id),
        "active": "y", "version": str(me.version)})
    assert response.status_code == 422
    assert "last active administrator" in response.get_data(as_text=True)
    assert reload(me).role is Role.ADMINISTRATOR


def test_administrator_proposes_a_password_reset_and_another_approves_it(login_as):
    """Two-step since finding 11: the proposer never learns the new password."""
    admin, approver = login_as(Role.ADMINISTRATOR), login_as(Role.ADMINISTRATOR)
    target = make_user()
    assert admin.post(f"/admin/users/{target.id}/password").status_code == 302
    app = admin.client.application
    assert login(app.test_client(), target.email, DEFAULT_PASSWORD).status_code == 302
    proposal = db.session.scalar(select(AccountChangeProposal)
                                 .where(AccountChangeProposal.target_id == target.id))
    answer = approver.post(f"/admin/approvals/{proposal.id}/approve",
                           {"version": str(proposal.version)})
    assert answer.status_code == 200
    assert "One-time password" in answer.get_data(as_text=True)
    assert login(app.test_client(), target.email, DEFAULT_PASSWORD).status_code != 302


def test_offices_are_data(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    response = admin.post("/admin/offices/new", {
        "code": "pew", "name": "Honorary Consulate of Norway, Peshawar",
        "kind": "honorary_consulate", "time_zone": "Asia/Karachi"})
    assert response.status_code == 302
    office = db.session.scalar(select(Office).where(Office.code == "PEW"))
    assert office.kind.value == "honorary_consulate"
    bad = admin.post("/admin/offices/new", {"code": "PEW", "name": "Another",
                                            "kind": "embassy", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 422
    edit = admin.post(f"/admin/offices/{office.id}", {
        "code": "PEW", "name": office.name, "kind": "honorary_consulate",
        "time_zone": "Asia/Karachi", "active": "", "version": str(office.version)})
    assert edit.status_code == 302 and reload(office).active is False


def test_stale_office_edit_is_a_conflict(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    office = make_office()
    form = {"code": office.code, "kind": "embassy", "time_zone": "Asia/Karachi",
            "active": "y", "version": str(office.version)}
    assert admin.post(f"/admin/offices/{office.id}", {**form, "name": "One"}).status_code == 302
    assert admin.post(f"/admin/offices/{office.id}", {**form, "name": "Two"}).status_code == 409


def test_unknown_records_are_404(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.get("/admin/offices/999999").status_code == 404


def test_accounts_list_and_search(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    make_user(display_name="Ørjan Åsheim")
    html = admin.get("/admin/users?q=Åsheim").get_data(as_text=True)
    assert "Ørjan Åsheim" in html


# --- command line ---------------------------------------------------------------------------


def test_cli_creates_the_first_administrator_reading_the_password_from_stdin(context_app):
    office = make_office(code="TST")
    runner = context_app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "First.Admin@tracker.example",
                                 "--role", "administrator", "--office", "TST",
                                 "--name", "First Admin"], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "first.admin@tracker.example"))
    assert user.role is Role.ADMINISTRATOR and user.office_id == office.id
    again = runner.invoke(args=["users", "create", "first.admin@tracker.example", "--role",
                                "manager", "--office", "TST"], input=NEW_PASSWORD + "\n")
    assert again.exit_code != 0 and "exists already" in again.output
    weak = runner.invoke(args=["users", "create", "weak@tracker.example", "--role",
                               "manager", "--office", "TST"], input="password\n")
    assert weak.exit_code != 0 and "at least 15" in weak.output


def test_cli_manages_accounts(context_app):
    user = make_user()
    runner = context_app.test_cli_runner()
    assert runner.invoke(args=["users", "set-role", user.email, "manager"]).exit_code == 0
    assert reload(user).role is Role.MANAGER
    assert runner.invoke(args=["users", "set-password", user.email],
                         input=NEW_PASSWORD + "\n").exit_code == 0
    assert runner.invoke(args=["users", "reset-second-factor", user.email]).exit_code == 0
    assert runner.invoke(args=["users", "end-sessions", user.email]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", user.email]).exit_code == 0
    assert reload(user).active is False
    listing = runner.invoke(args=["users", "list"]).output
    assert user.email in listing and "inactive" in listing
    assert runner.invoke(args=["users", "deactivate", "nobody@x.example"]).exit_code != 0
    assert DEFAULT_PASSWORD
