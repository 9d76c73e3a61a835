#!/usr/bin/env python3
"""Verify a TokenBroker webhook delivery (Standard Webhooks scheme), with the Python standard library only.

    verify(secret, headers, body) -> None, or raises WebhookRejected with the reason

Command line (used by the broker's own tests):
    verify_webhook.py SECRET WEBHOOK_ID WEBHOOK_TIMESTAMP WEBHOOK_SIGNATURE BODY_FILE [NOW]
exits 0 when valid, 1 for a bad signature, 2 for a timestamp outside the tolerance (a replay or a stale delivery).
"""
import base64
import hashlib
import hmac
import sys
import time

TOLERANCE_SECONDS = 5 * 60


class WebhookRejected(Exception):
    def __init__(self, reason, code):
        super().__init__(reason)
        self.code = code


def key_from_secret(secret: str) -> bytes:
    # A "whsec_<base64>" secret stands for its decoded bytes; any other secret for its UTF-8 bytes.
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_"):])
    return secret.encode("utf-8")


def verify(secret: str, webhook_id: str, timestamp: str, signature_header: str, body: bytes, now: float = None) -> None:
    now = time.time() if now is None else now
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookRejected("webhook-timestamp is not a number", 2)
    if abs(now - sent_at) > TOLERANCE_SECONDS:
        raise WebhookRejected("webhook-timestamp is too old or too new (a replay?)", 2)
    signed = webhook_id.encode("utf-8") + b"." + timestamp.encode("utf-8") + b"." + body
    expected = base64.b64encode(hmac.new(key_from_secret(secret), signed, hashlib.sha256).digest()).decode("ascii")
    # The header may carry several space-separated signatures (during a secret rotation): one match is enough.
    for candidate in signature_header.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return
    raise WebhookRejected("no webhook-signature matches", 1)


if __name__ == "__main__":
    secret, webhook_id, timestamp, signature, body_file = sys.argv[1:6]
    now = float(sys.argv[6]) if len(sys.argv) > 6 else None
    with open(body_file, "rb") as f:
        body = f.read()
    try:
        verify(secret, webhook_id, timestamp, signature, body, now)
    except WebhookRejected as rejected:
        print(rejected, file=sys.stderr)
        sys.exit(rejected.code)
    print("valid")
