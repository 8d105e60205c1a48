"""Signed requests from external systems: ``X-Treem-Signature: sha256=<hex>`` is the HMAC-SHA256, with the system's
signing secret, of ``<X-Treem-Timestamp>.<raw body>``; the timestamp (Unix seconds) must be within five minutes of
the server's clock, so a captured request cannot be replayed later. The timestamp is inside the signed text
because a timestamp outside it could be changed by whoever replays the request."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

MAX_SKEW_SECONDS = 5 * 60
SIGNATURE_PREFIX = "sha256="


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    """The header value a sender puts in ``X-Treem-Signature``."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def signature_problem(*, secret: str, signature: str, timestamp: str, body: bytes, now: datetime) -> str:
    """Why a signature is refused (a Vietnamese sentence), or "" when it is good."""
    if not timestamp.strip().isdigit():
        return "Thiếu hoặc sai X-Treem-Timestamp (số giây Unix)."
    if abs(now.timestamp() - int(timestamp)) > MAX_SKEW_SECONDS:
        return "X-Treem-Timestamp lệch quá 5 phút so với máy chủ: yêu cầu cũ hoặc đồng hồ sai."
    if not signature.startswith(SIGNATURE_PREFIX):
        return "X-Treem-Signature phải có dạng sha256=<hex>."
    expected = sign(secret=secret, timestamp=timestamp.strip(), body=body)
    if not hmac.compare_digest(expected, signature.strip()):
        return "Chữ ký X-Treem-Signature không khớp với nội dung."
    return ""
