"""Recording the audit trail: every write service calls ``record_event`` inside its own transaction.

``snapshot`` turns a model instance into the JSON stored as *before* / *after*, so a record's history can be read
back field by field. ``record_read`` records that somebody opened or exported a sensitive record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from treem.core.models import AuditEvent
from treem.core.request_context import client_ip

JsonDict = dict[str, Any]


def to_json(value: Mapping[str, Any]) -> JsonDict:
    """Make a mapping JSON-safe (dates, decimals, UUIDs become strings) so it can be stored and compared."""
    result: JsonDict = json.loads(json.dumps(dict(value), cls=DjangoJSONEncoder))
    return result


def snapshot(obj: models.Model, *, exclude: Iterable[str] = ()) -> JsonDict:
    """The stored values of a model instance's concrete fields (foreign keys by their id)."""
    skipped = set(exclude) | {"password"}
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in skipped:
            continue
        values[field.attname] = getattr(obj, field.attname)
    return to_json(values)


def changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    """Names of the fields whose value differs between two snapshots."""
    before = before or {}
    after = after or {}
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


def field_label(model: type[models.Model], key: str, labels: Mapping[str, str] | None = None) -> str:
    """The Vietnamese label of a key of a snapshot: the model field's verbose name (by name or column), else
    ``labels[key]``, else the key itself."""
    for model_field in model._meta.concrete_fields:
        if key in (model_field.name, model_field.attname):
            return str(model_field.verbose_name)
    return (labels or {}).get(key, key)


def labelled_changes(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    model: type[models.Model],
    labels: Mapping[str, str] | None = None,
    skip: Iterable[str] = ("updated_at",),
) -> list[tuple[str, Any, Any]]:
    """What an audit event recorded, as a page shows it: (label, before, after) for each field it set or changed,
    in the order recorded; fields recorded unchanged and ``skip`` are left out."""
    before, after, skipped = before or {}, after or {}, set(skip)
    keys = [key for key in after if key not in skipped]
    keys += [key for key in before if key not in after and key not in skipped]
    return [(field_label(model, key, labels), before.get(key, ""), after.get(key, "")) for key in keys
            if key not in before or key not in after or before[key] != after[key]]


def record_event(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    verb: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    org_unit_path: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    action: str = "",
    reason: str = "",
) -> AuditEvent:
    """Append one audit row. Call it inside the same transaction as the write it describes."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    real_actor = actor if isinstance(actor, AbstractBaseUser) and actor.pk is not None else None
    return AuditEvent.objects.create(
        actor_id=real_actor.pk if real_actor is not None else None,
        actor_username=real_actor.get_username() if real_actor is not None else "",
        verb=verb,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        org_unit_path=org_unit_path,
        before=to_json(before) if before is not None else None,
        after=to_json(after) if after is not None else None,
        reason=reason,
        ip_address=client_ip(),
    )


def record_read(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    obj: models.Model,
    org_unit_path: str = "",
    reason: str = "",
    verb: str = AuditEvent.Verb.VIEW,
) -> AuditEvent:
    """Record that ``actor`` opened (or, with ``verb=EXPORT``, exported) a sensitive record."""
    return record_event(actor=actor, verb=verb, obj=obj, org_unit_path=org_unit_path, reason=reason,
                        action="read")
