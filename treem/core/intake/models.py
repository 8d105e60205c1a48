"""The import record: one file uploaded into one org unit, whatever the domain that takes it in."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from treem.core.models import BaseModel


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Đã tải lên, chờ xác nhận"
    QUEUED = "queued", "Đang chờ xử lý"
    RUNNING = "running", "Đang nhập"
    DONE = "done", "Đã nhập xong"
    FAILED = "failed", "Không nhập được"


class ImportRecord(BaseModel):
    """One import of a file into an org unit: the file, the options, its preview, progress and summary.

    ``kind`` names the domain that reads the file (``children``: a commune's child list; ``measurements``: growth
    measurements), registered with ``treem.core.intake.runner.register_kind``. The summary holds the counts
    (rows = created + updated + rejected) and the first warnings or every row's outcome, as the domain reports it;
    the rejected rows (their original cells and the reason) are written to ``rejected_file`` beside the upload, for
    the officer to fix and import again. The status moves uploaded → queued → running → done or failed; a file
    that cannot be read at all fails at upload. ``carried_from`` names the record of an earlier per-domain import
    table this row was copied from (``registry.childimport:12``), so its older audit events can still be found.
    """

    kind = models.CharField("loại dữ liệu", max_length=32)
    org_unit = models.ForeignKey("hierarchy.OrgUnit", verbose_name="đơn vị", on_delete=models.PROTECT,
                                 related_name="+")
    as_of = models.DateField("số liệu tính đến ngày")
    original_name = models.CharField("tên tệp", max_length=255)
    stored_file = models.CharField("tệp đã lưu", max_length=500)
    rejected_file = models.CharField("tệp các dòng bị từ chối", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người nhập", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    status = models.CharField("trạng thái", max_length=16, choices=ImportStatus.choices,
                              default=ImportStatus.UPLOADED)
    is_background = models.BooleanField("chạy nền", default=False)
    preview = models.JSONField("xem trước", null=True, blank=True)
    summary = models.JSONField("kết quả", null=True, blank=True)
    error = models.TextField("lỗi", blank=True)
    task_id = models.CharField("mã công việc nền", max_length=64, blank=True)
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)
    carried_from = models.CharField("chuyển từ bản ghi cũ", max_length=64, blank=True)

    class Meta:
        app_label = "core"
        verbose_name = "lần nhập tệp"
        verbose_name_plural = "các lần nhập tệp"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "-created_at"], name="import_record_kind_created")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.org_unit.name}, {self.as_of:%d/%m/%Y})"

    @property
    def is_running(self) -> bool:
        """Queued or running: the page polls its progress."""
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
