"""Rule 8: the figures on each role's home page are what the database holds."""
from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.conftest import (
    login,
    make_liaison_case,
    make_office,
    make_person,
    make_request,
    make_user,
)
from tracker.auth.models import OfficeKind, Role
from tracker.consular import services as consular
from tracker.consular.models import ConsularRequest, Enquiry
from tracker.consular import access
from tracker.db import utcnow
from tracker.extensions import db
from tracker.police import services as police
from tracker.police.models import Exchange, LiaisonCase
from tracker.reports.periods import Month

from .pages import html_tables

CARD = re.compile(r'<span class="card-figure">([^<]*)</span><span class="card-label">([^<]*)'
                  r'</span>')
OPEN = ("new", "in_progress", "waiting", "pending_approval")


def cards(client) -> dict[str, str]:
    response = client.get("/")
    assert response.status_code == 200
    return {label: figure for figure, label in CARD.findall(response.get_data(as_text=True))}


def requests() -> list[ConsularRequest]:
    db.session.expire_all()
    return list(db.session.scalars(select(ConsularRequest).order_by(ConsularRequest.id)))


@pytest.fixture
def offices(app):
    return (make_office(kind=OfficeKind.EMBASSY),
            make_office(kind=OfficeKind.HONORARY_CONSULATE))


def _queues(offices):
    """Mine: 3 open (1 overdue, 1 waiting), 1 resolved; 2 unassigned at my office; others'."""
    home, other = offices
    me = make_user(Role.CONSULAR_OFFICER, office=home)
    colleague = make_user(Role.CONSULAR_OFFICER, office=home)
    mine = [make_request(officer=me) for _ in range(4)]
    mine[0].due_at = utcnow() - timedelta(days=2)  # overdue
    db.session.commit()
    consular.move(mine[1], me, "wait", waiting_on="applicant", waiting_reason="Photos")
    mine[1].due_at = utcnow() - timedelta(days=2)  # waiting: its clock is stopped
    db.session.commit()
    consular.move(mine[3], me, "start")
    consular.move(mine[3], me, "resolve", closing_reason="issued")
    for _ in range(2):
        make_request(officer=colleague, assigned=False)
    death = make_request(officer=colleague, category="death:notification")
    consular.move(death, colleague, "start")
    consular.move(death, colleague, "request_approval", closing_reason="repatriated")
    elsewhere = make_user(Role.CONSULAR_OFFICER, office=other)
    late = make_request(officer=elsewhere, assigned=False)
    late.due_at = utcnow() - timedelta(days=1)
    db.session.commit()
    return me


def test_the_officer_sees_the_queues_of_what_they_may_read(app, offices):
    me = _queues(offices)
    client = app.test_client()
    assert login(client, me.email).status_code == 302
    shown = cards(client)
    # An embassy officer reads the requests of the consulates' districts too.
    readable = [r for r in requests() if access.serves(me, r.office)]
    now = utcnow()
    assert shown["open requests assigned to you"] == str(sum(
        1 for r in readable if r.status in OPEN and r.assigned_to_id == me.id)) == "3"
    assert shown[f"not yet assigned at {me.office.code}"] == str(sum(
        1 for r in readable if r.status in OPEN and r.assigned_to_id is None
        and r.office_id == me.office_id)) == "2"
    assert shown["overdue"] == str(sum(
        1 for r in readable if r.status in OPEN and r.status != "waiting"
        and r.due_at < now)) == "2"  # mine, and the consulate's (its district is served)
    assert shown["waiting (clock stopped)"] == str(sum(
        1 for r in readable if r.status == "waiting")) == "1"
    assert "waiting for your approval" not in shown


def test_the_manager_sees_queues_for_all_offices_and_this_month_beside_last(login_as, offices):
    _queues(offices)
    home, other = offices
    manager = login_as(Role.MANAGER, office=home)
    zone = home.time_zone
    this = Month.containing(utcnow(), zone)
    last_start, _ = this.previous().bounds(zone)
    officer = make_user(Role.CONSULAR_OFFICER, office=other)
    for days in (1, 2):
        consular.create_request(officer, other, consular.RequestInput(
            category="advice", subcategory="general", priority="routine", channel="phone",
            summary="Last month", assigned_to_id=officer.id), [make_person()],
            opened_at=last_start + timedelta(days=days))
    db.session.commit()
    resolved_last_month = requests()[-1]
    consular.move(resolved_last_month, officer, "start")
    consular.move(resolved_last_month, officer, "resolve", closing_reason="advice_given")
    resolved_last_month.resolved_at = last_start + timedelta(days=3)
    for day in (this.first_day, this.previous().first_day, this.previous().first_day):
        db.session.add(Enquiry(office_id=other.id, received_on=day, channel="email",
                               topic="advice", handled_by_id=officer.id))
    liaison = make_user(Role.POLICE_LIAISON_OFFICER, office=home)
    make_liaison_case(liaison)
    old, _, _ = make_liaison_case(liaison)
    old.opened_at = last_start + timedelta(hours=1)
    db.session.commit()

    response = manager.get("/")
    html = response.get_data(as_text=True)
    table = html_tables(html)["This month so far and last month"]
    this_start, this_end = this.bounds(zone)
    everything = requests()

    def within(moment, start, end):
        return moment is not None and start <= moment < end

    last_end = this_start
    expected = {
        "Requests opened": (sum(within(r.opened_at, this_start, this_end) for r in everything),
                            sum(within(r.opened_at, last_start, last_end) for r in everything)),
        "Requests resolved": (
            sum(within(r.resolved_at, this_start, this_end) for r in everything),
            sum(within(r.resolved_at, last_start, last_end) for r in everything)),
        "Enquiries": (
            sum(1 for e in db.session.scalars(select(Enquiry))
                if this.first_day <= e.received_on < this.next().first_day),
            sum(1 for e in db.session.scalars(select(Enquiry))
                if this.previous().first_day <= e.received_on < this.first_day)),
        "Liaison cases opened": (
            sum(within(c.opened_at, this_start, this_end)
                for c in db.session.scalars(select(LiaisonCase))),
            sum(within(c.opened_at, last_start, last_end)
                for c in db.session.scalars(select(LiaisonCase)))),
    }
    assert expected["Requests opened"] == (8, 2)
    assert expected["Requests resolved"] == (1, 1)
    assert expected["Enquiries"] == (1, 2)
    assert expected["Liaison cases opened"] == (1, 1)
    for label, (now, before) in expected.items():
        if label == "Liaison cases opened":
            # Police figures reach a manager as aggregates only: small counts hidden.
            assert table.row(label) == ["<5", "<5"], label
            continue
        assert table.row(label) == [str(now), str(before)], label
    shown = {label: figure for figure, label in CARD.findall(html)}
    assert shown["waiting for your approval"] == "1"
    now = utcnow()
    # All offices: mine, the other office's late one, last month's open advice request.
    assert shown["overdue"] == str(sum(
        1 for r in requests() if r.status in OPEN and r.status != "waiting"
        and r.due_at < now)) == "3"
    assert shown[f"not yet assigned at {home.code}"] == "2"


def test_the_liaison_officer_sees_the_police_figures(login_as, offices):
    home, _ = offices
    liaison = login_as(Role.POLICE_LIAISON_OFFICER, office=home)
    me = liaison.user
    cases = [make_liaison_case(me, category=kind)[0]
             for kind in ("homicide", "fraud", "drug_trafficking", "other", "missing_person")]
    police.move(cases[0], me, "activate")
    police.move(cases[0], me, "await_counterpart", waiting_reason="FIA reply")
    police.move(cases[1], me, "activate")
    police.move(cases[1], me, "request_mla")
    police.move(cases[2], me, "close", closing_reason="arrest")
    today = utcnow().astimezone(ZoneInfo(home.time_zone)).date()
    for direction in ("sent", "sent", "received"):
        police.add_exchange(cases[3], me, police.ExchangeInput(
            exchanged_on=today, direction=direction, channel="siena", counterpart="FIA",
            summary="Message", handling_code="H0"))
    police.add_exchange(cases[3], me, police.ExchangeInput(
        exchanged_on=Month.containing(utcnow(), home.time_zone).first_day - timedelta(days=1),
        direction="received", channel="siena", counterpart="FIA", summary="Earlier",
        handling_code="H0"))
    db.session.commit()
    shown = cards(liaison.client)
    db.session.expire_all()
    every = list(db.session.scalars(select(LiaisonCase)))
    month = Month.containing(utcnow(), home.time_zone)
    exchanges = [x for x in db.session.scalars(select(Exchange))
                 if month.first_day <= x.exchanged_on < month.next().first_day]
    assert shown["open liaison cases"] == str(sum(c.status != "closed" for c in every)) == "4"
    assert shown["awaiting the counterpart"] == str(
        sum(c.status == "awaiting_counterpart" for c in every)) == "1"
    assert shown["mutual legal assistance pending"] == str(
        sum(c.status == "mla_pending" for c in every)) == "1"
    sent = sum(x.direction == "sent" for x in exchanges)
    received = sum(x.direction == "received" for x in exchanges)
    assert (sent, received) == (2, 1)
    assert shown[f"exchanges sent / received in {month.label}"] == f"{sent} / {received}"
