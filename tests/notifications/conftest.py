"""An SMTP server in the test process (aiosmtpd) that keeps what it receives."""
from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller


class Keeper:
    """An aiosmtpd handler that keeps each message, or refuses while told to."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app, context_app):
    """A running SMTP server; the apps' mail settings point at it for the test."""
    keeper = Keeper()
    controller = Controller(keeper, hostname="127.0.0.1", port=_free_port())
    controller.start()
    keeper.port = controller.port
    names = ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT")
    saved = [(a, {k: a.config[k] for k in names}) for a in (app, context_app)]
    for application, _ in saved:
        application.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                                  MAIL_PORT=controller.port)
    try:
        yield keeper
    finally:
        for application, values in saved:
            application.config.update(values)
        controller.stop()
