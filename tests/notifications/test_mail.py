"""Mail: nothing of a case in it, the account's choices, the daily summary, the outbox sent
once even when the command runs twice, failures tried again later. A real SMTP server
(aiosmtpd) receives the mail and the tests read it."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.conftest import (
    make_document,
    make_liaison_case,
    make_office,
    make_person,
    make_request,
    make_user,
)
from tracker.auth import approvals
from tracker.auth.models import OfficeKind, Role
from tracker.cases import assignment, journal
from tracker.consular import services as consular
from tracker.db import utcnow
from tracker.extensions import db
from tracker.notifications import mail, service
from tracker.notifications.models import (
    Delivery,
    MailStatus,
    Notification,
    NotificationKind as K,
    OutboxMail,
)
from tracker.police import services as police

UTC = timezone.utc
NAME, SUMMARY, TITLE = "Zyxmarkør Navnesen", "Zyxmarkør summary of a death", "Zyxmarkør title"
POLICE_WORDS = ("police", "politi", "liaison", "kripos", "break", "restricted", "begrens",
                "fia", "interpol", "notice")


def outbox() -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def everything_by_mail(*users):
    for user in users:
        service.set_choices(user, {kind: Delivery.EMAIL_NOW for kind in K})
    db.session.commit()


@pytest.fixture
def embassy(app):
    return make_office(kind=OfficeKind.EMBASSY)


def raise_every_event(embassy):
    """Every kind of event, on cases full of marker strings; everyone chose mail at once."""
    officer = make_user(Role.CONSULAR_OFFICER, office=embassy, language="nb")
    colleague = make_user(Role.CONSULAR_OFFICER, office=embassy)
    manager = make_user(Role.MANAGER, office=embassy)
    liaison = make_user(Role.POLICE_LIAISON_OFFICER, office=embassy)
    other_liaison = make_user(Role.POLICE_LIAISON_OFFICER, office=embassy)
    admins = [make_user(Role.ADMINISTRATOR, office=embassy) for _ in range(2)]
    everything_by_mail(officer, colleague, manager, liaison, other_liaison)

    request = make_request(officer=officer, category="death:repatriation", summary=SUMMARY,
                           subject=make_person(NAME), assigned=False)
    assignment.assign(request, colleague, officer)
    journal.add_note(request, colleague, f"Note about {NAME}")
    make_document(request, colleague, filename=f"{NAME}.pdf")
    consular.move(request, officer, "start")
    consular.move(request, officer, "request_approval", closing_reason="repatriated")
    consular.move(request, manager, "send_back", comment="Missing the permit")
    consular.move(request, officer, "request_approval", closing_reason="repatriated")
    consular.move(request, manager, "approve")
    consular.move(request, officer, "close")
    waiting = make_request(officer=officer, summary=SUMMARY, subject=make_person(NAME))
    consular.move(waiting, officer, "wait", waiting_on="applicant", waiting_reason=NAME,
                  hold_until=date(2026, 3, 11), at=datetime(2026, 3, 8, 6, 0, tzinfo=UTC))
    db.session.commit()
    consular.wake_held_requests(datetime(2026, 3, 11, 6, 0, tzinfo=UTC))

    case, _, _ = make_liaison_case(liaison, title=TITLE)
    assignment.assign(case, other_liaison, liaison)
    journal.add_note(case, other_liaison, f"Kripos asks about {NAME}")
    police.set_restriction(case, liaison, True, [])
    db.session.commit()
    police.break_glass(case, other_liaison, f"Interpol notice about {NAME}")
    proposal = approvals.propose_new_account(
        email="zyxmarkor@tracker.example", display_name=NAME,
        role=Role.POLICE_LIAISON_OFFICER, office=embassy, password=None, proposer=admins[0])
    db.session.flush()
    approvals.approve(proposal, admins[1], proposal.version)
    db.session.commit()
    return {"request": request, "waiting": waiting, "case": case, "officer": officer}


def test_no_mail_carries_anything_of_a_case(embassy, smtp_server):
    made = raise_every_event(embassy)
    kinds = set(db.session.scalars(select(Notification.kind).join(
        OutboxMail, OutboxMail.notification_id == Notification.id)))
    assert kinds == set(K) - {K.OVERDUE}  # every event sent a mail (overdue: the digest's)
    result = mail.send_pending()
    assert result.sent == len(outbox()) == len(smtp_server.messages) >= 10
    references = [made["request"].reference, made["waiting"].reference, made["case"].reference]
    for message in smtp_server.messages:
        text = (message["Subject"] + "\n" + message.get_content()).lower()
        assert "zyxmark" not in text
        assert not any(ref.lower() in text for ref in references)
        assert not any(word in text for word in POLICE_WORDS), text
        assert "/notifications/" in text  # the link instead


def test_mail_is_in_the_recipients_language(embassy, smtp_server):
    raise_every_event(embassy)
    mail.send_pending()
    officer = db.session.scalar(select(Notification.user_id).where(
        Notification.kind == K.ASSIGNED).order_by(Notification.id))
    to_officer = [m for m in outbox() if m.user_id == officer]
    assert any("tildelt deg" in m.subject for m in to_officer), [m.subject for m in to_officer]
    others = [m for m in outbox() if m.user_id != officer]
    assert any("approval" in m.subject for m in others)


def test_each_accounts_choice_per_kind_is_kept(embassy):
    officer = make_user(Role.CONSULAR_OFFICER, office=embassy)
    colleague = make_user(Role.CONSULAR_OFFICER, office=embassy)
    service.set_choices(officer, {K.NOTE_ADDED: Delivery.IN_APP,
                                  K.DOCUMENT_ADDED: Delivery.EMAIL_NOW})
    db.session.commit()
    request = make_request(officer=officer)
    journal.add_note(request, colleague, "A note")  # in the tracker only
    make_document(request, colleague)  # and by mail at once
    assignment.assign(request, colleague, None)
    assignment.assign(request, colleague, officer)  # the default: mail at once
    db.session.commit()
    assert [n.kind for n in db.session.scalars(select(Notification).order_by(Notification.id))
            ] == [K.NOTE_ADDED, K.DOCUMENT_ADDED, K.ASSIGNED]
    mailed = [db.session.get(Notification, m.notification_id).kind for m in outbox()]
    assert mailed == [K.DOCUMENT_ADDED, K.ASSIGNED]


def test_the_defaults_mail_approvals_and_assignment_and_keep_the_rest_for_the_summary(embassy):
    officer = make_user(Role.CONSULAR_OFFICER, office=embassy)
    choices = service.choices_of(officer)
    assert {k for k, d in choices.items() if d is Delivery.EMAIL_NOW} == {
        K.ASSIGNED, K.APPROVAL_NEEDED, K.APPROVED, K.SENT_BACK}
    assert {k for k, d in choices.items() if d is Delivery.DIGEST} == set(K) - {
        K.ASSIGNED, K.APPROVAL_NEEDED, K.APPROVED, K.SENT_BACK}


def test_the_daily_summary_counts_and_is_written_once_a_day(embassy, smtp_server):
    officer = make_user(Role.CONSULAR_OFFICER, office=embassy)
    colleague = make_user(Role.CONSULAR_OFFICER, office=embassy)
    request = make_request(officer=officer, summary=SUMMARY, subject=make_person(NAME))
    late = make_request(officer=officer, summary=SUMMARY)
    late.due_at = utcnow() - timedelta(days=2)
    for text in ("One", "Two", "Three"):
        journal.add_note(request, colleague, text)
    make_document(request, colleague)
    db.session.commit()
    assert mail.queue_digests() == 1
    assert mail.queue_digests() == 0  # the same day again: nothing more
    digests = [m for m in outbox() if m.dedupe_key]
    assert [m.user_id for m in digests] == [officer.id]
    body = digests[0].body
    assert "3 × A note was added to a case assigned to you" in body
    assert "1 × A document was added to a case assigned to you" in body
    assert "1 × Cases are past their due date" in body
    assert "zyxmark" not in body.lower() and request.reference not in body
    overdue = db.session.scalars(select(Notification).where(Notification.kind == K.OVERDUE)
                                 ).all()
    assert [(n.user_id, n.count, n.case_id) for n in overdue] == [(officer.id, 1, None)]
    # What comes after today's summary waits for tomorrow's.
    journal.add_note(request, colleague, "Four")
    db.session.commit()
    assert mail.queue_digests() == 0
    tomorrow = utcnow() + timedelta(days=1)
    assert mail.queue_digests(tomorrow) == 1
    assert "1 × A note was added" in outbox()[-1].body
    assert mail.send_pending(tomorrow).sent == 2
    assert len(smtp_server.messages) == 2


def test_overdue_counts_a_managers_office_and_an_officers_own(embassy):
    officer = make_user(Role.CONSULAR_OFFICER, office=embassy)
    manager = make_user(Role.MANAGER, office=embassy)
    other_manager = make_user(Role.MANAGER, office=make_office(kind=OfficeKind.EMBASSY))
    liaison = make_user(Role.POLICE_LIAISON_OFFICER, office=embassy)
    for _ in range(2):
        late = make_request(officer=officer)
        late.due_at = utcnow() - timedelta(days=1)
    unassigned = make_request(officer=officer, assigned=False)
    unassigned.due_at = utcnow() - timedelta(days=1)
    # Another office's request, assigned to the officer by an insider: they may not read it,
    # so it is not counted for them.
    elsewhere = make_request(office=make_office(kind=OfficeKind.EMBASSY))
    elsewhere.assigned_to_id, elsewhere.due_at = officer.id, utcnow() - timedelta(days=1)
    case, _, _ = make_liaison_case(liaison)  # the liaison officer's own; no manager counts it
    case.due_at = utcnow() - timedelta(days=1)
    db.session.commit()
    mail.raise_overdue()
    mail.raise_overdue()  # once a day
    counts = dict(db.session.execute(select(Notification.user_id, Notification.count).where(
        Notification.kind == K.OVERDUE)).all())
    assert counts[officer.id] == 2 and counts[manager.id] == 3 and counts[liaison.id] == 1
    assert other_manager.id not in counts


def test_send_run_twice_sends_each_mail_once(embassy, smtp_server):
    officer = make_user(Role.CONSULAR_OFFICER, office=embassy)
    request = make_request(officer=officer, assigned=False)
    assignment.assign(request, make_user(Role.MANAGER, office=embassy), officer)
    db.session.commit()
    assert mail.send_pending().sent == 1
    assert mail.send_pending().sent == 0
    assert len(smtp_server.messages) == 1
    assert outbox()[0].status is MailStatus.SENT


def test_mail_to_an_account_deactivated_since_is_not_sent(embassy, smtp_server):
    officer = make_user(Role.CONSULAR_OFFICER, office=embassy)
    assignment.assign(make_request(officer=officer, assigned=False),
                      make_user(Role.MANAGER, office=embassy), officer)
    officer.active = False
    db.session.commit()
    assert mail.send_pending().given_up == 1
    assert smtp_server.messages == [] and outbox()[0].status is MailStatus.FAILED


def test_two_runs_at_once_claim_different_mail(embassy):
    """The second run's claim finds nothing the first has claimed (and not yet sent)."""
    officer = make_user(Role.CONSULAR_OFFICER, office=embassy)
    for _ in range(3):
        assignment.assign(make_request(officer=officer, assigned=False),
                          make_user(Role.MANAGER, office=embassy), officer)
    db.session.commit()
    now = utcnow()
    first = mail.claim(now, "a" * 32)
    second = mail.claim(now, "b" * 32)
    assert len(first) == 3 and second == []
    # A claim left by a run that died is taken again later.
    later = now + timedelta(minutes=mail.CLAIM_MINUTES + 1)
    assert mail.claim(later, "c" * 32) == first


def test_a_failure_is_tried_again_later(embassy, smtp_server):
    officer = make_user(Role.CONSULAR_OFFICER, office=embassy)
    assignment.assign(make_request(officer=officer, assigned=False),
                      make_user(Role.MANAGER, office=embassy), officer)
    db.session.commit()
    smtp_server.refuse = True
    assert mail.send_pending().failed == 1
    waiting = outbox()[0]
    assert (waiting.status, waiting.attempts) == (MailStatus.PENDING, 1)
    assert "451" in waiting.last_error
    assert mail.send_pending().sent == 0  # not before its time
    smtp_server.refuse = False
    assert mail.send_pending(utcnow() + mail.backoff(1)).sent == 1
    assert len(smtp_server.messages) == 1 and outbox()[0].status is MailStatus.SENT


def test_a_mail_is_given_up_after_the_last_try(embassy, app, context_app):
    officer = make_user(Role.CONSULAR_OFFICER, office=embassy)
    assignment.assign(make_request(officer=officer, assigned=False),
                      make_user(Role.MANAGER, office=embassy), officer)
    db.session.commit()
    context_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens
    try:
        when = utcnow()
        for _ in range(mail.MAX_ATTEMPTS):
            mail.send_pending(when)
            when += timedelta(hours=7)
    finally:
        context_app.config.update(MAIL_SERVER=app.config["MAIL_SERVER"],
                                  MAIL_PORT=app.config["MAIL_PORT"])
    gone = outbox()[0]
    assert (gone.status, gone.attempts) == (MailStatus.FAILED, mail.MAX_ATTEMPTS)
    assert mail.send_pending(when).sent == 0


def test_the_commands(app, embassy, smtp_server):
    officer = make_user(Role.CONSULAR_OFFICER, office=embassy)
    request = make_request(officer=officer)
    journal.add_note(request, make_user(Role.CONSULAR_OFFICER, office=embassy), "A note")
    db.session.commit()
    runner = app.test_cli_runner()
    digest = runner.invoke(args=["notifications", "digest"])
    assert digest.exit_code == 0 and "1 summary mail(s)" in digest.output
    sent = runner.invoke(args=["notifications", "send"])
    assert sent.exit_code == 0, sent.output
    assert "1 mail(s) sent" in sent.output
    assert len(smtp_server.messages) == 1


def test_send_with_the_outbox_page_backend_sends_nothing(app):
    assert app.config["MAIL_BACKEND"] == "outbox-page"  # tests, like development
    result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0 and "nothing is sent" in result.output
