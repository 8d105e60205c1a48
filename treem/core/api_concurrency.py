"""Optimistic concurrency for every write of ``/api/v1`` that changes an existing record.

A record the API lets a client change carries a ``version`` (also sent as its ``ETag``). A write sends back the
version it read, either as the ``If-Match`` header or as the body's ``version`` field:

- a stale ``If-Match`` answers **412 Precondition Failed**; a stale body ``version`` answers **409 Conflict**;
  both answers carry the current version, and nothing is saved;
- where the write requires a version and neither is sent, **428 Precondition Required**.

Each app keeps its own notion of a version (a counter on a case, a digest on a report or a child's record); this
module only reads what the caller sent and names the status a stale version answers.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header

from treem.core.api_errors import ApiError, ErrorOut

IF_MATCH_DESCRIPTION = "phiên bản (ETag) đã đọc; 412 nếu bản ghi đã đổi từ đó và không lưu gì"
STALE_IF_MATCH, STALE_BODY_VERSION, VERSION_MISSING = 412, 409, 428


def if_match_header(description: str = IF_MATCH_DESCRIPTION) -> Any:
    """The ``If-Match`` header parameter of a versioned write."""
    return Header(None, alias="If-Match", max_length=80, description=description)


IF_MATCH: Any = if_match_header()


class VersionConflictOut(ErrorOut):
    """A stale write: the version the record has now (send it back after re-reading the record)."""

    current_version: str = Field(description="phiên bản hiện tại của bản ghi")


def conflict_responses(conflict: type[ErrorOut] = VersionConflictOut) -> dict[int, Any]:
    """The responses every versioned write declares: 409 and 412 with the conflict schema, 428 with the error one."""
    return {STALE_BODY_VERSION: conflict, STALE_IF_MATCH: conflict, VERSION_MISSING: ErrorOut}


def expected_version(if_match: str | None, body_version: str | int | None, *,
                     required: bool = True) -> tuple[str | None, int]:
    """The version the caller read and the status a stale one answers (412 for If-Match, 409 for the body).

    ``(None, 409)`` when nothing was sent and the write does not require a version; 428 when it does."""
    if if_match:
        return if_match.strip().removeprefix("W/").strip('"'), STALE_IF_MATCH
    if body_version is not None and body_version != "":
        return str(body_version), STALE_BODY_VERSION
    if required:
        raise ApiError(VERSION_MISSING, _("Cần gửi phiên bản đã đọc (header If-Match hoặc trường version)."),
                       {"version": [_("Trường này là bắt buộc.")]})
    return None, STALE_BODY_VERSION


def set_etag(response: HttpResponse, version: str | int) -> None:
    """Send a record's version as its (strong) ETag."""
    response["ETag"] = f'"{version}"'
