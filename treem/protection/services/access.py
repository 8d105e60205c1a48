"""The checks of the acting user shared by the protection services (``None`` is the system: commands, demo)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from treem.core.access import scope_paths
from treem.hierarchy.models import OrgUnit
from treem.protection.models import Case
from treem.protection.selectors import can_transfer_case, can_work_case

Actor = AbstractBaseUser | None


def check_scope(actor: Actor, org_unit: OrgUnit, capability: str) -> None:
    """A human actor must hold ``capability`` over ``org_unit``; None is the system (commands, demo)."""
    if actor is None:
        return
    if not any(org_unit.path.startswith(root) for root in scope_paths(actor, capability=capability)):
        raise PermissionDenied(_("Đơn vị này nằm ngoài phạm vi được phân công của bạn."))


def check_case_access(actor: Actor, case: Case) -> None:
    """A human actor must be entitled to the case (``selectors.can_work_case``); refused otherwise."""
    if actor is None:
        return
    if not can_work_case(actor, case):
        raise PermissionDenied(_("Bạn không được giao hồ sơ này."))


def check_can_transfer(actor: Actor, case: Case) -> None:
    """Only a current worker, a supervisor of them or the commune's protection lead may transfer a case."""
    if actor is None:
        return
    if not can_transfer_case(actor, case):
        raise PermissionDenied(_("Chỉ người quản lý trường hợp, người giám sát hoặc người phụ trách xã được chuyển "
                                 "giao hồ sơ này."))
