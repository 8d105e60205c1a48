"""Idempotency keys of the API's creating ``POST`` operations.

A client that creates a record (a child, a case, a referral, a service, an uploaded file…) may send an
``Idempotency-Key`` header: any string of its choosing, unique per intended creation (a UUID). The first request
with a key is carried out and its answer stored with a digest of the request; then, for
``IDEMPOTENCY_KEY_RETENTION_HOURS`` (48 by default):

- a retry with the same key and the same request (method, path, body) gets the stored answer — the same status
  and body, with the header ``Idempotent-Replayed: true`` — and creates nothing;
- the same key with another request is refused with 422 (field ``Idempotency-Key``);
- a retry while the first request is still being carried out gets 409.

Keys belong to one user (two users may use the same string). Only successful answers (2xx) are stored: a request
refused for its data may be corrected and sent again with the same key. ``purge_idempotency_keys`` (run daily)
deletes keys past their retention. The intake endpoints for other systems (``treem.protection.api_intake``) keep
their own per-system keys on each report instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Status
from pydantic import BaseModel

from treem.core.api_errors import ApiError
from treem.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_KEY: Any = Header(
    None, alias=HEADER, min_length=1, max_length=200,
    description="khóa chống tạo trùng do bạn chọn (ví dụ một UUID): gửi lại cùng khóa và cùng nội dung thì nhận lại "
                "đúng câu trả lời lần đầu, không tạo thêm; cùng khóa với nội dung khác thì 422. Khóa được nhớ 48 giờ.")


def retention() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_RETENTION_HOURS)


def request_digest(request: HttpRequest) -> str:
    """A digest of what the request asks: its method, path, query and body (JSON compared by value; a form by its
    fields and each file's name and content, since a multipart boundary changes from one sending to the next)."""
    digest = hashlib.sha256(f"{request.method} {request.path}?{request.META.get('QUERY_STRING', '')}\n".encode())
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name, values in sorted(request.POST.lists()):
            digest.update(json.dumps([name, values]).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(json.dumps([name, upload.name, upload.size]).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        try:
            digest.update(json.dumps(json.loads(request.body or b"null"), sort_keys=True).encode())
        except ValueError:
            digest.update(request.body)
    return digest.hexdigest()


def _stored_body(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def idempotent(request: HttpRequest, response: HttpResponse, key: str | None,
               create: Callable[[], Status[Any]]) -> Status[Any]:
    """Carry out ``create`` once per key: a retry of the same request replays the stored answer."""
    if not key:
        return create()
    user = request.user
    if not user.is_authenticated:  # the operations that take a key all require a signed-in caller
        return create()
    operation, digest = f"{request.method} {request.path}"[:255], request_digest(request)
    now = timezone.now()
    try:
        with transaction.atomic():
            IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=now - retention()).delete()
            record = IdempotencyKey.objects.create(user=user, key=key, operation=operation, request_digest=digest)
    except IntegrityError:
        existing = IdempotencyKey.objects.get(user=user, key=key)
        if existing.operation != operation or existing.request_digest != digest:
            raise ApiError(422, _("Khóa chống tạo trùng này đã dùng cho một yêu cầu khác."), {
                HEADER: [_("Dùng một khóa mới cho mỗi yêu cầu tạo mới.")]}) from None
        if existing.response_status is None:
            raise ApiError(409, _("Yêu cầu đầu tiên với khóa này còn đang được xử lý; hãy thử lại sau.")) from None
        response[REPLAYED_HEADER] = "true"
        return Status(existing.response_status, existing.response_body)
    try:
        result = create()
    except BaseException:
        record.delete()
        raise
    if 200 <= result.status_code < 300:
        record.response_status, record.response_body = result.status_code, _stored_body(result.value)
        record.save(update_fields=["response_status", "response_body"])
    else:
        record.delete()
    return result


def purge_idempotency_keys(*, now: datetime) -> int:
    """Delete the keys older than their retention; the number deleted."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=now - retention()).delete()
    return deleted
