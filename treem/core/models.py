"""Shared base model, the audit trail and shared code lists."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Every treem record knows when it was created and last changed."""

    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

    def update(self, **kwargs: Any) -> int:
        raise AuditEvent.ImmutableError("Không thể sửa nhật ký kiểm toán.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditEvent.ImmutableError("Không thể xoá nhật ký kiểm toán.")


class AuditEvent(models.Model):
    """One thing somebody did: the actor, the verb, the object, the values before and after, and when.

    Audit events are the history of every record: a record's history page is its audit events in order. They are
    append-only. ``org_unit_path`` places the event in the hierarchy so that an administrator of a subtree sees the
    events of that subtree only.
    """

    class ImmutableError(Exception):
        """Raised on any attempt to change or remove an audit row."""

    class Verb(models.TextChoices):
        CREATE = "create", _("Tạo mới")
        UPDATE = "update", _("Cập nhật")
        DELETE = "delete", _("Xoá (mềm)")
        VIEW = "view", _("Xem hồ sơ")
        EXPORT = "export", _("Xuất dữ liệu")
        LOGIN = "login", _("Đăng nhập")
        LOGOUT = "logout", _("Đăng xuất")
        LOGIN_FAILED = "login_failed", _("Đăng nhập thất bại")
        IMPORT = "import", _("Nhập dữ liệu")
        TRANSITION = "transition", _("Chuyển trạng thái")
        RECORD_CHANGE = "record_change", _("Ghi nhận thay đổi")

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    actor_username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True)
    verb = models.CharField(_("hành động"), max_length=32, choices=Verb.choices, db_index=True)
    action = models.CharField(_("nghiệp vụ"), max_length=100, blank=True,
                              help_text=_("Tên dịch vụ đã ghi, ví dụ create_user."))
    object_type = models.CharField(_("loại đối tượng"), max_length=100, db_index=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("đối tượng"), max_length=255, blank=True)
    org_unit_path = models.CharField(_("thuộc đơn vị"), max_length=255, blank=True, db_index=True)
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField("sau", null=True, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "sự kiện kiểm toán"
        verbose_name_plural = "nhật ký kiểm toán"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_username} {self.get_verb_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditEvent.ImmutableError("Không thể sửa nhật ký kiểm toán.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditEvent.ImmutableError("Không thể xoá nhật ký kiểm toán.")


class AuditSealQuerySet(models.QuerySet["AuditSeal"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditEvent.ImmutableError("Không thể sửa chuỗi niêm phong nhật ký.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditEvent.ImmutableError("Không thể xoá chuỗi niêm phong nhật ký.")


class AuditSeal(models.Model):
    """One link of the hash chain that seals the audit trail: the digest over one audit row's content and the
    previous link's digest.

    Links are appended in the order rows are sealed (``id``), which is the rows' id order except for a row whose
    transaction committed after later rows were sealed. ``event_id`` is a plain number, not a foreign key, so that
    a removed audit row leaves its link behind as evidence. Append-only like the audit trail (docs/security.md).
    """

    id = models.BigAutoField(primary_key=True)
    event_id = models.BigIntegerField("mã sự kiện", unique=True)
    digest = models.CharField("mã băm", max_length=64)
    sealed_at = models.DateTimeField("niêm phong lúc", auto_now_add=True)

    objects = AuditSealQuerySet.as_manager()

    class Meta:
        verbose_name = "mắt xích niêm phong nhật ký"
        verbose_name_plural = "chuỗi niêm phong nhật ký"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.id} sự kiện {self.event_id} {self.digest[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditEvent.ImmutableError("Không thể sửa chuỗi niêm phong nhật ký.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditEvent.ImmutableError("Không thể xoá chuỗi niêm phong nhật ký.")


class CodeSystem(models.TextChoices):
    """Code systems of coded lists; the same concept can be coded differently by different decisions."""

    ETHNIC_121_1979 = "QD121-TCTK-1979", _("Quyết định 121-TCTK/PPCĐ (1979)")


class EthnicGroup(BaseModel):
    """One of Vietnam's 54 ethnic groups (dân tộc), with its code in a named code system.

    The list used by health insurance standards is Decision 121-TCTK/PPCĐ of 1979; a 2008 list exists with other
    codes, so the code system is stored with the code. Kinh is the majority; every other group is an ethnic minority.
    """

    code_system = models.CharField(_("hệ mã"), max_length=32, choices=CodeSystem.choices,
                                   default=CodeSystem.ETHNIC_121_1979)
    code = models.CharField(_("mã"), max_length=8)
    name = models.CharField(_("tên dân tộc"), max_length=64)
    is_majority = models.BooleanField(_("dân tộc đa số (Kinh)"), default=False)

    class Meta:
        verbose_name = "dân tộc"
        verbose_name_plural = "dân tộc"
        ordering = ["code_system", "code"]
        constraints = [models.UniqueConstraint(fields=["code_system", "code"], name="ethnic_group_code_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CalendarDay(BaseModel):
    """A day the province declares off (beyond the public holidays) or declares worked (a swapped Saturday).

    Legal deadlines counted in working days (``treem.core.calendar``) skip weekends, Vietnam's public holidays and
    the province's days off; a recorded working day is worked even when it falls on a weekend or a holiday.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")

    on = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices, default=Kind.DAY_OFF)
    name = models.CharField(_("tên / lý do"), max_length=255)
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True,
                                   help_text=_("Văn bản quyết định, ví dụ số công văn của UBND tỉnh."))

    class Meta:
        verbose_name = "ngày nghỉ, ngày làm bù của tỉnh"
        verbose_name_plural = "ngày nghỉ, ngày làm bù của tỉnh"
        ordering = ["on"]

    def __str__(self) -> str:
        return f"{self.on:%d/%m/%Y} – {self.get_kind_display()}: {self.name}"


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` on a creating ``POST`` of the API, with the answer it was given.

    A retry with the same key and the same request is answered with the stored answer instead of creating the record
    a second time; the same key with another request is refused. Keys are machinery, not records of what somebody
    did (the record they created has its own audit event): they are not audited, and are purged after
    ``IDEMPOTENCY_KEY_RETENTION_HOURS``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người dùng"), on_delete=models.CASCADE,
                             related_name="idempotency_keys")
    key = models.CharField(_("khóa"), max_length=200)
    operation = models.CharField(_("thao tác"), max_length=255, help_text=_("phương thức và đường dẫn"))
    request_digest = models.CharField(_("tóm lược yêu cầu"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("mã trả lời"), null=True, blank=True,
                                                       help_text=_("trống khi yêu cầu đầu tiên còn đang xử lý"))
    response_body = models.JSONField(_("nội dung trả lời"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = "khóa chống gửi trùng"
        verbose_name_plural = "khóa chống gửi trùng"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.key} ({self.operation})"


# The import record is defined with the rest of the intake pipeline; importing it here registers it with core.
from treem.core.intake.models import ImportRecord as ImportRecord  # noqa: E402
