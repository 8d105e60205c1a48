"""The form that records a reorganisation; the admin page and the management command both go through it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from treem.hierarchy.models import LineageKind, OrgUnit, UnitKind
from treem.hierarchy.selectors import unit_with_code_on
from treem.hierarchy.services import ChangeRefused, NewUnit, record_org_unit_change

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class OrgUnitChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Hình thức"), choices=LineageKind.choices)
    source_codes = forms.CharField(
        label=_("Mã các đơn vị cũ"), help_text=_("Mã thống kê, cách nhau bởi dấu phẩy, ví dụ: 03386, 03388."),
    )
    new_units = forms.CharField(
        label=_("Đơn vị mới"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text=_(
            "Mỗi dòng một đơn vị: mã; tên; loại (xã, phường, thị trấn…). Ví dụ: 03388; Phường Đoàn Kết; phường"),
    )
    parent_code = forms.CharField(label=_("Mã đơn vị cấp trên của đơn vị mới"),
                                  help_text=_("Ví dụ: 12 (tỉnh Lai Châu)."))
    effective_on = forms.DateField(label=_("Có hiệu lực từ ngày"), input_formats=DATE_INPUT_FORMATS,
                                   help_text="dd/mm/yyyy")
    legal_basis = forms.CharField(label=_("Căn cứ pháp lý"), required=False, max_length=255)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=255)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        effective_on = cleaned.get("effective_on")
        if effective_on is None:
            return cleaned
        day_before = effective_on - timedelta(days=1)
        sources: list[OrgUnit] = []
        for code in [part.strip() for part in (cleaned.get("source_codes") or "").split(",") if part.strip()]:
            unit = unit_with_code_on(code=code, on=day_before)
            if unit is None:
                self.add_error("source_codes", f"Không có đơn vị mã {code} có hiệu lực ngày {day_before:%d/%m/%Y}.")
            else:
                sources.append(unit)
        parent = None
        if cleaned.get("parent_code"):
            parent = unit_with_code_on(code=cleaned["parent_code"].strip(), on=effective_on)
            if parent is None:
                self.add_error("parent_code", f"Không có đơn vị mã {cleaned['parent_code']} có hiệu lực "
                                              f"ngày {effective_on:%d/%m/%Y}.")
        targets: list[NewUnit] = []
        for number, line in enumerate((cleaned.get("new_units") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(";")]
            if len(parts) != 3:
                self.add_error("new_units", f"Dòng {number}: cần đúng ba phần 'mã; tên; loại'.")
                continue
            code, name, kind = parts
            if kind.lower() not in UnitKind.values:
                self.add_error("new_units", f"Dòng {number}: loại '{kind}' không hợp lệ "
                                            f"(dùng một trong: {', '.join(UnitKind.values)}).")
                continue
            if parent is not None:
                targets.append(NewUnit(code=code, name=name, kind=kind.lower(), parent=parent))
        cleaned["sources"] = sources
        cleaned["targets"] = targets
        return cleaned

    def save(self, *, actor: AbstractBaseUser | None) -> list[OrgUnit]:
        """Record the change; a refusal becomes form errors and an empty result."""
        try:
            return record_org_unit_change(
                actor=actor, kind=self.cleaned_data["kind"], sources=self.cleaned_data["sources"],
                targets=self.cleaned_data["targets"], effective_on=self.cleaned_data["effective_on"],
                legal_basis=self.cleaned_data.get("legal_basis", ""), note=self.cleaned_data.get("note", ""),
            )
        except ChangeRefused as refusal:
            for problem in refusal.problems:
                self.add_error(None, problem)
            return []
