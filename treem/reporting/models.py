"""The yearly reporting cycle: cycles, the expected reporters' submissions, their task progress and evidence, every
submitted version, validation rules as data, and the reminders sent."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from pathlib import PurePath
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core.models import BaseModel
from treem.hierarchy.models import Agency, OrgUnit
from treem.plans.models import Plan, PlanAssignment


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_time_text(moment: datetime | None) -> str:
    """A moment as the province reads it ("30/11/2026 23:59", Vietnam's time); empty for none."""
    return moment.astimezone(local_zone()).strftime("%d/%m/%Y %H:%M") if moment is not None else ""


def default_deadline(year: int) -> datetime:
    """1 December of ``year`` at 23:59 local time (Asia/Ho_Chi_Minh): the plan's "trước ngày 01/12"."""
    return datetime.combine(date(year, 12, 1), time(23, 59), tzinfo=local_zone())


def default_lock(year: int) -> datetime:
    """31 December of ``year`` at 23:59 local time: late entries are accepted until then, and recorded as late."""
    return datetime.combine(date(year, 12, 31), time(23, 59), tzinfo=local_zone())


class ReportingCycle(BaseModel):
    """One year's reporting under a plan: when it opens, the deadline, and when entries lock.

    A report submitted after ``deadline_at`` (by the server's clock at submission) is late; entries are still
    accepted until ``locks_at``; after that nothing of the year can be changed except by review.
    """

    plan = models.ForeignKey(Plan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT,
                             related_name="reporting_cycles")
    year = models.PositiveSmallIntegerField(_("năm báo cáo"))
    opens_on = models.DateField(_("mở từ ngày"))
    deadline_at = models.DateTimeField(_("hạn nộp"))
    locks_at = models.DateTimeField(_("khóa nhập lúc"))
    is_demo = models.BooleanField(_("dữ liệu trình diễn"), default=False)

    class Meta:
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="reporting_cycle_year_unique"),
            models.CheckConstraint(condition=Q(locks_at__gte=models.F("deadline_at")),
                                   name="reporting_cycle_lock_after_deadline"),
        ]

    def __str__(self) -> str:
        return f"Kỳ báo cáo năm {self.year}"

    @property
    def reference_date(self) -> date:
        """The day whose hierarchy the year is reported on (31 December, as the indicator engine uses)."""
        return date(self.year, 12, 31)

    @property
    def deadline_local(self) -> datetime:
        return self.deadline_at.astimezone(local_zone())

    def is_locked_at(self, moment: datetime) -> bool:
        return moment > self.locks_at

    def is_late(self, submitted_at: datetime | None) -> bool:
        return submitted_at is not None and submitted_at > self.deadline_at


class ReporterKind(models.TextChoices):
    AGENCY = "agency", _("Cơ quan")
    COMMUNE = "commune", _("Xã")
    DISTRICT = "district", _("Huyện")


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def of_cycle(self, cycle: ReportingCycle) -> SubmissionQuerySet:
        return self.filter(cycle=cycle)


class Submission(BaseModel):
    """The report of one expected reporter (an agency, a commune or — before 2025 — a district) for a cycle.

    Agencies' reports sit on the province's org unit, communes' and districts' on their own, so the subtree
    scoping applies to all; an agency reporter additionally sees only their own agency's report.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa bắt đầu")
        DRAFT = "draft", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã nộp")
        RETURNED = "returned", _("Trả lại để sửa")
        APPROVED = "approved", _("Đã duyệt")

    EDITABLE = frozenset({Status.NOT_STARTED, Status.DRAFT, Status.RETURNED})
    RECEIVED = frozenset({Status.SUBMITTED, Status.RETURNED, Status.APPROVED})

    cycle = models.ForeignKey(ReportingCycle, verbose_name=_("kỳ báo cáo"), on_delete=models.PROTECT,
                              related_name="submissions")
    kind = models.CharField(_("đối tượng báo cáo"), max_length=16, choices=ReporterKind.choices)
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    narrative = models.TextField(_("đánh giá chung"), blank=True)
    first_submitted_at = models.DateTimeField(_("nộp lần đầu lúc"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người nộp"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người xem xét"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    review_comment = models.TextField(_("ý kiến khi trả lại"), blank=True)
    version_count = models.PositiveIntegerField(_("số phiên bản"), default=0)
    is_demo = models.BooleanField(_("dữ liệu trình diễn"), default=False)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = "báo cáo"
        verbose_name_plural = "báo cáo"
        ordering = ["cycle", "kind", "org_unit__path", "agency__code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "agency"], condition=Q(agency__isnull=False),
                                    name="submission_agency_unique"),
            models.UniqueConstraint(fields=["cycle", "org_unit"], condition=Q(agency__isnull=True),
                                    name="submission_unit_unique"),
            models.CheckConstraint(condition=(Q(kind="agency") & Q(agency__isnull=False))
                                   | (~Q(kind="agency") & Q(agency__isnull=True)),
                                   name="submission_agency_iff_kind_agency"),
        ]
        indexes = [models.Index(fields=["cycle", "status"], name="submission_cycle_status_idx")]

    def __str__(self) -> str:
        return f"Báo cáo năm {self.cycle.year} – {self.reporter_name}"

    @property
    def reporter_name(self) -> str:
        if self.agency is not None:
            return self.agency.name
        return self.org_unit.name

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_received(self) -> bool:
        return self.status in self.RECEIVED

    @property
    def is_late(self) -> bool:
        """Late when first submitted after the deadline (a report returned for corrections keeps its timeliness)."""
        return self.cycle.is_late(self.first_submitted_at)


class TaskProgress(BaseModel):
    """What a reporter reports on one duty the plan gave it: status, results, difficulties, proposals."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa triển khai")
        IN_PROGRESS = "in_progress", _("Đang triển khai")
        DONE = "done", _("Đã hoàn thành")

    submission = models.ForeignKey(Submission, verbose_name=_("báo cáo"), on_delete=models.CASCADE,
                                   related_name="task_progress")
    assignment = models.ForeignKey(PlanAssignment, verbose_name=_("nhiệm vụ được giao"), on_delete=models.PROTECT,
                                   related_name="+")
    status = models.CharField(_("tình hình thực hiện"), max_length=16, choices=Status.choices,
                              default=Status.NOT_STARTED)
    results = models.TextField(_("kết quả"), blank=True)
    difficulties = models.TextField(_("khó khăn, vướng mắc"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)

    class Meta:
        verbose_name = "tiến độ nhiệm vụ"
        verbose_name_plural = "tiến độ nhiệm vụ"
        ordering = ["submission", "assignment__order"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "assignment"], name="task_progress_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment.code}: {self.get_status_display()}"


def evidence_path(instance: Evidence, filename: str) -> str:
    """A random name under ``bao-cao/minh-chung/<year>/``: the uploader's file name is never used on disk."""
    extension = PurePath(filename).suffix.lower()[:8]
    return f"bao-cao/minh-chung/{date.today().year}/{uuid.uuid4().hex}{extension}"


class Evidence(BaseModel):
    """A file that evidences a task's results (PDF, Word, Excel, an image). Served only as a download through a
    scoped view; its type was checked from its content, not its name. Removing it is a soft delete."""

    progress = models.ForeignKey(TaskProgress, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE,
                                 related_name="evidence")
    file = models.FileField(_("tệp"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=128)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người tải lên"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    deleted_at = models.DateTimeField(_("xoá lúc"), null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người xoá"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "tệp minh chứng"
        verbose_name_plural = "tệp minh chứng"
        ordering = ["progress", "created_at"]

    def __str__(self) -> str:
        return self.original_name


def build_path(instance: ConsolidatedBuild, filename: str) -> str:
    """``bao-cao/tong-hop/<year>/<random>.<docx|xlsx>``: a built report is a stored document, like evidence."""
    extension = PurePath(filename).suffix.lower()[:8]
    return f"bao-cao/tong-hop/{instance.cycle.year}/{uuid.uuid4().hex}{extension}"


class ConsolidatedBuild(BaseModel):
    """One building of the consolidated report of a year (the Word report and its Excel annex) for the scope of
    whoever asked for it. Built by the background worker, kept as the documents the province sent: a build is
    never changed after it is done, and a newer build does not replace the older ones."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("đang chờ lập")
        RUNNING = "running", _("đang lập")
        DONE = "done", _("đã lập xong")
        FAILED = "failed", _("không lập được")

    cycle = models.ForeignKey(ReportingCycle, verbose_name=_("kỳ báo cáo"), on_delete=models.PROTECT,
                              related_name="builds")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người yêu cầu"),
                                     on_delete=models.PROTECT, related_name="+")
    scope_key = models.CharField(_("phạm vi"), max_length=500,
                                 help_text=_("Các nhánh đơn vị mà báo cáo tổng hợp (đường dẫn, cách nhau bởi |)."))
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    figures_as_of = models.DateTimeField(_("số liệu tính đến"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    docx = models.FileField(_("báo cáo (Word)"), upload_to=build_path, max_length=255, blank=True)
    xlsx = models.FileField(_("phụ lục (Excel)"), upload_to=build_path, max_length=255, blank=True)
    error = models.TextField(_("lý do không lập được"), blank=True)
    task_id = models.CharField(_("mã việc nền"), max_length=64, blank=True)

    class Meta:
        verbose_name = "lần lập báo cáo tổng hợp"
        verbose_name_plural = "các lần lập báo cáo tổng hợp"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cycle", "scope_key", "-created_at"], name="build_cycle_scope")]

    def __str__(self) -> str:
        return f"{self.cycle.year} #{self.pk}: {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class SubmissionVersion(BaseModel):
    """What a report said when it was submitted (narrative, tasks, figures, evidence), and the review it got.

    Versions are never changed except to record their review; they make every submission comparable."""

    class Decision(models.TextChoices):
        PENDING = "", _("Chờ xem xét")
        RETURNED = "returned", _("Trả lại để sửa")
        APPROVED = "approved", _("Đã duyệt")

    submission = models.ForeignKey(Submission, verbose_name=_("báo cáo"), on_delete=models.CASCADE,
                                   related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản số"))
    content = models.JSONField(_("nội dung"))
    submitted_at = models.DateTimeField(_("nộp lúc"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người nộp"), null=True,
                                     on_delete=models.PROTECT, related_name="+")
    is_late = models.BooleanField(_("nộp sau hạn"), default=False)
    decision = models.CharField(_("kết quả xem xét"), max_length=16, choices=Decision.choices, blank=True, default="")
    review_comment = models.TextField(_("ý kiến xem xét"), blank=True)
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người xem xét"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "phiên bản báo cáo"
        verbose_name_plural = "phiên bản báo cáo"
        ordering = ["submission", "number"]
        constraints = [models.UniqueConstraint(fields=["submission", "number"], name="submission_version_unique")]

    def __str__(self) -> str:
        return f"{self.submission} – phiên bản {self.number}"


class ValidationRule(BaseModel):
    """A check on entered figures, kept as data so the coordinator can adjust it without a release.

    Kinds: ``required`` (a value must be given before submitting), ``range`` (min ≤ value ≤ max),
    ``not_greater_than`` (value ≤ the value of ``other_element_code`` for the same unit, year and category —
    numerator ≤ denominator), ``change_from_last_year`` (|value − last year's| > ``max_change_share`` × last
    year's). Errors block submission and imports; warnings ask for a comment (a value with a warning and no comment
    blocks submission and is refused by imports). Messages are Vietnamese templates with ``{element}``,
    ``{value}``, ``{other}``, ``{other_value}``, ``{min}``, ``{max}``, ``{share}``, ``{last_value}``.
    """

    class Kind(models.TextChoices):
        REQUIRED = "required", _("Bắt buộc nhập")
        RANGE = "range", _("Trong khoảng")
        NOT_GREATER_THAN = "not_greater_than", _("Không lớn hơn (tử số ≤ mẫu số)")
        CHANGE_FROM_LAST_YEAR = "change_from_last_year", _("Thay đổi so với năm trước")

    class Severity(models.TextChoices):
        ERROR = "error", _("Lỗi (chặn nộp)")
        WARNING = "warning", _("Cảnh báo (cần giải trình)")

    code = models.CharField(_("mã"), max_length=64, unique=True)
    kind = models.CharField(_("loại"), max_length=32, choices=Kind.choices)
    severity = models.CharField(_("mức độ"), max_length=16, choices=Severity.choices, default=Severity.ERROR)
    element_code = models.CharField(_("mã phần tử dữ liệu"), max_length=64, db_index=True)
    other_element_code = models.CharField(_("so với phần tử"), max_length=64, blank=True)
    min_value = models.DecimalField(_("giá trị nhỏ nhất"), max_digits=16, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("giá trị lớn nhất"), max_digits=16, decimal_places=4, null=True, blank=True)
    max_change_share = models.DecimalField(_("mức thay đổi tối đa (tỷ lệ)"), max_digits=6, decimal_places=4,
                                           null=True, blank=True, help_text=_("0,5 = 50% so với năm trước."))
    message = models.CharField(_("thông báo"), max_length=255)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = "quy tắc kiểm tra số liệu"
        verbose_name_plural = "quy tắc kiểm tra số liệu"
        ordering = ["element_code", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="not_greater_than") | ~Q(other_element_code=""),
                                   name="validation_rule_comparison_has_other"),
            models.CheckConstraint(condition=~Q(kind="change_from_last_year") | Q(max_change_share__isnull=False),
                                   name="validation_rule_change_has_share"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_kind_display()})"
