"""Queues and the full list: filters, sorting, cursor pages, a fixed number of queries."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event

from tests.conftest import make_office, make_person, make_user
from tracker.auth.models import Role
from tracker.consular import services
from tracker.db import utcnow
from tracker.extensions import db

UTC = timezone.utc
ROW = re.compile(r'<a href="/consular/requests/([A-Z]{3}-\d{4}-\d{5})">\1</a>')


def refs(html: str) -> list[str]:
    return ROW.findall(html)


def section(html: str, anchor: str) -> str:
    return html.split(f'id="{anchor}"')[1].split("</section>")[0]


def _log(officer, *, category="passport:renewal", priority="routine", opened_at=None,
         assigned=True, office=None, summary="Listed"):
    kind, _, sub = category.partition(":")
    office = office or officer.office
    return services.create_request(officer, office, services.RequestInput(
        category=kind, subcategory=sub, priority=priority, channel="phone", summary=summary,
        assigned_to_id=officer.id if assigned else None), [make_person()],
        opened_at=opened_at)


# --- queues ---------------------------------------------------------------------------------


def test_the_three_queues(login_as):
    me = login_as(Role.CONSULAR_OFFICER)
    colleague = make_user(Role.CONSULAR_OFFICER, office=me.user.office)
    elsewhere = make_user(Role.CONSULAR_OFFICER, office=make_office())
    mine = _log(me.user)
    mine_closed = _log(me.user)
    services.move(mine_closed, me.user, "cancel", cancel_reason="duplicate")
    theirs = _log(colleague)
    unassigned = _log(colleague, assigned=False)
    unassigned_elsewhere = _log(elsewhere, assigned=False)
    overdue = _log(colleague, opened_at=utcnow() - timedelta(days=60))
    html = me.get("/consular/").get_data(as_text=True)
    assert set(refs(section(html, "q-mine"))) == {mine.reference}
    assert set(refs(section(html, "q-unassigned"))) == {unassigned.reference}
    assert set(refs(section(html, "q-overdue"))) == {overdue.reference}
    for hidden in (unassigned_elsewhere.reference, mine_closed.reference):
        assert hidden not in html
    assert theirs.reference not in section(html, "q-mine")


# --- the full list ------------------------------------------------------------------------


@pytest.fixture
def listed(app):
    """Requests of two offices that differ in every filtered field."""
    office, other = make_office(), make_office()
    officer = make_user(Role.CONSULAR_OFFICER, office=office, display_name="Aasen")
    second = make_user(Role.CONSULAR_OFFICER, office=office, display_name="Berg")
    far = make_user(Role.CONSULAR_OFFICER, office=other, display_name="Dahl")
    base = datetime(2026, 1, 12, 6, 0, tzinfo=UTC)
    made = {
        "passport": _log(officer, opened_at=base),
        "death": _log(officer, category="death:repatriation", priority="emergency",
                      opened_at=base + timedelta(days=1)),
        "urgent": _log(second, priority="urgent", opened_at=base + timedelta(days=2)),
        "other_office": _log(far, opened_at=base + timedelta(days=3)),
        # 02:00 in Karachi on 20 January is still 19 January in UTC.
        "late_night": _log(second, category="notarial:legalisation",
                           opened_at=datetime(2026, 1, 19, 21, 0, tzinfo=UTC)),
        "recent": _log(officer, category="advice:travel", opened_at=utcnow()),
    }
    services.move(made["urgent"], second, "start")
    services.move(made["death"], officer, "cancel", cancel_reason="withdrawn")
    return made, office, other, officer, second


def test_filters(login_as, listed):
    made, office, other, officer, second = listed
    manager = login_as(Role.MANAGER, office=office)

    def shown(**params):
        response = manager.get("/consular/requests/", query_string=params)
        assert response.status_code == 200
        return set(refs(response.get_data(as_text=True))) & {r.reference for r in made.values()}

    def names(*keys):
        return {made[k].reference for k in keys}

    assert shown() == names(*made)
    assert shown(status="in_progress") == names("urgent")
    assert shown(status="cancelled") == names("death")
    assert shown(category="death") == names("death")
    assert shown(category="notarial") == names("late_night")
    assert shown(office=str(other.id)) == names("other_office")
    assert shown(office=str(office.id)) == names(*(set(made) - {"other_office"}))
    assert shown(priority="emergency") == names("death")
    assert shown(priority="urgent") == names("urgent")
    assert shown(officer=str(second.id)) == names("urgent", "late_night")
    assert shown(overdue="y") == names("passport", "urgent", "other_office", "late_night")
    assert shown(opened_from="2026-01-13", opened_to="2026-01-14") == names("death",
                                                                           "urgent")
    assert shown(opened_from="2026-01-20", opened_to="2026-01-20") == names("late_night")
    assert shown(opened_to="2026-01-19") == names("passport", "death", "urgent",
                                                  "other_office")
    assert shown(status="new", office=str(office.id), opened_to="2026-01-31") == names(
        "passport", "late_night")


def test_sorting(login_as, listed):
    made, office, *_ = listed
    manager = login_as(Role.MANAGER, office=office)
    ours = {r.reference for r in made.values()}

    def order(sort):
        html = manager.get("/consular/requests/", query_string={"sort": sort}).get_data(
            as_text=True)
        return [r for r in refs(html) if r in ours]

    by_opened = sorted(made.values(), key=lambda r: r.opened_at)
    assert order("newest") == [r.reference for r in reversed(by_opened)]
    assert order("oldest") == [r.reference for r in by_opened]
    by_due = sorted(made.values(), key=lambda r: (r.due_at, r.id))
    assert order("due") == [r.reference for r in by_due]
    assert manager.get("/consular/requests/?sort=sideways").status_code == 400


@pytest.mark.parametrize("sort", ["newest", "oldest", "due"])
def test_cursor_pages(login_as, sort):
    officer = login_as(Role.CONSULAR_OFFICER)
    start = datetime(2026, 2, 2, 5, 0, tzinfo=UTC)
    made = [_log(officer.user, opened_at=start + timedelta(hours=i // 3)) for i in range(55)]
    expected = {r.reference for r in made}
    first = officer.get("/consular/requests/", query_string={"sort": sort, "status": "new"})
    html = first.get_data(as_text=True)
    page_one = refs(html)
    assert len(page_one) == 50
    link = re.search(r'href="([^"]*after=[^"]*)">Next page', html)
    assert link, "no Next page link"
    url = link.group(1).replace("&amp;", "&")
    params = parse_qs(urlsplit(url).query)
    assert params["sort"] == [sort] and params["status"] == ["new"]  # filters kept
    second = officer.get(url).get_data(as_text=True)
    page_two = refs(second)
    assert len(page_two) == 5
    assert "Next page" not in second
    assert set(page_one) | set(page_two) == expected
    assert not set(page_one) & set(page_two)
    if sort == "oldest":
        assert page_one + page_two == [r.reference for r in made]
    if sort == "newest":
        assert page_one + page_two == [r.reference for r in reversed(made)]


@pytest.mark.parametrize("after", ["", "garbage", "1_2_3", "nan_1", "inf_1", "1e400_5",
                                   "99999999999999999999_1", "1700000000.0_99999999999999999999",
                                   "-1_-1"])
def test_a_broken_cursor_is_harmless(login_as, after):
    officer = login_as(Role.CONSULAR_OFFICER)
    logged = _log(officer.user)
    response = officer.get("/consular/requests/", query_string={"after": after})
    # A cursor that cannot be read starts the list from the top; it is not an error.
    assert response.status_code == 200
    assert refs(response.get_data(as_text=True)) == [logged.reference]


# --- a fixed number of queries ----------------------------------------------------------------


def _queries(user, url: str) -> int:
    engine = db.session.get_bind().engine
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = user.get(url)
        assert response.status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize("url", ["/consular/requests/", "/consular/requests/?sort=due",
                                 "/consular/requests/?overdue=y", "/consular/",
                                 "/consular/search?q=Kari+Testesen"])
def test_list_pages_take_the_same_number_of_queries_for_3_or_40_rows(login_as, url):
    officer = login_as(Role.CONSULAR_OFFICER)
    colleague = make_user(Role.CONSULAR_OFFICER, office=officer.user.office)
    long_ago = utcnow() - timedelta(days=60)
    for i in range(3):
        _log(colleague if i % 2 else officer.user, opened_at=long_ago, summary="Listed",
             assigned=i != 2)
    officer.get(url)  # warm up: the first request of a session may write its last-use time
    few = _queries(officer, url)
    assert _queries(officer, url) == few
    for i in range(37):
        _log(colleague if i % 2 else officer.user, opened_at=long_ago, summary="Listed",
             assigned=i % 3 != 0)
    html = officer.get(url).get_data(as_text=True)
    assert len(refs(html)) >= 40 or url == "/consular/"
    many = _queries(officer, url)
    assert many == few, f"{url}: {few} queries for 3 rows, {many} for 40"
    print(f"{url}: {few} queries")
