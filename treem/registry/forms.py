"""Forms of the registry pages. Dates are typed dd/mm/yyyy; errors are shown next to their field."""

from __future__ import annotations

from typing import Any

from django import forms

from treem.core.models import CodeSystem, EthnicGroup
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

    def __init__(self, *, no: str = "Không") -> None:
        super().__init__()
        self.choices = [("unknown", "Chưa rõ"), ("true", "Có"), ("false", no)]


def _ethnic_groups() -> Any:
    return EthnicGroup.objects.filter(code_system=CodeSystem.ETHNIC_121_1979).order_by("code")


class ChildForm(forms.Form):
    """The identity and situation of a child (new record or correction)."""

    full_name = forms.CharField(label="Họ và tên", max_length=150)
    birth_date = VietnameseDateField(label="Ngày sinh")
    birth_date_precision = forms.ChoiceField(label="Ngày sinh biết đến", choices=DatePrecision.choices,
                                             initial=DatePrecision.DAY)
    sex = forms.ChoiceField(label="Giới tính", choices=Sex.choices, widget=forms.RadioSelect)
    ethnic_group = forms.ModelChoiceField(label="Dân tộc", queryset=EthnicGroup.objects.none(), required=False)
    personal_id = forms.CharField(label="Số định danh cá nhân", max_length=20, required=False,
                                  help_text="12 chữ số.")
    village = forms.ModelChoiceField(label="Thôn/bản", queryset=Village.objects.none(), required=False)
    is_birth_registered = forms.NullBooleanField(label="Đã đăng ký khai sinh", required=False,
                                                 widget=YesNoUnknown(no="Chưa"))
    birth_registered_on = VietnameseDateField(label="Ngày đăng ký khai sinh", required=False)
    has_health_insurance = forms.NullBooleanField(label="Có thẻ bảo hiểm y tế", required=False,
                                                  widget=YesNoUnknown(no="Không"))
    health_insurance_number = forms.CharField(label="Số thẻ bảo hiểm y tế", max_length=20, required=False)
    school_level = forms.ChoiceField(label="Cấp học", choices=[("", "—"), *SchoolLevel.choices], required=False)
    school_name = forms.CharField(label="Trường", max_length=150, required=False)
    is_out_of_school = forms.NullBooleanField(label="Không đi học, bỏ học", required=False,
                                              widget=YesNoUnknown(no="Không"))
    has_disability = forms.NullBooleanField(label="Khuyết tật", required=False,
                                            widget=YesNoUnknown(no="Không"))
    disability_note = forms.CharField(label="Dạng khuyết tật", max_length=150, required=False)
    notes = forms.CharField(label="Ghi chú", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, villages: Any = None, commune_choices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ethnic_group"].queryset = _ethnic_groups()  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages if villages is not None else Village.objects.none()  # type: ignore[attr-defined]
        if commune_choices is not None:
            self.fields["commune"] = forms.ModelChoiceField(label="Xã", queryset=commune_choices)
            self.order_fields(["commune"])


class ConsentForm(forms.Form):
    given_by = forms.ChoiceField(label="Người đồng ý", choices=ConsentGiver.choices)
    guardian = forms.ModelChoiceField(label="Cha, mẹ, người giám hộ", queryset=Guardian.objects.none(),
                                      required=False)
    purpose = forms.ChoiceField(label="Mục đích", choices=ConsentPurpose.choices)
    given_on = VietnameseDateField(label="Ngày đồng ý")
    note = forms.CharField(label="Ghi chú", max_length=255, required=False)

    def __init__(self, *args: Any, guardians: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if guardians is not None:
            self.fields["guardian"].queryset = guardians  # type: ignore[attr-defined]


class LegalBasisForm(forms.Form):
    legal_basis = forms.ChoiceField(label="Căn cứ xử lý dữ liệu khi thiếu sự đồng ý", choices=LegalBasis.choices)
    legal_basis_note = forms.CharField(label="Ghi rõ căn cứ", max_length=255, required=False)


class GuardianForm(forms.Form):
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    relationship = forms.ChoiceField(label="Quan hệ với trẻ", choices=GuardianRelationship.choices)
    phone = forms.CharField(label="Số điện thoại", max_length=20, required=False)
    personal_id = forms.CharField(label="Số định danh cá nhân", max_length=20, required=False)


class SpecialCircumstanceForm(forms.Form):
    group = forms.ChoiceField(label="Nhóm (Điều 10 Luật Trẻ em 2016)", choices=SpecialCircumstanceGroup.choices)
    subgroup = forms.CharField(label="Phân nhóm theo Nghị định 56/2017/NĐ-CP (nếu có)", max_length=255,
                               required=False)
    identified_on = VietnameseDateField(label="Xác định từ ngày", required=False)
    is_supported = forms.BooleanField(label="Đã được trợ giúp", required=False)
    support_note = forms.CharField(label="Hình thức trợ giúp", max_length=255, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Tình trạng", choices=ChildStatus.choices)
    status_on = VietnameseDateField(label="Từ ngày")
    reason = forms.CharField(label="Ghi chú", max_length=255, required=False)


class MoveForm(forms.Form):
    commune = forms.ModelChoiceField(label="Chuyển đến xã", queryset=OrgUnit.objects.none())
    moved_on = VietnameseDateField(label="Ngày chuyển đến")

    def __init__(self, *args: Any, communes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes  # type: ignore[attr-defined]


class DeleteForm(forms.Form):
    reason = forms.CharField(label="Lý do xoá (ví dụ: nhập nhầm)", max_length=255)


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp danh sách (.xlsx, .xls, .ods, .csv)")
    commune = forms.ModelChoiceField(label="Xã", queryset=OrgUnit.objects.none())
    as_of = VietnameseDateField(label="Số liệu tính đến ngày")

    def __init__(self, *args: Any, communes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes  # type: ignore[attr-defined]


class FilterForm(forms.Form):
    q = forms.CharField(label="Tìm (họ tên, số định danh, thôn/bản, cha mẹ)", required=False)
    age_band = forms.ChoiceField(label="Độ tuổi", required=False,
                                 choices=[("", "Mọi độ tuổi"), *((key, label) for key, (label, _, _) in
                                                                  AGE_BANDS.items())])
    special_group = forms.ChoiceField(label="Hoàn cảnh đặc biệt", required=False,
                                      choices=[("", "Tất cả"), ("any", "Thuộc một nhóm bất kỳ"),
                                               *SpecialCircumstanceGroup.choices])
    birth_registered = forms.ChoiceField(label="Đăng ký khai sinh", required=False,
                                         choices=[("", "Tất cả"), ("yes", "Đã đăng ký"), ("no", "Chưa đăng ký"),
                                                  ("unknown", "Chưa rõ")])
    schooling = forms.ChoiceField(label="Đi học", required=False,
                                  choices=[("", "Tất cả"), *SchoolLevel.choices, ("out", "Không đi học, bỏ học")])
    ethnic_code = forms.ChoiceField(label="Dân tộc", required=False)
    status = forms.ChoiceField(label="Tình trạng", required=False,
                               choices=[("present", "Đang sinh sống, dưới 16 tuổi"), ("all", "Mọi hồ sơ"),
                                        *ChildStatus.choices])
    consent = forms.ChoiceField(label="Sự đồng ý", required=False,
                                choices=[("", "Tất cả"), ("missing", "Thiếu sự đồng ý bắt buộc"),
                                         ("withdrawn", "Đã rút lại sự đồng ý (không hiện trong danh sách)")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ethnic_code"].choices = [("", "Mọi dân tộc"), *(  # type: ignore[attr-defined]
            (group.code, f"{group.name} ({group.code})") for group in _ethnic_groups())]
