"""A child's history as the record's page shows it: each audit event's changed fields with their labels, ID numbers
masked for a user whose role sees them masked (the page and the API show the same)."""

from __future__ import annotations

from typing import Any

from treem.core.audit import labelled_changes
from treem.registry.models import Child, mask_personal_id

HISTORY_LABELS: dict[str, str] = {
    "guardian": "cha, mẹ, người chăm sóc", "consent": "sự đồng ý", "special_circumstance": "nhóm hoàn cảnh đặc biệt",
    "special_circumstances": "nhóm hoàn cảnh đặc biệt", "merged_record": "hồ sơ được gộp vào",
    "moved_links": "liên kết được chuyển", "moved_on": "ngày chuyển",
    "links_left_on_merged_record": "liên kết ở lại hồ sơ đã gộp (vì trùng, ví dụ hai lần cân cùng ngày)",
    "duplicate_pair": "cặp nghi trùng",
}


def masked_values(value: Any, *, full_ids: bool, key: str = "") -> Any:
    """``value`` as the user may see it: ID numbers masked (inside a guardian's or consent's values too) unless
    the user's role shows them in full."""
    if full_ids:
        return value
    if isinstance(value, dict):
        return {name: masked_values(item, full_ids=False, key=name) for name, item in value.items()}
    if isinstance(value, list):
        return [masked_values(item, full_ids=False, key=key) for item in value]
    return mask_personal_id(value) if key == "personal_id" and isinstance(value, str) else value


def history_changes(event: Any, *, full_ids: bool) -> list[tuple[str, Any, Any]]:
    """The fields an audit event changed, with their labels and the values before and after (ID numbers masked
    for a user who sees them masked on the record)."""
    before, after = (masked_values(values or {}, full_ids=full_ids) for values in (event.before, event.after))
    return labelled_changes(before, after, model=Child, labels=HISTORY_LABELS, skip=("updated_at", "name_folded"))
