"""The checks of the acting user shared by the protection services (``None`` is the system: commands, demo)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied

from treem.core.access import scope_paths
from treem.hierarchy.models import OrgUnit

Actor = AbstractBaseUser | None


def check_scope(actor: Actor, org_unit: OrgUnit, capability: str) -> None:
    """A human actor must hold ``capability`` over ``org_unit``; None is the system (commands, demo)."""
    if actor is None:
        return
    if not any(org_unit.path.startswith(root) for root in scope_paths(actor, capability=capability)):
        raise PermissionDenied("Đơn vị này nằm ngoài phạm vi được phân công của bạn.")
