"""Retention rules as data (``reference_data/retention.yaml``) and the step that applies them.

A rule names a kind of record, a period, where the period is counted from, its legal basis and an action:
``soft_delete`` (the record leaves every list, count and export and stays in the database with its history) or
``keep`` (the law requires it to be kept; nothing is done). ``apply_retention`` lists what it would do and changes
nothing unless asked; each record it removes gets its own audit row citing the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from treem.core.access import UserLike
from treem.registry import services
from treem.registry.models import ADULT_AGE, Child, Consent, ConsentPurpose, LegalBasis, born_after_for_age

RULES_FILE = Path(settings.BASE_DIR) / "reference_data" / "retention.yaml"
ACTIONS = ("soft_delete", "keep")


@dataclass(frozen=True)
class RetentionRule:
    kind: str
    record: str
    period_years: int
    counted_from: str
    legal_basis: str
    action: str


def load_rules(path: Path = RULES_FILE) -> list[RetentionRule]:
    """The rules of the file, checked: every field present, a known action, a period of zero or more years."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rules = []
    for number, entry in enumerate(data.get("rules", []), start=1):
        missing = [name for name in RetentionRule.__dataclass_fields__ if name not in entry]
        if missing:
            raise ValueError(f"Quy tắc lưu trữ thứ {number}: thiếu {', '.join(missing)}.")
        if entry["action"] not in ACTIONS:
            raise ValueError(f"Quy tắc lưu trữ thứ {number}: hành động '{entry['action']}' không hợp lệ.")
        if int(entry["period_years"]) < 0:
            raise ValueError(f"Quy tắc lưu trữ thứ {number}: thời hạn âm.")
        rules.append(RetentionRule(**{name: entry[name] for name in RetentionRule.__dataclass_fields__}))
    return rules


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _adults(*, today: date, years: int) -> QuerySet[Child]:
    """Records of people who turned 16 more than ``years`` years ago."""
    return Child.objects.active().filter(birth_date__lte=born_after_for_age(today, ADULT_AGE + years))


def _withdrawn(*, today: date, years: int) -> QuerySet[Child]:
    """Records kept on consent alone whose registry consent was withdrawn ``years`` years ago or more and not given
    again since."""
    cutoff = _years_before(today, years)
    registry = Consent.objects.filter(child_id=OuterRef("pk"), purpose=ConsentPurpose.REGISTRY)
    withdrawn_long_ago = registry.filter(withdrawn_on__lte=cutoff)
    in_force = registry.filter(given_on__lte=today).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
    return Child.objects.active().filter(legal_basis=LegalBasis.CONSENT).filter(
        Exists(withdrawn_long_ago)).exclude(Exists(in_force))


FINDERS: dict[str, Callable[..., QuerySet[Child]]] = {
    "registry.child.adult": _adults,
    "registry.child.withdrawn": _withdrawn,
}


@dataclass(frozen=True)
class RuleOutcome:
    rule: RetentionRule
    due: int
    applied: int


def apply_retention(*, actor: UserLike | None, today: date, dry_run: bool = True,
                    rules: list[RetentionRule] | None = None) -> list[RuleOutcome]:
    """For each rule, how many records are due; with ``dry_run=False`` soft-delete them (one audited service call
    per record, so that each is atomic and names the rule)."""
    outcomes = []
    for rule in rules if rules is not None else load_rules():
        finder = FINDERS.get(rule.kind)
        if rule.action == "keep" or finder is None:
            outcomes.append(RuleOutcome(rule=rule, due=0, applied=0))
            continue
        due = list(finder(today=today, years=rule.period_years).select_related("commune").order_by("pk"))
        applied = 0
        if not dry_run:
            for child in due:
                services.delete_child(actor=actor, child=child,
                                      reason=f"Hết thời hạn lưu trữ: quy tắc {rule.kind}, {rule.period_years} năm "
                                             f"kể từ {rule.counted_from} (reference_data/retention.yaml)")
                applied += 1
        outcomes.append(RuleOutcome(rule=rule, due=len(due), applied=applied))
    return outcomes
