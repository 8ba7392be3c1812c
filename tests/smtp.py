"""A real SMTP server on a free local port (aiosmtpd), for the tests and the benchmark:
it records what it accepts, can refuse chosen recipients, answer slowly, hold a
conversation until released, or be down."""

import asyncio
import logging
import socket
import threading
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

# aiosmtpd logs every command at INFO; only its problems matter here.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    def __init__(self):
        self.messages = []  # email.message.EmailMessage, as accepted
        self.accepted_at = []  # time.monotonic() of each, in the same order
        self.refuse = set()  # recipients answered 550
        self.delay = 0.0  # seconds before accepting each message
        self.hold = threading.Event()  # cleared: MAIL FROM waits until it is set
        self.hold.set()
        self.held = threading.Event()  # set when a conversation is being held
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if not self.hold.is_set():
            self.held.set()
            while not self.hold.is_set():
                await asyncio.sleep(0.02)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.accepted_at.append(time.monotonic())
        return "250 2.0.0 Message accepted for delivery"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


class SMTPServer:
    """Start with .start(), stop with .stop(); .url is what EMAIL_URL takes."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.recorder = Recorder()
        self.controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.recorder.messages
