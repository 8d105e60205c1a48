"""Loading the validation rules from their versioned file (``reference_data/reporting/validation_rules.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from treem.core.access import ensure_permitted
from treem.core.audit import record_event, snapshot
from treem.core.models import AuditEvent
from treem.reporting.models import ValidationRule
from treem.reporting.permissions import REVIEW_SUBMISSIONS

DEFAULT_RULES_FILE = Path(settings.BASE_DIR) / "reference_data" / "reporting" / "validation_rules.yaml"


@dataclass
class RulesLoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.0001"))


@transaction.atomic
def load_validation_rules(*, actor: AbstractBaseUser | None, path: Path | str = DEFAULT_RULES_FILE) -> RulesLoadReport:
    """Create or update every rule of the file (matched by code); rules no longer in the file are deactivated.
    The rules are the coordinating agency's: anyone else is refused."""
    ensure_permitted(actor, REVIEW_SUBMISSIONS)
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    report = RulesLoadReport()
    seen: set[str] = set()
    problems: list[str] = []
    for item in data.get("rules", []):
        code = str(item.get("code", "")).strip()
        if not code or code in seen:
            problems.append(f"Quy tắc thiếu mã hoặc trùng mã: {code!r}.")
            continue
        seen.add(code)
        values = {
            "kind": item.get("kind", ""), "severity": item.get("severity", ValidationRule.Severity.ERROR),
            "element_code": item.get("element", ""), "other_element_code": item.get("other_element", "") or "",
            "min_value": _decimal(item.get("min")), "max_value": _decimal(item.get("max")),
            "max_change_share": _decimal(item.get("max_change_share")), "message": item.get("message", ""),
            "is_active": bool(item.get("active", True)),
        }
        rule = ValidationRule.objects.filter(code=code).first()
        before = snapshot(rule) if rule else None
        if rule is None:
            rule = ValidationRule(code=code)
        for name, value in values.items():
            setattr(rule, name, value)
        try:
            rule.full_clean()
        except ValidationError as error:
            problems.append(f"{code}: {'; '.join(error.messages)}")
            continue
        if before is not None and all(before.get(key) == value for key, value in snapshot(rule).items()
                                      if key not in ("updated_at", "created_at")):
            report.unchanged += 1
            continue
        rule.save()
        record_event(actor=actor, verb=AuditEvent.Verb.CREATE if before is None else AuditEvent.Verb.UPDATE,
                     obj=rule, before=before, after=snapshot(rule), action="load_validation_rules")
        if before is None:
            report.created += 1
        else:
            report.updated += 1
    if problems:
        raise ValidationError(problems)
    for rule in ValidationRule.objects.filter(is_active=True).exclude(code__in=seen):
        before = snapshot(rule)
        rule.is_active = False
        rule.save(update_fields=["is_active", "updated_at"])
        record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=rule, before=before, after=snapshot(rule),
                     action="load_validation_rules")
        report.deactivated += 1
    return report
