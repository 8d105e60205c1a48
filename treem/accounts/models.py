"""Users, their role assignments over org-unit subtrees, and API tokens."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.password_validation import validate_password
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core.models import BaseModel
from treem.core.roles import Role
from treem.hierarchy.models import Agency, OrgUnit


class OfficerUserManager(UserManager["User"]):
    """Django's manager, except that a superuser's password must meet the same rules as every officer's.

    ``manage.py createsuperuser`` creates through ``create_superuser``: with ``--noinput`` it takes
    ``DJANGO_SUPERUSER_PASSWORD`` without checking it, and at the prompt it offers to bypass the rules. Checking
    here closes both: the command ends with the rules' messages and creates nothing."""

    def create_superuser(self, username: str, email: str | None = None, password: str | None = None,
                         **extra_fields: Any) -> User:
        if password is not None:  # None: an unusable password, nobody can sign in with it
            validate_password(password, self.model(username=username, email=email or "", **extra_fields))
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in to treem. What they see is decided by their assignments, never by this row alone."""

    objects = OfficerUserManager()  # type: ignore[misc]

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    is_demo = models.BooleanField(_("tài khoản trình diễn"), default=False,
                                  help_text=_("Tài khoản tạo cho dữ liệu trình diễn, không dùng thật."))

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.username


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def active(self, on: date | None = None) -> AssignmentQuerySet:
        on = on or date.today()
        return self.filter(is_active=True).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on)
        )


class Assignment(BaseModel):
    """A role held by a user over the subtree of one org unit, optionally for one agency."""

    user = models.ForeignKey(User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    is_active = models.BooleanField(_("đang hiệu lực"), default=True)
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "phân công"
        verbose_name_plural = "phân công"
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org_unit", "agency"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        label = f"{self.get_role_display()} – {self.org_unit.name}"
        return f"{label} – {self.agency}" if self.agency_id else label


class ApiToken(BaseModel):
    """A bearer token for the API. Only its SHA-256 digest is stored; the token itself is shown once."""

    user = models.ForeignKey(User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(_("mã băm"), max_length=64, unique=True)
    prefix = models.CharField(_("tiền tố"), max_length=8)
    name = models.CharField(_("tên"), max_length=100, blank=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = "khóa truy cập API"
        verbose_name_plural = "khóa truy cập API"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()
