"""Cases of children in need of protection, their steps, plans, services and referrals; the incident register."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.core.models import BaseModel, EthnicGroup
from treem.hierarchy.models import Agency, OrgUnit, Village
from treem.protection.workflow import STEP_RULES, Outcome, StepKind
from treem.registry.models import Sex, SpecialCircumstanceGroup


class ReportChannel(models.TextChoices):
    HOTLINE_111 = "hotline_111", _("Tổng đài quốc gia bảo vệ trẻ em 111")
    SCHOOL = "school", _("Nhà trường")
    POLICE = "police", _("Công an")
    HEALTH_FACILITY = "health_facility", _("Cơ sở y tế")
    FAMILY = "family", _("Gia đình")
    NEIGHBOUR = "neighbour", _("Hàng xóm, cộng đồng")
    CHILD = "child", _("Trẻ em tự báo")
    OTHER = "other", _("Khác")


class HarmKind(models.TextChoices):
    """Forms of harm to a child (xâm hại trẻ em, Law on Children 2016, art. 4 and 6)."""

    PHYSICAL_VIOLENCE = "physical_violence", _("Bạo lực thể chất")
    EMOTIONAL_VIOLENCE = "emotional_violence", _("Bạo lực tinh thần")
    SEXUAL_ABUSE = "sexual_abuse", _("Xâm hại tình dục")
    EXPLOITATION = "exploitation", _("Bóc lột trẻ em")
    CHILD_LABOUR = "child_labour", _("Bóc lột – lao động trái quy định của pháp luật")
    TRAFFICKING = "trafficking", _("Mua bán trẻ em")
    ABANDONMENT_NEGLECT = "abandonment_neglect", _("Bỏ rơi, bỏ mặc trẻ em")
    OTHER = "other", _("Hình thức xâm hại khác")


class PerpetratorRelation(models.TextChoices):
    PARENT = "parent", _("Cha, mẹ đẻ")
    STEP_PARENT = "step_parent", _("Cha dượng, mẹ kế")
    RELATIVE = "relative", _("Người thân khác trong gia đình")
    CAREGIVER = "caregiver", _("Người chăm sóc, người giám hộ")
    TEACHER = "teacher", _("Giáo viên, nhân viên nhà trường")
    ACQUAINTANCE = "acquaintance", _("Hàng xóm, người quen")
    EMPLOYER = "employer", _("Người sử dụng lao động")
    OTHER_CHILD = "other_child", _("Trẻ em khác")
    STRANGER = "stranger", _("Người lạ")
    UNKNOWN = "unknown", _("Chưa xác định")
    NONE = "none", _("Không có người gây hại")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("Cao")
    MEDIUM = "medium", _("Trung bình")
    LOW = "low", _("Thấp")


class CaseQuerySet(models.QuerySet["Case"]):
    def active(self) -> CaseQuerySet:
        """Cases not deleted (deletes are soft)."""
        return self.filter(deleted_at__isnull=True)

    def open(self) -> CaseQuerySet:
        return self.filter(status=Case.Status.OPEN)


class Case(BaseModel):
    """A child reported as harmed or at risk, managed through the steps of Decree 56/2017.

    The child is linked to the registry when known there; otherwise the case registers the child on the spot with a
    few identity fields, to be linked later. A case belongs to the commune that manages it (where the child lives).
    Identities are shown only to the case's assigned workers, their supervisors and the commune's protection lead;
    the string of a case is its number, never a name, so that audit rows and e-mails carry no identity.
    ``version`` grows on every change: a save based on an older version is refused (optimistic concurrency).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Đang quản lý")
        CLOSED = "closed", _("Đã đóng hồ sơ")

    number = models.CharField(_("số hồ sơ"), max_length=32, unique=True)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("xã quản lý"), on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, verbose_name=_("thôn, bản"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    child = models.ForeignKey("registry.Child", verbose_name=_("trẻ em (cơ sở dữ liệu)"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="protection_cases")
    child_full_name = models.CharField(_("họ và tên trẻ em"), max_length=150)
    child_birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    child_age_years = models.PositiveSmallIntegerField(_("tuổi (khi chưa rõ ngày sinh)"), null=True, blank=True)
    child_sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    child_ethnic_group = models.ForeignKey(EthnicGroup, verbose_name=_("dân tộc"), null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    child_address = models.CharField(_("nơi ở của trẻ em"), max_length=255, blank=True)
    guardian_name = models.CharField(_("cha, mẹ hoặc người chăm sóc"), max_length=150, blank=True)
    guardian_phone = models.CharField(_("điện thoại người chăm sóc"), max_length=20, blank=True)
    special_circumstance = models.CharField(_("nhóm hoàn cảnh đặc biệt"), max_length=1, blank=True,
                                            choices=SpecialCircumstanceGroup.choices)
    reported_via = models.CharField(_("nguồn thông tin"), max_length=32, choices=ReportChannel.choices)
    reported_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    reporter_name = models.CharField(_("người báo tin"), max_length=150, blank=True)
    reporter_phone = models.CharField(_("điện thoại người báo tin"), max_length=20, blank=True)
    occurred_place = models.CharField(_("nơi xảy ra"), max_length=255, blank=True)
    harm_kind = models.CharField(_("hình thức xâm hại"), max_length=32, choices=HarmKind.choices)
    perpetrator_relation = models.CharField(_("quan hệ của người bị nghi gây hại với trẻ"), max_length=32,
                                            choices=PerpetratorRelation.choices, default=PerpetratorRelation.UNKNOWN)
    summary = models.TextField(_("nội dung sự việc"))
    is_in_danger = models.BooleanField(_("trẻ đang gặp nguy hiểm, cần biện pháp khẩn cấp"), default=False)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.OPEN)
    risk_level = models.CharField(_("mức độ nguy cơ"), max_length=8, choices=RiskLevel.choices, blank=True)
    closed_at = models.DateTimeField(_("đóng hồ sơ lúc"), null=True, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(_("dữ liệu trình diễn"), default=False)
    deleted_at = models.DateTimeField(_("xoá lúc"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "trường hợp"
        verbose_name_plural = "trường hợp"
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["status", "reported_at"], name="case_status_reported_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(child_age_years__isnull=True) | Q(child_age_years__lte=17),
                                   name="case_child_age_under_18"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def masked_name(self) -> str:
        """Initials only ("N. V. A."), for lists."""
        return mask_name(self.child_full_name)

    @property
    def is_closed(self) -> bool:
        return self.status == Case.Status.CLOSED


def mask_name(full_name: str) -> str:
    parts = [part for part in full_name.split() if part]
    return " ".join(f"{part[0].upper()}." for part in parts) if parts else "—"


class CaseWorkerQuerySet(models.QuerySet["CaseWorker"]):
    def current(self) -> CaseWorkerQuerySet:
        return self.filter(ended_at__isnull=True)


class CaseWorker(BaseModel):
    """A worker assigned to a case. A transfer ends one assignment and starts another; a referral changes nothing."""

    case = models.ForeignKey(Case, verbose_name=_("trường hợp"), on_delete=models.CASCADE, related_name="workers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cán bộ"), on_delete=models.PROTECT,
                             related_name="protection_case_assignments")
    is_primary = models.BooleanField(_("phụ trách chính"), default=True)
    assigned_at = models.DateTimeField(_("phân công lúc"), default=timezone.now)
    ended_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    end_reason = models.CharField(_("lý do kết thúc"), max_length=255, blank=True)

    objects = CaseWorkerQuerySet.as_manager()

    class Meta:
        verbose_name = "cán bộ được phân công"
        verbose_name_plural = "cán bộ được phân công"
        ordering = ["-is_primary", "assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], condition=Q(ended_at__isnull=True),
                                    name="case_worker_current_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case} – {self.user}"


class Supervision(BaseModel):
    """A supervisor and one worker of their team; the supervisor sees the worker's cases and their deadlines."""

    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người giám sát"), on_delete=models.PROTECT,
                                   related_name="supervised_workers")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cán bộ"), on_delete=models.PROTECT,
                               related_name="protection_supervisors")
    is_active = models.BooleanField(_("đang hiệu lực"), default=True)

    class Meta:
        verbose_name = "giám sát quản lý trường hợp"
        verbose_name_plural = "giám sát quản lý trường hợp"
        constraints = [models.UniqueConstraint(fields=["supervisor", "worker"], name="supervision_pair_unique")]

    def __str__(self) -> str:
        return f"{self.supervisor} giám sát {self.worker}"


class ProtectionLead(BaseModel):
    """The person who leads child protection in a commune (often the commune's child-protection officer)."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người phụ trách"), on_delete=models.PROTECT,
                             related_name="protection_leads")
    is_active = models.BooleanField(_("đang hiệu lực"), default=True)

    class Meta:
        verbose_name = "phụ trách bảo vệ trẻ em của xã"
        verbose_name_plural = "phụ trách bảo vệ trẻ em của xã"
        constraints = [models.UniqueConstraint(fields=["org_unit", "user"], name="protection_lead_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.org_unit.name}"


class SupportPlan(BaseModel):
    """A support and intervention plan (kế hoạch hỗ trợ, can thiệp), approved by the commune chair."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        APPROVED = "approved", _("Đã phê duyệt")
        ENDED = "ended", _("Đã kết thúc")

    case = models.ForeignKey(Case, verbose_name=_("trường hợp"), on_delete=models.CASCADE, related_name="plans")
    number = models.PositiveSmallIntegerField(_("kế hoạch số"))
    goals = models.TextField(_("mục tiêu"))
    measures = models.TextField(_("biện pháp hỗ trợ, can thiệp"), blank=True)
    starts_on = models.DateField(_("thực hiện từ ngày"))
    review_on = models.DateField(_("ngày theo dõi, đánh giá"))
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    approved_on = models.DateField(_("ngày phê duyệt"), null=True, blank=True)
    approver_name = models.CharField(_("người phê duyệt (Chủ tịch UBND xã)"), max_length=150, blank=True)
    decision_number = models.CharField(_("số quyết định phê duyệt"), max_length=64, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người lập"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "kế hoạch hỗ trợ, can thiệp"
        verbose_name_plural = "kế hoạch hỗ trợ, can thiệp"
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="support_plan_number_unique"),
            models.CheckConstraint(condition=Q(review_on__gte=models.F("starts_on")), name="plan_review_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.case} – kế hoạch {self.number}"


class ServiceKind(models.TextChoices):
    HEALTH = "health", _("Chăm sóc y tế")
    PSYCHOLOGICAL = "psychological", _("Hỗ trợ tâm lý")
    LEGAL_AID = "legal_aid", _("Trợ giúp pháp lý")
    EDUCATION = "education", _("Hỗ trợ giáo dục")
    ALTERNATIVE_CARE = "alternative_care", _("Chăm sóc thay thế")
    POLICE_JUSTICE = "police_justice", _("Công an, tư pháp")
    SOCIAL_ASSISTANCE = "social_assistance", _("Trợ giúp xã hội")
    OTHER = "other", _("Khác")


class CaseService(BaseModel):
    """A service of a plan: what, by whom, planned and delivered when."""

    plan = models.ForeignKey(SupportPlan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("loại dịch vụ"), max_length=32, choices=ServiceKind.choices)
    description = models.CharField(_("nội dung"), max_length=255)
    provider_name = models.CharField(_("đơn vị, người cung cấp"), max_length=255)
    provider_agency = models.ForeignKey(Agency, verbose_name=_("cơ quan cung cấp"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    planned_on = models.DateField(_("dự kiến ngày"))
    delivered_on = models.DateField(_("đã thực hiện ngày"), null=True, blank=True)
    result = models.TextField(_("kết quả"), blank=True)

    class Meta:
        verbose_name = "dịch vụ hỗ trợ, can thiệp"
        verbose_name_plural = "dịch vụ hỗ trợ, can thiệp"
        ordering = ["plan", "planned_on", "id"]

    def __str__(self) -> str:
        return f"{self.plan} – {self.get_kind_display()}"


class CaseStep(BaseModel):
    """One step of a case's workflow, with its deadline and its structured form (``data``) once done.

    A case has at most one open step. ``cycle`` counts plans: a review that decides on a new plan opens the plan step
    of the next cycle. ``is_on_time`` is fixed when the step is done.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Đang thực hiện")
        DONE = "done", _("Đã xong")

    case = models.ForeignKey(Case, verbose_name=_("trường hợp"), on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("bước"), max_length=16, choices=StepKind.choices)
    cycle = models.PositiveSmallIntegerField(_("lượt kế hoạch"), default=1)
    status = models.CharField(_("trạng thái"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("bắt đầu lúc"))
    due_at = models.DateTimeField(_("hạn"))
    deadline_label = models.CharField(_("thời hạn"), max_length=255, blank=True)
    completed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("kết quả"), max_length=16, choices=Outcome.choices, blank=True)
    data = models.JSONField(_("nội dung phiếu"), default=dict, blank=True)
    is_on_time = models.BooleanField(_("đúng hạn"), null=True, blank=True)
    plan = models.ForeignKey(SupportPlan, verbose_name=_("kế hoạch"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="steps")

    class Meta:
        verbose_name = "bước quản lý trường hợp"
        verbose_name_plural = "bước quản lý trường hợp"
        ordering = ["case", "opened_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="open"), name="case_one_open_step"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="case_step_due_idx")]

    def __str__(self) -> str:
        return f"{self.case} – {self.get_kind_display()}"

    @property
    def form_number(self) -> str | None:
        return STEP_RULES[self.kind].form_number

    def is_overdue(self, *, now: datetime | None = None) -> bool:
        return self.status == CaseStep.Status.OPEN and self.due_at < (now or timezone.now())


class Referral(BaseModel):
    """A referral of the case to another agency. The referring worker keeps the case; the agency answers."""

    class Target(models.TextChoices):
        POLICE = "police", _("Công an")
        HEALTH = "health", _("Cơ sở y tế")
        EDUCATION = "education", _("Cơ sở giáo dục")
        JUSTICE = "justice", _("Tư pháp, trợ giúp pháp lý")
        SOCIAL_PROTECTION = "social_protection", _("Cơ sở trợ giúp xã hội, bảo vệ trẻ em")
        OTHER = "other", _("Khác")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ trả lời")
        ACCEPTED = "accepted", _("Đã tiếp nhận")
        REFUSED = "refused", _("Từ chối")

    case = models.ForeignKey(Case, verbose_name=_("trường hợp"), on_delete=models.CASCADE, related_name="referrals")
    target = models.CharField(_("chuyển gửi đến"), max_length=32, choices=Target.choices)
    target_name = models.CharField(_("tên cơ quan, đơn vị nhận"), max_length=255)
    target_agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("lý do, nội dung đề nghị"))
    referred_at = models.DateTimeField(_("chuyển gửi lúc"))
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người chuyển gửi"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    follow_up_on = models.DateField(_("ngày phải theo dõi lại"))
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.PENDING)
    responded_on = models.DateField(_("ngày trả lời"), null=True, blank=True)
    response_note = models.TextField(_("nội dung trả lời"), blank=True)
    followed_up_on = models.DateField(_("đã theo dõi lại ngày"), null=True, blank=True)
    follow_up_note = models.TextField(_("kết quả theo dõi"), blank=True)

    class Meta:
        verbose_name = "chuyển gửi"
        verbose_name_plural = "chuyển gửi"
        ordering = ["case", "referred_at"]

    def __str__(self) -> str:
        return f"{self.case} → {self.target_name}"


class EmergencyAccess(BaseModel):
    """"Breaking the glass": an authorised user opens a case not assigned to them, for a written reason, for a while."""

    case = models.ForeignKey(Case, verbose_name=_("trường hợp"), on_delete=models.CASCADE,
                             related_name="emergency_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người truy cập"), on_delete=models.PROTECT,
                             related_name="+")
    reason = models.TextField(_("lý do"))
    granted_at = models.DateTimeField(_("bắt đầu lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))

    class Meta:
        verbose_name = "truy cập khẩn cấp"
        verbose_name_plural = "truy cập khẩn cấp"
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.case} – {self.user}"


class IncidentKind(models.TextChoices):
    DROWNING = "drowning", _("Đuối nước")
    TRAFFIC = "traffic", _("Tai nạn giao thông")
    FALL = "fall", _("Ngã")
    BURN = "burn", _("Bỏng")
    POISONING = "poisoning", _("Ngộ độc")
    ANIMAL_BITE = "animal_bite", _("Động vật cắn")
    OTHER_INJURY = "other_injury", _("Tai nạn, thương tích khác")
    ABUSE = "abuse", _("Xâm hại trẻ em")

    @classmethod
    def injuries(cls) -> list[str]:
        return [kind for kind in cls.values if kind != cls.ABUSE]


class IncidentOutcome(models.TextChoices):
    DEATH = "death", _("Tử vong")
    INJURY = "injury", _("Bị thương")
    NONE = "none", _("Không bị thương")


class IncidentQuerySet(models.QuerySet["Incident"]):
    def active(self) -> IncidentQuerySet:
        return self.filter(deleted_at__isnull=True)

    def injuries(self) -> IncidentQuerySet:
        return self.exclude(kind=IncidentKind.ABUSE)


class Incident(BaseModel):
    """One injury or abuse report in the commune's register; not every incident becomes a case.

    The register keeps no name: the child's age, sex and ethnicity are enough to watch drowning, traffic accidents
    and abuse by month, commune and age group, and to act in time.
    """

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, verbose_name=_("thôn, bản"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    place = models.CharField(_("nơi xảy ra"), max_length=255, blank=True)
    occurred_on = models.DateField(_("ngày xảy ra"))
    kind = models.CharField(_("loại"), max_length=32, choices=IncidentKind.choices)
    harm_kind = models.CharField(_("hình thức xâm hại"), max_length=32, choices=HarmKind.choices, blank=True)
    child_age_years = models.PositiveSmallIntegerField(_("tuổi của trẻ"))
    child_sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    child_ethnic_group = models.ForeignKey(EthnicGroup, verbose_name=_("dân tộc"), null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("hậu quả"), max_length=16, choices=IncidentOutcome.choices)
    actions_taken = models.TextField(_("biện pháp đã xử lý"), blank=True)
    case = models.ForeignKey(Case, verbose_name=_("trường hợp"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="incidents")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ghi"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(_("dữ liệu trình diễn"), default=False)
    deleted_at = models.DateTimeField(_("xoá lúc"), null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = "vụ tai nạn, thương tích, xâm hại"
        verbose_name_plural = "sổ theo dõi tai nạn, thương tích, xâm hại"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["occurred_on", "kind"], name="incident_month_kind_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(child_age_years__lte=17), name="incident_child_under_18"),
            models.CheckConstraint(condition=Q(kind="abuse") | Q(harm_kind=""), name="incident_harm_only_for_abuse"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on:%d/%m/%Y} ({self.org_unit.name})"


class IntakeKind(models.TextChoices):
    CASE = "case", _("Trường hợp cần bảo vệ")
    INCIDENT = "incident", _("Vụ tai nạn, thương tích, xâm hại")


class ExternalSystem(BaseModel):
    """Another system that files reports into treem — the national child helpline 111, a partner's case system.

    It authenticates with its own key (only the key's SHA-256 digest is stored), may file only the kinds it is
    allowed and only for units inside the subtree of ``org_unit``, and may be required to sign every request
    (HMAC-SHA256 with ``signing_secret``, which is kept as it is because verifying a signature needs it). Created
    and revoked by the command ``external_systems``; a revoked system is kept, with its reports.
    """

    name = models.CharField(_("tên hệ thống"), max_length=128, unique=True)
    key_digest = models.CharField(_("mã băm SHA-256 của khóa"), max_length=64, unique=True)
    signing_secret = models.CharField(_("khóa ký"), max_length=64)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("phạm vi (đơn vị)"), on_delete=models.PROTECT,
                                 related_name="+")
    allowed_kinds = models.JSONField(_("được gửi"), default=list)
    channel = models.CharField(_("kênh tiếp nhận ghi vào hồ sơ"), max_length=32, choices=ReportChannel.choices,
                               default=ReportChannel.OTHER)
    is_signature_required = models.BooleanField(_("bắt buộc ký"), default=False)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = "hệ thống bên ngoài"
        verbose_name_plural = "hệ thống bên ngoài"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = [kind for kind in self.allowed_kinds if kind not in IntakeKind.values]
        if unknown or not self.allowed_kinds:
            raise ValidationError({"allowed_kinds": _("Chọn ít nhất một loại trong: %(kinds)s.")
                                   % {"kinds": ", ".join(IntakeKind.values)}})

    def covers(self, org_unit: OrgUnit) -> bool:
        return org_unit.path.startswith(self.org_unit.path)


class ExternalReport(BaseModel):
    """One report received from an external system under its idempotency key: a retried report finds this row
    and creates nothing again. It records where a case or an incident came from (the system and its reference)."""

    system = models.ForeignKey(ExternalSystem, verbose_name=_("hệ thống"), on_delete=models.PROTECT,
                               related_name="reports")
    idempotency_key = models.CharField(_("khóa chống trùng"), max_length=128)
    body_digest = models.CharField(_("mã băm nội dung"), max_length=64)
    kind = models.CharField(_("loại"), max_length=16, choices=IntakeKind.choices)
    external_reference = models.CharField(_("mã tham chiếu bên gửi"), max_length=128)
    case = models.ForeignKey(Case, verbose_name=_("trường hợp"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="external_reports")
    incident = models.ForeignKey(Incident, verbose_name=_("vụ việc"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="external_reports")
    was_signed = models.BooleanField(_("có chữ ký"), default=False)

    class Meta:
        verbose_name = "báo cáo từ hệ thống bên ngoài"
        verbose_name_plural = "báo cáo từ hệ thống bên ngoài"
        constraints = [
            models.UniqueConstraint(fields=["system", "idempotency_key"], name="external_report_key_unique"),
            models.CheckConstraint(condition=Q(case__isnull=True) | Q(incident__isnull=True),
                                   name="external_report_one_record"),
        ]

    def __str__(self) -> str:
        return f"{self.system} – {self.external_reference}"
