"""A real SMTP server for the email tests: aiosmtpd on a free loopback port.

`Mailbox` is an aiosmtpd handler that can accept and keep messages, answer DATA with
given replies first ("451 …" twice, "550 …"), refuse recipients, hold every DATA a while
before accepting, or stall without ever accepting. The fixture `smtp` (tests/conftest.py)
points Django's SMTP backend at it.
"""

import asyncio
import email
import email.policy
import threading

from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self):
        self.messages = []  # accepted, as email.message.EmailMessage
        self.refused = []  # given a reply other than 250 at DATA
        self.replies = []  # DATA replies to give first, in order
        self.rejected = set()  # recipients refused at RCPT
        self.delay = 0.0  # seconds to hold DATA before answering it
        self.stall = False  # hold DATA and never accept it
        self.stalled = threading.Event()
        self.port = None  # set by the `smtp` fixture

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rejected:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        if self.stall:
            self.stalled.set()
            await asyncio.sleep(120)
            self.refused.append(message)
            return "451 4.4.2 Stalled"
        await asyncio.sleep(self.delay)
        if self.replies:
            self.refused.append(message)
            return self.replies.pop(0)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list:
        return [message for message in self.messages if message["To"] == address]


class LoopbackController(Controller):
    """aiosmtpd's Controller, on the free port the system picks (port=0)."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()
