from tracker.auth.models import Role


def test_home_after_sign_in(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    page = officer.get("/")
    assert page.status_code == 200
    assert officer.user.display_name.split()[0] in page.get_data(as_text=True)
