"""A real SMTP server for tests: aiosmtpd on a free local port, and what arrived at it.

`smtp_server` (a pytest fixture, made available to every test by tests/conftest.py) starts the
server, points the app's MAIL_SERVER/MAIL_PORT at it for the test, and stops it afterwards:

    def test_mail(smtp_server):
        ...                                   # something that sends mail
        mail = smtp_server.one(to="aylin@kiezwerk.example")
        assert "Caseflow" in mail.subject
        url = mail.links()[0]                 # links of the plain-text part, in order
        mail.text, mail.html                  # the two parts, decoded

`smtp_server.messages` lists every `Mail` received (in order); `wait_for(n)` waits until n have
arrived (delivery runs on the server's own thread). Without the fixture the app has no
MAIL_SERVER and prints mails to the console.
"""
from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

_URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass
class Mail:
    """One message as it arrived: envelope recipients and the parsed message."""

    envelope_to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def sender(self) -> str:
        return str(self.message["From"])

    def _part(self, subtype: str) -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        return part.get_content() if part is not None else ""

    @property
    def text(self) -> str:
        return self._part("plain")

    @property
    def html(self) -> str:
        return self._part("html")

    def links(self) -> list[str]:
        return _URL.findall(self.text)


@dataclass
class _Handler:
    received: list[Mail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        with self.lock:
            self.received.append(Mail(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, host: str, port: int, handler: _Handler):
        self.host, self.port, self._handler = host, port, handler

    @property
    def messages(self) -> list[Mail]:
        with self._handler.lock:
            return list(self._handler.received)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Mail]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.messages if address in m.envelope_to]

    def one(self, *, to: str, timeout: float = 5.0) -> Mail:
        """The one mail to `address` (waits for it); fails when there is none or more than one."""
        deadline = time.monotonic() + timeout
        while not self.to(to) and time.monotonic() < deadline:
            time.sleep(0.02)
        found = self.to(to)
        assert len(found) == 1, f"expected one mail to {to}, got {len(found)}"
        return found[0]

    def clear(self) -> None:
        with self._handler.lock:
            self._handler.received.clear()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    handler = _Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()
