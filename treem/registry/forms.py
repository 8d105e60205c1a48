"""Forms of the registry pages. Dates are typed dd/mm/yyyy; errors are shown next to their field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from treem.core.models import CodeSystem, EthnicGroup
from treem.core.widgets import DataSelect
from treem.hierarchy.models import OrgUnit, Village
from treem.registry.models import (
    ChildStatus,
    ConsentGiver,
    ConsentPurpose,
    DatePrecision,
    Guardian,
    GuardianRelationship,
    LegalBasis,
    SchoolLevel,
    Sex,
    SpecialCircumstanceGroup,
)
from treem.registry.selectors import AGE_BANDS

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


class VietnameseDateField(forms.DateField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("widget", forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy",
                                                                             "inputmode": "numeric", "size": 10}))
        kwargs.setdefault("error_messages", {"invalid": "Ngày không đọc được; dùng dd/mm/yyyy."})
        super().__init__(**kwargs)


class YesNoUnknown(forms.NullBooleanSelect):
    """Chưa rõ / Có / Không (or Chưa)."""

    def __init__(self, *, no: StrOrPromise | None = None) -> None:
        super().__init__()
        self.choices = [("unknown", _("Chưa rõ")), ("true", _("Có")), ("false", no or _("Không"))]


def _ethnic_groups() -> Any:
    return EthnicGroup.objects.filter(code_system=CodeSystem.ETHNIC_121_1979).order_by("code")


class ChildForm(forms.Form):
    """The identity and situation of a child (new record or correction)."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    birth_date = VietnameseDateField(label=_("Ngày sinh"))
    birth_date_precision = forms.ChoiceField(label=_("Ngày sinh biết đến"), choices=DatePrecision.choices,
                                             initial=DatePrecision.DAY)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices, widget=forms.RadioSelect)
    ethnic_group = forms.ModelChoiceField(
        widget=DataSelect(), label=_("Dân tộc"), queryset=EthnicGroup.objects.none(), required=False)
    personal_id = forms.CharField(label=_("Số định danh cá nhân"), max_length=20, required=False,
                                  help_text=_("12 chữ số."))
    village = forms.ModelChoiceField(
        widget=DataSelect(), label=_("Thôn/bản"), queryset=Village.objects.none(), required=False)
    is_birth_registered = forms.NullBooleanField(label=_("Đã đăng ký khai sinh"), required=False,
                                                 widget=YesNoUnknown(no=_("Chưa")))
    birth_registered_on = VietnameseDateField(label=_("Ngày đăng ký khai sinh"), required=False)
    has_health_insurance = forms.NullBooleanField(label=_("Có thẻ bảo hiểm y tế"), required=False,
                                                  widget=YesNoUnknown())
    health_insurance_number = forms.CharField(label=_("Số thẻ bảo hiểm y tế"), max_length=20, required=False)
    school_level = forms.ChoiceField(label=_("Cấp học"), choices=[("", "—"), *SchoolLevel.choices], required=False)
    school_name = forms.CharField(label=_("Trường"), max_length=150, required=False)
    is_out_of_school = forms.NullBooleanField(label=_("Không đi học, bỏ học"), required=False,
                                              widget=YesNoUnknown())
    has_disability = forms.NullBooleanField(label=_("Khuyết tật"), required=False,
                                            widget=YesNoUnknown())
    disability_note = forms.CharField(label=_("Dạng khuyết tật"), max_length=150, required=False)
    notes = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, villages: Any = None, commune_choices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ethnic_group"].queryset = _ethnic_groups()  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages if villages is not None else Village.objects.none()  # type: ignore[attr-defined]
        if commune_choices is not None:
            self.fields["commune"] = forms.ModelChoiceField(
                widget=DataSelect(), label=_("Xã"), queryset=commune_choices)
            self.order_fields(["commune"])


class ConsentForm(forms.Form):
    given_by = forms.ChoiceField(label=_("Người đồng ý"), choices=ConsentGiver.choices)
    guardian = forms.ModelChoiceField(
        widget=DataSelect(), label=_("Cha, mẹ, người giám hộ"), queryset=Guardian.objects.none(),
                                      required=False)
    purpose = forms.ChoiceField(label=_("Mục đích"), choices=ConsentPurpose.choices)
    given_on = VietnameseDateField(label=_("Ngày đồng ý"))
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args: Any, guardians: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if guardians is not None:
            self.fields["guardian"].queryset = guardians  # type: ignore[attr-defined]


class LegalBasisForm(forms.Form):
    legal_basis = forms.ChoiceField(label=_("Căn cứ xử lý dữ liệu khi thiếu sự đồng ý"), choices=LegalBasis.choices)
    legal_basis_note = forms.CharField(label=_("Ghi rõ căn cứ"), max_length=255, required=False)


class GuardianForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    relationship = forms.ChoiceField(label=_("Quan hệ với trẻ"), choices=GuardianRelationship.choices)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    personal_id = forms.CharField(label=_("Số định danh cá nhân"), max_length=20, required=False)


class SpecialCircumstanceForm(forms.Form):
    group = forms.ChoiceField(label=_("Nhóm (Điều 10 Luật Trẻ em 2016)"), choices=SpecialCircumstanceGroup.choices)
    subgroup = forms.CharField(label=_("Phân nhóm theo Nghị định 56/2017/NĐ-CP (nếu có)"), max_length=255,
                               required=False)
    identified_on = VietnameseDateField(label=_("Xác định từ ngày"), required=False)
    is_supported = forms.BooleanField(label=_("Đã được trợ giúp"), required=False)
    support_note = forms.CharField(label=_("Hình thức trợ giúp"), max_length=255, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Tình trạng"), choices=ChildStatus.choices)
    status_on = VietnameseDateField(label=_("Từ ngày"))
    reason = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)


class MoveForm(forms.Form):
    commune = forms.ModelChoiceField(widget=DataSelect(), label=_("Chuyển đến xã"), queryset=OrgUnit.objects.none())
    moved_on = VietnameseDateField(label=_("Ngày chuyển đến"))

    def __init__(self, *args: Any, communes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes  # type: ignore[attr-defined]


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Lý do xoá (ví dụ: nhập nhầm)"), max_length=255)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp danh sách (.xlsx, .xls, .ods, .csv)"))
    commune = forms.ModelChoiceField(widget=DataSelect(), label=_("Xã"), queryset=OrgUnit.objects.none())
    as_of = VietnameseDateField(label=_("Số liệu tính đến ngày"))

    def __init__(self, *args: Any, communes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes  # type: ignore[attr-defined]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm (họ tên, số định danh, thôn/bản, cha mẹ)"), required=False)
    age_band = forms.ChoiceField(label=_("Độ tuổi"), required=False,
                                 choices=[("", _("Mọi độ tuổi")), *((key, label) for key, (label, _, _) in
                                                                  AGE_BANDS.items())])
    special_group = forms.ChoiceField(label=_("Hoàn cảnh đặc biệt"), required=False,
                                      choices=[("", _("Tất cả")), ("any", _("Thuộc một nhóm bất kỳ")),
                                               *SpecialCircumstanceGroup.choices])
    birth_registered = forms.ChoiceField(label=_("Đăng ký khai sinh"), required=False,
                                         choices=[("", _("Tất cả")), ("yes", _("Đã đăng ký")),
                                                  ("no", _("Chưa đăng ký")), ("unknown", _("Chưa rõ"))])
    schooling = forms.ChoiceField(label=_("Đi học"), required=False,
                                  choices=[("", _("Tất cả")), *SchoolLevel.choices, ("out", _("Không đi học, bỏ học"))])
    ethnic_code = forms.ChoiceField(label=_("Dân tộc"), required=False, widget=DataSelect())
    status = forms.ChoiceField(label=_("Tình trạng"), required=False,
                               choices=[("present", _("Đang sinh sống, dưới 16 tuổi")), ("all", _("Mọi hồ sơ")),
                                        *ChildStatus.choices])
    consent = forms.ChoiceField(label=_("Sự đồng ý"), required=False,
                                choices=[("", _("Tất cả")), ("missing", _("Thiếu sự đồng ý bắt buộc")),
                                         ("withdrawn", _("Đã rút lại sự đồng ý (không hiện trong danh sách)"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ethnic_code"].choices = [("", _("Mọi dân tộc")), *(  # type: ignore[attr-defined]
            (group.code, f"{group.name} ({group.code})") for group in _ethnic_groups())]
