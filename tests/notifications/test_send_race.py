"""Two `flask notifications send` runs at the same moment, on a database of their own with real
commits: every mail goes exactly once (PostgreSQL: SKIP LOCKED; SQLite: one writer)."""
from __future__ import annotations

import asyncio
import threading

import pytest
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import func, select

from tests.conftest import sibling_database
from tests.notifications.conftest import Keeper, _free_port
from tracker import create_app
from tracker.auth.models import Office, OfficeKind, Role, User
from tracker.config import make_test_config
from tracker.extensions import db
from tracker.notifications import mail
from tracker.notifications.models import MailStatus, OutboxMail

pytestmark = pytest.mark.own_database
MAILS = 30


class SlowKeeper(Keeper):
    """Takes a moment per mail, so that the two runs overlap."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


def test_two_runs_at_once_send_every_mail_exactly_once(database_url, tmp_path):
    keeper = SlowKeeper()
    controller = Controller(keeper, hostname="127.0.0.1", port=_free_port())
    controller.start()
    url = sibling_database(database_url, "send_race", tmp_path)
    race = create_app(make_test_config(url))
    race.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        with race.app_context():
            upgrade()
            office = Office(code="RCE", name="Race", kind=OfficeKind.EMBASSY,
                            time_zone="Asia/Karachi")
            user = User(email="race@tracker.example", display_name="Race Testesen",
                        role=Role.CONSULAR_OFFICER, office=office, password_hash="x")
            db.session.add(user)
            db.session.flush()
            for n in range(MAILS):
                db.session.add(OutboxMail(user_id=user.id, recipient=user.email,
                                          subject=f"Mail {n}", body="Open it in the tracker"))
            db.session.commit()
            db.session.remove()
        barrier = threading.Barrier(2)
        results = []

        def run():
            with race.app_context():
                barrier.wait()
                try:
                    results.append(mail.send_pending())
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with race.app_context():
            statuses = dict(db.session.execute(
                select(OutboxMail.status, func.count()).group_by(OutboxMail.status)).all())
            db.session.remove()
            db.engine.dispose()
    finally:
        controller.stop()
    subjects = sorted(m["Subject"] for m in keeper.messages)
    assert subjects == sorted(f"Mail {n}" for n in range(MAILS))  # each once, none twice
    assert sum(r.sent for r in results) == MAILS
    assert statuses == {MailStatus.SENT: MAILS}
