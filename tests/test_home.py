from tracker.auth.models import Role


def test_home_after_sign_in(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    page = officer.get("/")
    assert page.status_code == 200
    assert officer.user.display_name.split()[0] in page.get_data(as_text=True)


def test_home_shows_recent_sign_ins_including_failures(app, login_as):
    from tests.conftest import login

    officer = login_as(Role.MANAGER)
    login(app.test_client(), officer.user.email, "somebody guessing wrong")
    html = officer.get("/").get_data(as_text=True)
    assert "Your recent sign-ins" in html
    assert "Failed attempt" in html and "Signed in" in html


def test_audit_details_read_as_words(login_as):
    from tests.conftest import make_user

    admin = login_as(Role.ADMINISTRATOR)
    target = make_user(Role.MANAGER)  # a demotion: one step (a promotion takes two)
    admin.post(f"/admin/users/{target.id}", {
        "display_name": target.display_name, "role": "consular_officer",
        "office": str(target.office_id), "active": "y", "version": str(target.version)})
    html = admin.get("/admin/audit/?action=user.role").get_data(as_text=True)
    assert "role: Manager → Consular officer" in html
