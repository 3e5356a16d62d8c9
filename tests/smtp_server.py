"""A real SMTP server on a free loopback port (aiosmtpd), for the email delivery tests: it
counts the connections made to it and keeps every message it accepted. With a `delay`, it
takes that long over each message before accepting it (a slow mail server): a client that
goes away meanwhile never gets the "250", and the message is not kept."""

import asyncio
import email
import socket
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


def free_port():
    """A TCP port nobody listens on at this moment (loopback only)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """aiosmtpd handler: keeps what it accepted."""

    def __init__(self, delay=0):
        self.delay = delay
        self.lock = threading.Lock()
        self.messages = []
        self.connections = 0

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            # aiosmtpd cancels this if the client disconnects: nothing is accepted then.
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class CountingSMTP(SMTP):
    def connection_made(self, transport):
        with self.event_handler.lock:
            self.event_handler.connections += 1
        super().connection_made(transport)


class CountingController(Controller):
    def factory(self):
        return CountingSMTP(self.handler, **self.SMTP_kwargs)


class SmtpServer:
    """Start, stop ("the mail server is down") and start again on the same port."""

    def __init__(self, delay=0):
        self.port = free_port()
        self.recorder = Recorder(delay=delay)
        self.controller = None

    def start(self):
        self.controller = CountingController(
            self.recorder, hostname="127.0.0.1", port=self.port, ready_timeout=5
        )
        self.controller.start()
        with self.recorder.lock:
            self.recorder.connections = 0  # start() connects once to check the server is up

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return list(self.recorder.messages)

    @property
    def connections(self):
        return self.recorder.connections

    def message_ids(self):
        return [message["Message-ID"] for message in self.messages]

    def recipients(self):
        return sorted(message["To"] for message in self.messages)
