"""The API's one error format, shared by every operation of ``/api/v1``.

Every error answers ``{"detail": "<one sentence>", "errors": {"<field>": ["<message>", ...]}}``:

- 400 the request cannot be read: a broken JSON or multipart body, or a body of the wrong content type;
- 401 no credentials, or a bad or expired token; 403 the caller's assignments do not allow the operation;
- 404 the object is missing *or* outside the caller's scope (one answer for both);
- 409 a conflict, such as an edit based on a version somebody else has changed since;
- 422 the request was read but its data are invalid, field by field;
- 429 too many failed sign-ins: try again later (``Retry-After`` says when).

``errors`` names the fields at fault (``__all__`` for a rule on the record as a whole) and is empty when no field is.
API modules raise ``ApiError`` (or let a service's ``ValidationError``/``PermissionDenied`` through); the handlers
of ``config/api.py`` turn each of them into this format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema

REQUEST_FIELD_SOURCES = {"query", "path", "form", "file", "header", "cookie"}


class ErrorOut(Schema):
    """What every error of the API answers."""

    detail: str = Field(description="Một câu nói rõ lỗi (tiếng Việt)")
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Lỗi theo từng trường: tên trường → các thông báo; '__all__' cho lỗi của cả bản ghi",
    )


class ApiError(Exception):
    """An error answered in the one format; raised by API modules, rendered by the API's handler."""

    def __init__(self, status: int, detail: str, errors: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = {field: [str(message) for message in messages] for field, messages in (errors or {}).items()}


class MalformedRequest(ApiError):
    """The request's body cannot be read as the operation expects it (400)."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, detail)


def invalid(field: str, message: str) -> ApiError:
    """A 422 naming one field, for a value the schema allows but the data do not (an unknown code…)."""
    return ApiError(422, _("Dữ liệu không hợp lệ."), {field: [message]})


def service_errors(error: ValidationError) -> dict[str, list[str]]:
    """A service's ``ValidationError`` by field; errors not tied to a field go under ``__all__``."""
    if hasattr(error, "error_dict"):
        return {field: [str(message) for message in messages] for field, messages in error.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(message) for message in error.messages]}


def _input_message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    messages: dict[str, str] = {
        "missing": _("Trường này là bắt buộc."),
        "int_parsing": _("Phải là một số nguyên."),
        "int_type": _("Phải là một số nguyên."),
        "int_from_float": _("Phải là một số nguyên."),
        "int_parsing_size": _("Số quá lớn."),
        "float_parsing": _("Phải là một số."),
        "float_type": _("Phải là một số."),
        "finite_number": _("Phải là một số hữu hạn."),
        "bool_parsing": _("Phải là true hoặc false."),
        "bool_type": _("Phải là true hoặc false."),
        "string_type": _("Phải là một chuỗi ký tự."),
        "string_unicode": _("Phải là một chuỗi ký tự."),
        "date_parsing": _("Phải là một ngày dạng YYYY-MM-DD."),
        "date_from_datetime_parsing": _("Phải là một ngày dạng YYYY-MM-DD."),
        "date_from_datetime_inexact": _("Phải là một ngày dạng YYYY-MM-DD."),
        "date_type": _("Phải là một ngày dạng YYYY-MM-DD."),
        "datetime_parsing": _("Phải là ngày giờ dạng ISO 8601 (YYYY-MM-DDTHH:MM)."),
        "datetime_from_date_parsing": _("Phải là ngày giờ dạng ISO 8601 (YYYY-MM-DDTHH:MM)."),
        "datetime_type": _("Phải là ngày giờ dạng ISO 8601 (YYYY-MM-DDTHH:MM)."),
        "list_type": _("Phải là một danh sách."),
        "dict_type": _("Phải là một đối tượng JSON."),
        "model_type": _("Phải là một đối tượng JSON."),
        "model_attributes_type": _("Phải là một đối tượng JSON."),
        "json_invalid": _("Không phải JSON hợp lệ."),
        "extra_forbidden": _("Không có trường này."),
    }
    if kind in messages:
        return messages[kind]
    bounded = {
        "greater_than_equal": (_("Phải lớn hơn hoặc bằng %(limit)s."), "ge"),
        "greater_than": (_("Phải lớn hơn %(limit)s."), "gt"),
        "less_than_equal": (_("Phải nhỏ hơn hoặc bằng %(limit)s."), "le"),
        "less_than": (_("Phải nhỏ hơn %(limit)s."), "lt"),
        "string_too_short": (_("Cần ít nhất %(limit)s ký tự."), "min_length"),
        "string_too_long": (_("Dài quá %(limit)s ký tự."), "max_length"),
        "too_short": (_("Cần ít nhất %(limit)s phần tử."), "min_length"),
        "too_long": (_("Nhiều quá %(limit)s phần tử."), "max_length"),
        "string_pattern_mismatch": (_("Không đúng dạng %(limit)s."), "pattern"),
        "enum": (_("Phải là một trong: %(limit)s."), "expected"),
        "literal_error": (_("Phải là một trong: %(limit)s."), "expected"),
    }
    if kind in bounded and bounded[kind][1] in context:
        template, key = bounded[kind]
        return template % {"limit": context[key]}
    return _("Giá trị không hợp lệ.")


def _input_field(location: Sequence[Any]) -> str:
    """``("query", "year")`` → ``year``; ``("body", "payload", "rows", 0, "sex")`` → ``rows.0.sex``."""
    parts = list(location)
    if parts and parts[0] == "body":
        parts = parts[2:] or ["body"]
    elif parts and parts[0] in REQUEST_FIELD_SOURCES:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or "body"


def input_errors(errors: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The validation errors of a request's parameters and body (as django-ninja reports them) by field."""
    result: dict[str, list[str]] = {}
    for error in errors:
        messages = result.setdefault(_input_field(error.get("loc", ())), [])
        message = _input_message(error)
        if message not in messages:
            messages.append(message)
    return result


def is_unreadable_body(errors: Iterable[Mapping[str, Any]]) -> bool:
    """Whether django-ninja's errors say the body is not JSON at all (a malformed request, not invalid data)."""
    return any(error.get("type") == "json_invalid" for error in errors)
