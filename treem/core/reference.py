"""Loading the shared code lists from ``reference_data/``."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from django.conf import settings
from django.db import transaction

from treem.core.audit import record_event
from treem.core.models import AuditEvent, CodeSystem, EthnicGroup

REFERENCE_DIR = Path(settings.BASE_DIR) / "reference_data"
ETHNIC_GROUPS_FILE = REFERENCE_DIR / "ethnic_groups" / "ethnic_groups_121_1979.csv"
KINH_CODE = "01"


@transaction.atomic
def load_ethnic_groups(*, path: Path = ETHNIC_GROUPS_FILE) -> dict[str, int]:
    """Insert or update the 54 groups of Decision 121-TCTK/PPCĐ; returns counts of created and updated rows."""
    created = updated = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].strip().zfill(2)
            name = unicodedata.normalize("NFC", row["name"].strip())
            group, was_created = EthnicGroup.objects.get_or_create(
                code_system=CodeSystem.ETHNIC_121_1979, code=code,
                defaults={"name": name, "is_majority": code == KINH_CODE},
            )
            if was_created:
                created += 1
            elif group.name != name or group.is_majority != (code == KINH_CODE):
                group.name = name
                group.is_majority = code == KINH_CODE
                group.save(update_fields=["name", "is_majority", "updated_at"])
                updated += 1
    if created or updated:
        record_event(actor=None, verb=AuditEvent.Verb.IMPORT, object_type="core.ethnicgroup",
                     object_repr=path.name, action="load_ethnic_groups",
                     after={"created": created, "updated": updated})
    return {"created": created, "updated": updated}
