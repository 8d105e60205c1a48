"""The server's memory of field records it has received: one receipt per idempotency key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from treem.core.models import BaseModel


class SyncReceipt(BaseModel):
    """The answer the server gave to one field record, kept under the record's idempotency key.

    A device that sends the same record again (the connection dropped before the answer arrived, or the officer
    pressed sync twice) gets this answer back and nothing is written a second time. ``device_at`` is when the
    officer saved the record on the device, ``synced_at`` when the server received it.
    """

    class Status(models.TextChoices):
        SYNCED = "synced", _("Đã đồng bộ")
        REFUSED = "refused", _("Bị từ chối")
        CONFLICT = "conflict", _("Xung đột")

    class Kind(models.TextChoices):
        MEASUREMENT = "measurement", _("Số đo ngày cân")
        REPORT_VALUE = "report_value", _("Số liệu báo cáo năm")

    key = models.CharField(_("khoá chống lặp"), max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người gửi"), on_delete=models.PROTECT,
                             related_name="+")
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("kết quả"), max_length=10, choices=Status.choices)
    result = models.JSONField(_("trả lời"), default=dict)
    object_type = models.CharField(_("loại bản ghi"), max_length=100, blank=True)
    object_id = models.CharField(_("mã bản ghi"), max_length=100, blank=True)
    device_at = models.DateTimeField(_("lưu trên máy lúc"), null=True, blank=True)
    synced_at = models.DateTimeField(_("đồng bộ lúc"))

    class Meta:
        verbose_name = "biên nhận đồng bộ"
        verbose_name_plural = "biên nhận đồng bộ"
        ordering = ["-synced_at", "-id"]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_status_display()})"
