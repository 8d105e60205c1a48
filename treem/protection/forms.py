"""Forms of the protection pages: the report (Mẫu 01), each step's structured form, plans, services, referrals,
transfers, emergency access and the incident register. Dates are typed dd/mm/yyyy; errors sit next to the field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from treem.accounts.models import User
from treem.core.models import EthnicGroup
from treem.core.widgets import DataSelect
from treem.hierarchy.models import Agency, OrgUnit, Village
from treem.protection.models import (
    Case,
    CaseService,
    HarmKind,
    IncidentKind,
    IncidentOutcome,
    PerpetratorRelation,
    Referral,
    ReportChannel,
    RiskLevel,
    ServiceKind,
    SupportPlan,
)
from treem.protection.services import MINIMUM_REASON_LENGTH
from treem.protection.workflow import Outcome, StepKind
from treem.registry.models import Sex, SpecialCircumstanceGroup

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}, **kwargs)


class DateTimeInput(forms.DateTimeInput):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%d/%m/%Y %H:%M", attrs={"placeholder": "dd/mm/yyyy hh:mm"}, **kwargs)


def date_field(label: StrOrPromise, *, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, required=required, input_formats=DATE_INPUT_FORMATS, widget=DateInput(),
                           **kwargs)


def datetime_field(label: StrOrPromise, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, input_formats=DATETIME_INPUT_FORMATS,
                               widget=DateTimeInput())


def ethnic_group_field(required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(widget=DataSelect(), queryset=EthnicGroup.objects.order_by("code"), required=required,
                                  label=_("Dân tộc"), empty_label=_("— chưa rõ —"))


def _not_in_future(value: date | None, message: str) -> None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(message)


class CaseReportForm(forms.Form):
    """Mẫu 01: the report as received — who reported, when, where, the child, the harm."""

    org_unit = forms.ModelChoiceField(
        widget=DataSelect(), queryset=OrgUnit.objects.none(), label=_("Xã quản lý (nơi trẻ sinh sống)"))
    village = forms.ModelChoiceField(
        widget=DataSelect(), queryset=Village.objects.none(), required=False, label=_("Thôn, bản"))
    reported_via = forms.ChoiceField(choices=ReportChannel.choices, label=_("Nguồn thông tin"))
    reported_at = datetime_field(_("Thời điểm tiếp nhận"))
    reporter_name = forms.CharField(max_length=150, required=False, label=_("Người báo tin"))
    reporter_phone = forms.CharField(max_length=20, required=False, label=_("Điện thoại người báo tin"))
    occurred_place = forms.CharField(max_length=255, required=False, label=_("Nơi xảy ra sự việc"))
    child_full_name = forms.CharField(max_length=150, label=_("Họ và tên trẻ em"))
    child_birth_date = date_field(_("Ngày sinh"), required=False)
    child_age_years = forms.IntegerField(min_value=0, max_value=17, required=False,
                                         label=_("Tuổi (khi chưa rõ ngày sinh)"))
    child_sex = forms.ChoiceField(choices=Sex.choices, label=_("Giới tính"))
    child_ethnic_group = ethnic_group_field()
    child_address = forms.CharField(max_length=255, required=False, label=_("Nơi ở của trẻ em"))
    guardian_name = forms.CharField(max_length=150, required=False, label=_("Cha, mẹ hoặc người chăm sóc"))
    guardian_phone = forms.CharField(max_length=20, required=False, label=_("Điện thoại người chăm sóc"))
    special_circumstance = forms.ChoiceField(choices=[("", _("— không thuộc nhóm nào —")),
                                                      *SpecialCircumstanceGroup.choices],
                                             required=False, label=_("Nhóm hoàn cảnh đặc biệt"))
    harm_kind = forms.ChoiceField(choices=HarmKind.choices, label=_("Hình thức xâm hại"))
    perpetrator_relation = forms.ChoiceField(choices=PerpetratorRelation.choices,
                                             initial=PerpetratorRelation.UNKNOWN,
                                             label=_("Người bị nghi gây hại là"))
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("Nội dung sự việc"))
    is_in_danger = forms.BooleanField(required=False,
                                      label=_("Trẻ đang gặp nguy hiểm, cần biện pháp khẩn cấp (trong 12 giờ)"))

    def __init__(self, *args: Any, communes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["org_unit"].queryset = communes  # type: ignore[attr-defined]
            self.fields["village"].queryset = Village.objects.filter(  # type: ignore[attr-defined]
                org_unit__in=communes).order_by("name")

    def clean_reported_at(self) -> Any:
        value = self.cleaned_data["reported_at"]
        if value and value > timezone.now():
            raise forms.ValidationError(_("Thời điểm tiếp nhận không được sau hiện tại."))
        return value

    def clean_child_birth_date(self) -> Any:
        value = self.cleaned_data.get("child_birth_date")
        _not_in_future(value, "Ngày sinh không được sau hôm nay.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("child_birth_date") and data.get("child_age_years") is None:
            self.add_error("child_birth_date", _("Cần ngày sinh hoặc tuổi của trẻ."))
        village = data.get("village")
        if village is not None and data.get("org_unit") is not None and village.org_unit_id != data["org_unit"].pk:
            self.add_error("village", _("Thôn, bản không thuộc xã đã chọn."))
        return data


class CaseEditForm(forms.ModelForm):
    """Editing a case's details; ``version`` is the version the editor started from."""

    version = forms.IntegerField(widget=forms.HiddenInput())
    child_id = forms.IntegerField(required=False, min_value=1, label=_("Liên kết với hồ sơ trẻ em số"),
                                  help_text=_("Số hồ sơ của trẻ trong cơ sở dữ liệu trẻ em, khi trẻ đã có ở đó."))

    class Meta:
        model = Case
        fields = ["child_full_name", "child_birth_date", "child_age_years", "child_sex", "child_ethnic_group",
                  "child_address", "guardian_name", "guardian_phone", "special_circumstance", "reported_via",
                  "reporter_name", "reporter_phone", "occurred_place", "harm_kind", "perpetrator_relation",
                  "summary"]
        widgets = {"child_birth_date": DateInput(), "summary": forms.Textarea(attrs={"rows": 4}),
                   "child_ethnic_group": DataSelect()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child_birth_date"].input_formats = DATE_INPUT_FORMATS  # type: ignore[attr-defined]
        if self.instance and self.instance.pk and "version" not in self.initial:
            self.initial["version"] = self.instance.version
            self.initial["child_id"] = self.instance.child_id

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


EMERGENCY_MEASURES = [
    ("safe_place", _("Đưa trẻ đến nơi an toàn")),
    ("medical", _("Chăm sóc y tế khẩn cấp")),
    ("separate", _("Cách ly trẻ khỏi người gây hại")),
    ("temporary_care", _("Bố trí chăm sóc thay thế tạm thời")),
    ("police", _("Báo cơ quan công an")),
    ("other", _("Biện pháp khác")),
]


class VerifyForm(forms.Form):
    """Mẫu 02: verification and initial risk assessment, with the emergency measures taken."""

    outcome = forms.ChoiceField(choices=[(Outcome.CONFIRMED, Outcome.CONFIRMED.label),
                                         (Outcome.UNFOUNDED, Outcome.UNFOUNDED.label)], label=_("Kết luận xác minh"),
                                widget=forms.RadioSelect)
    findings = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("Kết quả xác minh"))
    is_in_danger = forms.BooleanField(required=False, label=_("Trẻ đang gặp nguy hiểm"))
    risk_level = forms.ChoiceField(choices=RiskLevel.choices, label=_("Mức độ nguy cơ ban đầu"))
    emergency_measures = forms.MultipleChoiceField(choices=EMERGENCY_MEASURES, required=False,
                                                   widget=forms.CheckboxSelectMultiple,
                                                   label=_("Biện pháp khẩn cấp đã áp dụng"))
    emergency_measures_at = datetime_field(_("Thời điểm áp dụng biện pháp khẩn cấp"), required=False)
    verified_with = forms.CharField(max_length=255, required=False,
                                    label=_("Phối hợp xác minh với (công an xã, nhà trường, y tế…)"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_in_danger"):
            if not data.get("emergency_measures"):
                self.add_error("emergency_measures",
                               _("Trẻ đang gặp nguy hiểm: ghi các biện pháp khẩn cấp đã áp dụng."))
            if not data.get("emergency_measures_at"):
                self.add_error("emergency_measures_at", _("Ghi thời điểm áp dụng biện pháp khẩn cấp."))
        return data


class AssessForm(forms.Form):
    """Mẫu 03: the detailed assessment of the child's situation and needs."""

    needs = forms.MultipleChoiceField(choices=ServiceKind.choices, widget=forms.CheckboxSelectMultiple,
                                      label=_("Nhu cầu hỗ trợ của trẻ"))
    child_situation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Tình trạng của trẻ"))
    family_situation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Hoàn cảnh gia đình"))
    child_views = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                  label=_("Ý kiến, nguyện vọng của trẻ"))
    strengths = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                label=_("Yếu tố bảo vệ, điểm mạnh"))
    risk_factors = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Yếu tố nguy cơ"))
    risk_level = forms.ChoiceField(choices=RiskLevel.choices, label=_("Mức độ nguy cơ"))


class ServicesDoneForm(forms.Form):
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Tóm tắt việc thực hiện kế hoạch"))


class ReviewForm(forms.Form):
    """Mẫu 05: review of the plan — the risk now, the progress, and the decision."""

    risk_level = forms.ChoiceField(choices=RiskLevel.choices, label=_("Mức độ nguy cơ hiện nay"),
                                   widget=forms.RadioSelect)
    progress = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Kết quả thực hiện kế hoạch"))
    child_situation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Tình trạng hiện nay của trẻ"))
    decision = forms.ChoiceField(choices=[(Outcome.CLOSE, Outcome.CLOSE.label),
                                          (Outcome.NEW_PLAN, Outcome.NEW_PLAN.label)], label=_("Quyết định"),
                                 widget=forms.RadioSelect)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == Outcome.CLOSE and data.get("risk_level") == RiskLevel.HIGH:
            self.add_error("decision", _("Nguy cơ còn cao: không thể kết thúc kế hoạch, hãy lập kế hoạch mới."))
        return data


CLOSURE_REASONS = [
    ("goals_met", _("Đạt mục tiêu kế hoạch, trẻ an toàn")),
    ("unfounded", _("Thông tin không có căn cứ")),
    ("moved", _("Trẻ chuyển nơi cư trú (đã chuyển hồ sơ)")),
    ("turned_16", _("Trẻ đủ 16 tuổi, chuyển hỗ trợ khác")),
    ("died", _("Trẻ tử vong")),
    ("other", _("Lý do khác")),
]


class CloseForm(forms.Form):
    """Mẫu 06: ending the plan and closing the file."""

    reason = forms.ChoiceField(choices=CLOSURE_REASONS, label=_("Lý do đóng hồ sơ"))
    child_situation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Tình trạng của trẻ khi đóng"))
    follow_up = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                label=_("Theo dõi sau khi đóng hồ sơ"))


STEP_FORMS: dict[str, type[forms.Form]] = {
    StepKind.VERIFY: VerifyForm,
    StepKind.ASSESS: AssessForm,
    StepKind.SERVICES: ServicesDoneForm,
    StepKind.REVIEW: ReviewForm,
    StepKind.CLOSE: CloseForm,
}


def outcome_from(kind: str, data: dict[str, Any]) -> str:
    """The step outcome carried by a step form (the verification's conclusion, the review's decision)."""
    if kind == StepKind.VERIFY:
        return str(data["outcome"])
    if kind == StepKind.REVIEW:
        return str(data["decision"])
    return Outcome.DONE


class PlanForm(forms.ModelForm):
    class Meta:
        model = SupportPlan
        fields = ["goals", "measures", "starts_on", "review_on"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 3}), "measures": forms.Textarea(attrs={"rows": 3}),
                   "starts_on": DateInput(), "review_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("starts_on", "review_on"):
            self.fields[name].input_formats = DATE_INPUT_FORMATS  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("review_on") and data["review_on"] < data["starts_on"]:
            self.add_error("review_on", _("Ngày đánh giá phải từ ngày bắt đầu trở đi."))
        return data


class ServiceForm(forms.ModelForm):
    class Meta:
        model = CaseService
        fields = ["kind", "description", "provider_name", "provider_agency", "planned_on"]
        widgets = {"planned_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["planned_on"].input_formats = DATE_INPUT_FORMATS  # type: ignore[attr-defined]
        self.fields["provider_agency"].queryset = Agency.objects.order_by("code")  # type: ignore[attr-defined]
        self.fields["provider_agency"].required = False


class DeliveryForm(forms.Form):
    delivered_on = date_field(_("Đã thực hiện ngày"))
    result = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Kết quả"))

    def clean_delivered_on(self) -> Any:
        value = self.cleaned_data["delivered_on"]
        _not_in_future(value, "Ngày thực hiện không được sau hôm nay.")
        return value


class ApprovalForm(forms.Form):
    approved_on = date_field(_("Ngày phê duyệt"))
    approver_name = forms.CharField(max_length=150, label=_("Người phê duyệt (Chủ tịch UBND xã)"))
    decision_number = forms.CharField(max_length=64, required=False, label=_("Số quyết định"))

    def clean_approved_on(self) -> Any:
        value = self.cleaned_data["approved_on"]
        _not_in_future(value, "Ngày phê duyệt không được sau hôm nay.")
        return value


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["target", "target_name", "target_agency", "reason", "follow_up_on"]
        widgets = {"follow_up_on": DateInput(), "reason": forms.Textarea(attrs={"rows": 3}),
                   "target_agency": DataSelect()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follow_up_on"].input_formats = DATE_INPUT_FORMATS  # type: ignore[attr-defined]
        self.fields["target_agency"].required = False

    def clean_follow_up_on(self) -> Any:
        value = self.cleaned_data["follow_up_on"]
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("Ngày theo dõi lại phải từ hôm nay trở đi."))
        return value


class ReferralResponseForm(forms.Form):
    is_accepted = forms.TypedChoiceField(choices=[("1", _("Đã tiếp nhận")), ("0", _("Từ chối"))],
                                         coerce=lambda value: value == "1", widget=forms.RadioSelect,
                                         label=_("Trả lời của cơ quan nhận"))
    responded_on = date_field(_("Ngày trả lời"))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           label=_("Nội dung trả lời (lý do nếu từ chối)"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_accepted") is False and not (data.get("note") or "").strip():
            self.add_error("note", _("Ghi lý do từ chối."))
        return data


class FollowUpForm(forms.Form):
    followed_up_on = date_field(_("Ngày theo dõi"))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Kết quả theo dõi"))


class TransferForm(forms.Form):
    to_user = forms.ModelChoiceField(widget=DataSelect(), queryset=User.objects.none(), label=_("Chuyển giao cho"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Lý do chuyển giao"))

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = candidates  # type: ignore[attr-defined]


class BreakGlassForm(forms.Form):
    number = forms.CharField(max_length=32, label=_("Số hồ sơ"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), min_length=MINIMUM_REASON_LENGTH,
                             label=_("Lý do khẩn cấp (bắt buộc, được ghi nhật ký và báo người giám sát)"))


class IncidentForm(forms.Form):
    org_unit = forms.ModelChoiceField(widget=DataSelect(), queryset=OrgUnit.objects.none(), label=_("Xã"))
    village = forms.ModelChoiceField(
        widget=DataSelect(), queryset=Village.objects.none(), required=False, label=_("Thôn, bản"))
    place = forms.CharField(max_length=255, required=False, label=_("Nơi xảy ra (suối, đường, nhà…)"))
    occurred_on = date_field(_("Ngày xảy ra"))
    kind = forms.ChoiceField(choices=IncidentKind.choices, label=_("Loại"))
    harm_kind = forms.ChoiceField(choices=[("", "—"), *HarmKind.choices], required=False,
                                  label=_("Hình thức xâm hại (nếu là xâm hại)"))
    child_age_years = forms.IntegerField(min_value=0, max_value=17, label=_("Tuổi của trẻ"))
    child_sex = forms.ChoiceField(choices=Sex.choices, label=_("Giới tính"))
    child_ethnic_group = ethnic_group_field()
    outcome = forms.ChoiceField(choices=IncidentOutcome.choices, label=_("Hậu quả"))
    actions_taken = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                    label=_("Biện pháp đã xử lý"))

    def __init__(self, *args: Any, communes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["org_unit"].queryset = communes  # type: ignore[attr-defined]
            self.fields["village"].queryset = Village.objects.filter(  # type: ignore[attr-defined]
                org_unit__in=communes).order_by("name")

    def clean_occurred_on(self) -> Any:
        value = self.cleaned_data["occurred_on"]
        _not_in_future(value, "Ngày xảy ra không được sau hôm nay.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == IncidentKind.ABUSE and not data.get("harm_kind"):
            self.add_error("harm_kind", _("Chọn hình thức xâm hại."))
        if data.get("kind") != IncidentKind.ABUSE:
            data["harm_kind"] = ""
        village = data.get("village")
        if village is not None and data.get("org_unit") is not None and village.org_unit_id != data["org_unit"].pk:
            self.add_error("village", _("Thôn, bản không thuộc xã đã chọn."))
        return data


class IncidentFilterForm(forms.Form):
    """The register's filters, read from the query string (the parameter names are the page's URL vocabulary)."""

    nam = forms.IntegerField(label=_("Năm"), required=False, min_value=2000,
                             error_messages={"min_value": _("Năm phải từ 2000 trở đi."),
                                             "invalid": _("Nhập năm bằng số, ví dụ 2026.")})
    thang = forms.TypedChoiceField(label=_("Tháng"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("Cả năm")), *((str(month), str(month)) for month in range(1, 13))])
    xa = forms.ChoiceField(label=_("Xã"), required=False, widget=DataSelect())
    loai = forms.ChoiceField(label=_("Loại"), required=False, choices=[("", _("Tất cả")), *IncidentKind.choices])
    hau_qua = forms.ChoiceField(label=_("Hậu quả"), required=False,
                                choices=[("", _("Tất cả")), *IncidentOutcome.choices])
    gioi_tinh = forms.ChoiceField(label=_("Giới tính"), required=False, choices=[("", _("Tất cả")), *Sex.choices])
    nhom_tuoi = forms.ChoiceField(label=_("Nhóm tuổi"), required=False)

    def __init__(self, *args: Any, communes: Any = (), age_groups: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        next_year = timezone.localdate().year + 1
        self.fields["nam"].validators.append(MaxValueValidator(next_year, message=_("Năm không được sau năm tới.")))
        self.fields["xa"].choices = [  # type: ignore[attr-defined]
            ("", _("Mọi xã trong phạm vi")), *((unit.uid, unit.name) for unit in communes)]
        self.fields["nhom_tuoi"].choices = [  # type: ignore[attr-defined]
            ("", _("Mọi độ tuổi")), *((f"{youngest}-{oldest}", label) for label, youngest, oldest in age_groups)]

