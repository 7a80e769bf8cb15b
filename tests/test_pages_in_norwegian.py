"""The pages in bokmål for a Norwegian reader, unchanged in English for everyone else; the
sign-in page's language links."""
from __future__ import annotations

import re

from tests.conftest import csrf_token, login, make_liaison_case, make_request, make_user
from tracker.auth.models import Role
from tracker.db import utcnow
from tracker.reports.periods import Month

NB = {"Accept-Language": "nb-NO,nb;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


def text(response) -> str:
    return response.get_data(as_text=True)


# --- the sign-in page's language links ----------------------------------------------------


def test_the_sign_in_page_offers_both_languages_each_named_in_itself(client):
    page = text(client.get("/login", headers=EN))
    assert re.search(r'<a href="/login\?lang=nb" lang="nb" hreflang="nb">Norsk bokmål</a>', page)
    assert re.search(r'<a href="/login\?lang=en" lang="en" hreflang="en" aria-current="true">'
                     r'English</a>', page)


def test_a_language_link_holds_for_the_session_whatever_the_browser_says(client):
    page = text(client.get("/login?lang=nb", headers=EN))
    assert '<html lang="nb">' in page
    assert "<h1>Logg inn</h1>" in page
    assert 'hreflang="nb" aria-current="true"' in page
    # Later pages without the link: still bokmål, although the browser asks for English.
    assert '<html lang="nb">' in text(client.get("/login", headers=EN))
    assert "Fant ikke siden" in text(client.get("/no-such-page", headers=EN))
    # And back.
    assert "<h1>Sign in</h1>" in text(client.get("/login?lang=en", headers=NB))
    assert '<html lang="en">' in text(client.get("/login", headers=NB))


def test_a_language_that_is_not_offered_changes_nothing(client):
    page = text(client.get("/login?lang=de", headers=EN))
    assert '<html lang="en">' in page and "<h1>Sign in</h1>" in page
    with client.session_transaction() as saved:
        assert "language" not in saved


def test_the_language_picked_before_sign_in_is_kept_after_it_and_after_sign_out(client):
    user = make_user(Role.CONSULAR_OFFICER)
    client.get("/login?lang=nb", headers=EN)
    assert login(client, user.email).status_code == 302
    home = text(client.get("/", headers=EN))
    assert '<html lang="nb">' in home and ">Logg ut</button>" in home
    out = client.post("/logout", data={"csrf_token": csrf_token(client)}, headers=EN,
                      follow_redirects=True)
    assert "Du er logget ut." in text(out) and "<h1>Logg inn</h1>" in text(out)


def test_the_accounts_own_choice_comes_before_the_sign_in_pages_link(client):
    user = make_user(Role.CONSULAR_OFFICER, language="en")
    client.get("/login?lang=nb")
    login(client, user.email)
    assert '<html lang="en">' in text(client.get("/", headers=NB))


def test_a_wrong_password_is_said_in_the_readers_language(client):
    user = make_user(Role.CONSULAR_OFFICER)
    client.get("/login?lang=nb")
    page = text(login(client, user.email, "not the password at all"))
    assert "E-postadressen eller passordet er ikke riktig." in page
    assert "Det er et problem" in page


# --- the frame of every page, error pages -------------------------------------------------


def test_navigation_and_frame_in_norwegian(login_as):
    officer = login_as(Role.MANAGER)
    page = text(officer.get("/", headers=NB))
    nav = page[page.index('<nav aria-label="Hovedmeny">'):page.index("</nav>")]
    for label in ("Forside", "Konsulært arbeid", "Henvendelser", "Rapporter"):
        assert f">{label}</a>" in nav
    assert "Gå til hovedinnholdet" in page
    assert "Personopplysninger: kun etter tjenstlig behov" in page
    english = text(officer.get("/", headers=EN))
    assert ">Consular work</a>" in english and "Skip to main content" in english


def test_error_pages_in_norwegian_and_english(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    page = officer.get("/no-such-page", headers=NB)
    assert page.status_code == 404
    assert "Feil 404" in text(page) and "<h1>Fant ikke siden</h1>" in text(page)
    assert "Gå til forsiden" in text(page)
    english = text(officer.get("/no-such-page"))
    assert "Error 404" in english and "<h1>Page not found</h1>" in english


# --- home -------------------------------------------------------------------------------


def test_the_officers_home_page_in_norwegian(login_as):
    officer = login_as(Role.CONSULAR_OFFICER, display_name="Kari Testesen")
    page = text(officer.get("/", headers=NB))
    assert "<h1>Hei, Kari</h1>" in page
    assert "åpne henvendelser tildelt deg" in page and "Hva du kan gjøre" in page
    assert "Registrer en henvendelse" in page
    assert re.search(r"Logget inn · fra \S+</li>", page)  # the sign-in just made
    english = text(officer.get("/", headers=EN))
    assert "<h1>Good to see you, Kari</h1>" in english
    assert "open requests assigned to you" in english and "Signed in · from" in english


def test_the_administrators_home_page_in_norwegian(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    page = text(admin.get("/", headers=NB))
    assert "aktive kontoer" in page and "Opprett en konto" in page
    assert "kontoendringer som venter på en annen administrator" in page


# --- administration ---------------------------------------------------------------------


def test_the_account_pages_in_norwegian(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    page = text(admin.get("/admin/users", headers=NB))
    assert "<h1>Brukerkontoer</h1>" in page and ">Sist innlogget</th>" in page
    assert "Finn etter navn eller e-post" in page
    page = text(admin.get("/admin/approvals", headers=NB))
    assert "Kontoendringer som venter på en annen administrator" in page
    assert "Ingenting venter på godkjenning." in page
    page = text(admin.get("/admin/offices", headers=NB))
    assert ">Tidssone</th>" in page and "Opprett et kontor" in page


def test_what_an_administrator_did_is_said_in_norwegian_with_the_right_plural(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    officer = login_as(Role.CONSULAR_OFFICER, display_name="Kari Testesen")
    answer = admin.post(f"/admin/users/{officer.user.id}/end-sessions", headers=NB,
                        follow_redirects=True)
    assert "1 økt for Kari Testesen er avsluttet." in text(answer)
    answer = admin.post(f"/admin/users/{officer.user.id}/password", headers=NB,
                        follow_redirects=True)
    assert "Tilbakestilling av passord for Kari Testesen er foreslått" in text(answer)
    answer = admin.post(f"/admin/users/{officer.user.id}/end-sessions", headers=EN,
                        follow_redirects=True)
    assert "0 session(s) of Kari Testesen ended." in text(answer)


def test_the_audit_log_in_norwegian(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    page = text(admin.get("/admin/audit/", headers=NB))
    assert "<h1>Revisjonslogg</h1>" in page and ">Filtrer</button>" in page
    assert "<code>flask audit verify</code> kontrollerer" in page
    assert 'data-label="Hvem"' in page


# --- consular work ----------------------------------------------------------------------


def test_the_consular_queues_and_lists_in_norwegian(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    make_request(officer=officer.user, summary="Lost passport in Lahore")
    page = text(officer.get("/consular/", headers=NB))
    assert "<h1>Konsulært arbeid</h1>" in page and "Mine henvendelser" in page
    assert 'placeholder="Referanse, ID-nummer eller navn"' in page
    assert ">Saksbehandler</th>" in page and 'data-label="Frist"' in page
    page = text(officer.get("/consular/requests/", headers=NB))
    assert "Konsulære henvendelser" in page and "Lost passport in Lahore" in page  # as stored
    english = text(officer.get("/consular/", headers=EN))
    assert "<h1>Consular work</h1>" in english and "My requests" in english


def test_logging_a_request_in_norwegian(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    page = text(officer.get("/consular/requests/new", headers=NB))
    assert "<h1>Registrer en henvendelse</h1>" in page and "Personen det gjelder" in page
    assert "Meldt av en annen?" in page and ">Registrer henvendelsen</button>" in page
    answer = officer.post("/consular/requests/new", {}, headers=NB)
    assert answer.status_code == 422 and "Det er et problem" in text(answer)


def test_enquiries_and_service_targets_in_norwegian(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    page = text(officer.get("/consular/enquiries", headers=NB))
    assert "<h1>Registrer en forespørsel</h1>" in page
    assert "Ingen forespørsler registrert ennå." in page
    admin = login_as(Role.ADMINISTRATOR)
    page = text(admin.get("/consular/service-targets", headers=NB))
    assert "<h1>Behandlingsfrister</h1>" in page and ">Virkedager</th>" in page


def test_the_duplicate_queue_in_norwegian(login_as):
    manager = login_as(Role.MANAGER)
    page = text(manager.get("/consular/duplicates", headers=NB))
    assert "<h1>Mulige dubletter</h1>" in page and "Ingenting å sammenligne." in page


# --- reports ----------------------------------------------------------------------------


def test_the_pdf_report_is_framed_in_the_readers_language(login_as):
    from tests.reports.pages import pdf_text

    manager = login_as(Role.MANAGER, display_name="Mona Testesen")
    month = Month.containing(utcnow(), "Asia/Karachi").previous()
    norwegian = pdf_text(manager.get(f"/reports/export/pdf?month={month}&office=all",
                                     headers=NB).data)
    assert "Månedsrapport:" in norwegian and "Side 1 av" in norwegian
    assert "UTC av Mona Testesen (løpende tall, ikke publisert)" in norwegian
    english = pdf_text(manager.get(f"/reports/export/pdf?month={month}&office=all",
                                   headers=EN).data)
    assert "Monthly report:" in english and "Page 1 of" in english
    assert "UTC by Mona Testesen (live figures, not published)" in english


# --- case pages, liaison cases, the monthly report, an account's page -------------------


def test_a_request_page_and_its_action_pages_in_norwegian(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    case = make_request(officer=officer.user, summary="Lost passport in Lahore")
    page = text(officer.get(f"/consular/requests/{case.reference}", headers=NB))
    assert ">Tidslinje</h2>" in page and ">Dokumenter</h2>" in page
    assert "<strong>Opprettet</strong> som" in page and ">Hvor det skjedde</dt>" in page
    assert "Lost passport in Lahore" in page  # what is stored stays as written
    answer = officer.post(f"/consular/requests/{case.reference}/notes", {"text": "Called."},
                          headers=NB, follow_redirects=True)
    assert "Notatet er lagt til." in text(answer)
    page = text(officer.get(f"/consular/requests/{case.reference}/notes", headers=NB))
    assert ">Lagre notatet</button>" in page
    english = text(officer.get(f"/consular/requests/{case.reference}", headers=EN))
    assert ">Timeline</h2>" in english and "<strong>Opened</strong> as" in english


def test_a_liaison_case_in_norwegian(login_as):
    liaison = login_as(Role.POLICE_LIAISON_OFFICER)
    case, _party, _link = make_liaison_case(liaison.user)
    page = text(liaison.get(f"/police/cases/{case.reference}", headers=NB))
    assert ">Involverte personer</h2>" in page and ">Behandles for</dt>" in page
    assert "Ikke begrenset: alle sambandsmenn kan åpne den." in page
    page = text(liaison.get("/police/", headers=NB))
    assert "Politiavdelingen: bare sambandsmenn ser disse sidene." in page


def test_the_monthly_report_page_and_an_account_page_in_norwegian(login_as):
    manager = login_as(Role.MANAGER)
    page = text(manager.get("/reports/", headers=NB))
    assert "De siste tolv månedene" in page and "Last ned PDF" in page
    admin = login_as(Role.ADMINISTRATOR)
    page = text(admin.get(f"/admin/users/{manager.user.id}", headers=NB))
    assert ">Tilbakestill passordet</h3>" in page and "Avslutt alle økter" in page


def test_the_search_page_in_norwegian(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    page = text(officer.get("/consular/search?q=Zzyzx%25", headers=NB))
    assert "<h1>Søk</h1>" in page and "Ingen person passer." in page
    assert "Ingen henvendelse passer med «Zzyzx%»." in page
    english = text(officer.get("/consular/search?q=Zzyzx%25", headers=EN))
    assert "No request matches “Zzyzx%”." in english
