"""The notice: one message in one user's inbox, unique by its key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeQuerySet(models.QuerySet["Notice"]):
    def about(self, obj: models.Model) -> NoticeQuerySet:
        """Notices about ``obj`` (a case, a report…)."""
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class Notice(models.Model):
    """A message in the app for one user (a reporting reminder, an overdue step, an emergency access…).

    ``key`` names the event and the recipient, so raising the same notice again does nothing. The record it is
    about is named like the audit trail names it (``object_type`` and ``object_id``), so notices need no foreign
    key into the domains above. A notice carries no child's identity.
    """

    class Kind(models.TextChoices):
        REPORT_DUE = "report_due", _("Nhắc hạn báo cáo")
        REPORT_OVERDUE = "report_overdue", _("Quá hạn báo cáo")
        REPORT_RETURNED = "report_returned", _("Báo cáo bị trả lại")
        OVERDUE_STEP = "overdue_step", _("Bước quá hạn")
        FOLLOW_UP_DUE = "follow_up_due", _("Đến hạn theo dõi chuyển gửi")
        BREAK_GLASS = "break_glass", _("Truy cập khẩn cấp")
        ASSIGNED = "assigned", _("Được phân công")
        EXTERNAL_REPORT = "external_report", _("Tin báo từ hệ thống bên ngoài")
        AWAITING_REVIEW = "awaiting_review", _("Chờ thẩm định")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), on_delete=models.CASCADE,
                                  related_name="notices")
    kind = models.CharField(_("loại"), max_length=32, choices=Kind.choices)
    key = models.CharField(_("khóa"), max_length=200, unique=True)
    title = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("đường dẫn"), max_length=255, blank=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("đã gửi e-mail lúc"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notice_inbox_idx"),
            models.Index(fields=["object_type", "object_id"], name="notice_object_idx"),
        ]

    def __str__(self) -> str:
        return self.title
