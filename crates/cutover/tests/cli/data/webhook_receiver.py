#!/usr/bin/env python3
"""A real webhook receiver for cutover's tests, independent of cutover's code.

Usage: webhook_receiver.py PORT SECRET LOG [DELAY_SECONDS]

Listens on 127.0.0.1:PORT (0: any free port; the port is printed on the first
line of stdout). For every POST it verifies the HMAC-SHA256 signature with
Python's own `hmac` (`X-Cutover-Signature: sha256=HEX` over
`"{X-Cutover-Timestamp}.{body}"`), validates a request to a path ending in
`/slack` with the Slack SDK's Block Kit models (`slack_sdk.models.blocks`,
`validate_json()` enforces Slack's documented limits) and appends one JSON line
to LOG: the idempotency key, the path, the parsed body, and both verdicts.
It de-duplicates by idempotency key the way a receiver should: `duplicate` is
true for a key seen before. With DELAY_SECONDS it waits that long before
answering (a slow receiver, so a sender can be killed mid-send).
"""

import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, SECRET, LOG = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
DELAY = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
SEEN = set()
LOCK = threading.Lock()


def slack_verdict(payload):
    """None when valid for Slack's incoming webhooks, else the problem."""
    from slack_sdk.models.blocks import Block

    if not isinstance(payload.get("text"), str) or not payload["text"]:
        return "no top-level text"
    try:
        for raw in payload.get("blocks", []):
            block = Block.parse(raw)
            if block is None:
                return f"unknown block {raw.get('type')}"
            block.validate_json()
    except Exception as error:  # the SDK raises SlackObjectFormationError
        return f"{type(error).__name__}: {error}"
    if len(payload.get("blocks", [])) > 50:
        return "more than 50 blocks"
    return None


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        if DELAY:
            time.sleep(DELAY)
        timestamp = self.headers.get("x-cutover-timestamp", "")
        signature = self.headers.get("x-cutover-signature")
        expected = "sha256=" + hmac.new(SECRET, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        payload = json.loads(body)
        key = self.headers.get("idempotency-key")
        with LOCK:
            duplicate = key in SEEN
            SEEN.add(key)
            record = {
                "key": key,
                "path": self.path,
                "kind": self.headers.get("x-cutover-kind"),
                "signature_valid": signature is not None and hmac.compare_digest(signature, expected),
                "slack_problem": slack_verdict(payload) if self.path.endswith("/slack") else None,
                "duplicate": duplicate,
                "payload": payload,
            }
            with open(LOG, "a", encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
