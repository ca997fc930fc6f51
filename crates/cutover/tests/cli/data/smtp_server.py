#!/usr/bin/env python3
"""A real SMTP server for cutover's tests: aiosmtpd, STARTTLS required, AUTH
required (over TLS only).

Usage: smtp_server.py CERT KEY USER PASSWORD LOG

Listens on a free port of 127.0.0.1, printed on the first line of stdout.
Every accepted mail is appended to LOG as one JSON line: envelope sender and
recipients, whether the session was encrypted, the authenticated user, and
the parsed headers and body (Python's `email` package).
"""

import email
import warnings
import email.policy
import json
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

CERT, KEY, USER, PASSWORD, LOG = sys.argv[1:6]
# aiosmtpd reads its own deprecated `login_data` on every AUTH; not ours to fix.
warnings.filterwarnings("ignore", message="Session.login_data is deprecated")


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "encrypted": session.ssl is not None,
            "user": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            "from": str(message["from"]),
            "to": [str(a) for a in message.get_all("to", [])],
            "subject": str(message["subject"]),
            "message_id": str(message["message-id"]),
            "body": message.get_content(),
        }
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
        return "250 OK"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(CERT, KEY)
port = free_port()
controller = Controller(
    Handler(),
    hostname="127.0.0.1",
    port=port,
    tls_context=context,
    require_starttls=True,
    authenticator=authenticator,
    auth_required=True,
    auth_require_tls=True,
)
controller.start()
print(port, flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
