"""Access control: capabilities, the markers every URL carries, and the one scoping primitive.

- A *capability* (``hierarchy.view``…) is defined by the app that owns it with ``define_capability``, naming the
  roles that hold it. ``has_capability(user, name)`` answers from the user's active assignments.
- Every view declares what it needs: ``@require(capability)`` or ``@public``; API routes use ``@api_require``.
  A test walks the URL resolver and the API and fails on anything that declares neither.
- ``visible_to(user, queryset, path_field=…)`` keeps the rows whose org-unit path lies in a subtree the user is
  assigned to, and returns ``queryset.none()`` for a user without a (matching) assignment: it fails closed.
  ``get_visible_or_404`` fetches one object the same way, so "missing" and "not yours" are the same 404.

Assignments live in ``treem.accounts``, which registers itself as the ``assignment source`` when Django starts;
until it has, nobody holds any assignment, so everything is denied.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeVar, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext

from treem.core.request_context import request_memo

PUBLIC = "public"
AUTHENTICATED = "authenticated"
PERMISSION_ATTRIBUTE = "treem_permission"
NOT_FOUND_MESSAGE = "Không tìm thấy hoặc bạn không có quyền xem."

UserLike = AbstractBaseUser | AnonymousUser
ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])
ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass(frozen=True)
class Capability:
    name: str
    label: str
    roles: frozenset[str]


CAPABILITIES: dict[str, Capability] = {}


def define_capability(name: str, *, label: str, roles: Iterable[str]) -> str:
    """Declare a capability and the roles that hold it; returns its name for use as a constant."""
    CAPABILITIES[name] = Capability(name=name, label=label, roles=frozenset(roles))
    return name


def capability_label(name: str) -> str:
    if name == PUBLIC:
        return "công khai"
    if name == AUTHENTICATED:
        return "đã đăng nhập"
    capability = CAPABILITIES.get(name)
    return capability.label if capability else name


def capabilities_of_role(role: str) -> set[str]:
    return {name for name, capability in CAPABILITIES.items() if role in capability.roles}


@dataclass(frozen=True)
class Grant:
    """One assignment as access control sees it: a role over the subtree rooted at ``path``."""

    role: str
    path: str
    agency_code: str | None = None


class AssignmentSource(Protocol):
    def __call__(self, user: AbstractBaseUser, *, on: date) -> list[Grant]: ...


_assignment_source: AssignmentSource | None = None


def set_assignment_source(source: AssignmentSource) -> None:
    global _assignment_source
    _assignment_source = source


def grants_of(user: UserLike, *, capability: str | None = None, on: date | None = None) -> list[Grant]:
    """The user's grants in force on ``on`` (today by default), optionally only those whose role has a capability."""
    if not isinstance(user, AbstractBaseUser) or not user.is_active or _assignment_source is None:
        return []
    day = on or date.today()
    memo = request_memo("grants")
    if memo is None:
        grants = _assignment_source(user, on=day)
    else:  # every check of a request asks again: read the assignments once per user and day
        key = (user.pk, day)
        if key not in memo:
            memo[key] = _assignment_source(user, on=day)
        grants = cast(list[Grant], memo[key])
    if capability is not None:
        holders = CAPABILITIES[capability].roles if capability in CAPABILITIES else frozenset()
        grants = [grant for grant in grants if grant.role in holders]
    return grants


def has_capability(user: UserLike, capability: str) -> bool:
    if capability == PUBLIC:
        return True
    if capability == AUTHENTICATED:
        return bool(user.is_authenticated and user.is_active)
    return bool(grants_of(user, capability=capability))


def scope_paths(user: UserLike, *, capability: str | None = None, on: date | None = None) -> list[str]:
    """The roots of the subtrees the user may see, nested roots removed (``/12/`` covers ``/12/03388/``)."""
    roots: list[str] = []
    for path in sorted({grant.path for grant in grants_of(user, capability=capability, on=on)}):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def visible_to(
    user: UserLike,
    queryset: models.QuerySet[ModelT],
    *,
    path_field: str = "org_unit__path",
    capability: str | None = None,
) -> models.QuerySet[ModelT]:
    """Rows of ``queryset`` inside the user's subtrees; nothing at all when the user has no assignment."""
    roots = scope_paths(user, capability=capability)
    if not roots:
        return queryset.none()
    condition = Q()
    for root in roots:
        condition |= Q(**{f"{path_field}__startswith": root})
    return queryset.filter(condition)


def get_visible_or_404(
    user: UserLike,
    queryset: models.QuerySet[ModelT],
    *,
    path_field: str = "org_unit__path",
    capability: str | None = None,
    **lookup: Any,
) -> ModelT:
    """One object the user may see, or the same 404 whether it is missing or outside the user's subtree."""
    try:
        return visible_to(user, queryset, path_field=path_field, capability=capability).get(**lookup)
    except (ObjectDoesNotExist, MultipleObjectsReturned, ValueError) as error:
        raise Http404(NOT_FOUND_MESSAGE) from error


def mark_permission(view: ViewFunc, capability: str) -> ViewFunc:
    setattr(view, PERMISSION_ATTRIBUTE, capability)
    return view


def declared_permission(view: Callable[..., Any]) -> str | None:
    """The capability a view declared, or None when it declared nothing (a defect the URL test catches)."""
    return getattr(view, PERMISSION_ATTRIBUTE, None)


def public(view: ViewFunc) -> ViewFunc:
    """Mark a view that anybody may open, signed in or not."""
    return mark_permission(view, PUBLIC)


def require(capability: str) -> Callable[[ViewFunc], ViewFunc]:
    """A page for signed-in users whose assignments grant ``capability``; others get the login page or 403."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_capability(request.user, capability):
                raise PermissionDenied(capability_label(capability))
            response: HttpResponse = view(request, *args, **kwargs)
            return response

        return mark_permission(wrapper, capability)  # type: ignore[return-value]

    return decorator


def api_require(capability: str) -> Callable[[ViewFunc], ViewFunc]:
    """An API route for callers whose assignments grant ``capability``; others get 403 with a Vietnamese message."""
    from ninja.errors import HttpError

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not has_capability(request.user, capability):
                raise HttpError(403, f"Bạn không có quyền: {capability_label(capability)}.")
            return view(request, *args, **kwargs)

        return mark_permission(wrapper, capability)  # type: ignore[return-value]

    return decorator


VIEW_AUDIT = define_capability("audit.view", label="xem nhật ký kiểm toán", roles={"admin"})


def ensure_permitted(actor: UserLike | None, capability: str, *, path: str | None = None) -> None:
    """Refuse a write (``PermissionDenied``) unless ``actor`` holds ``capability`` — over ``path`` when given.

    Every write service calls this first, so a rule cannot be bypassed by a second caller (a page, the API, a
    script). ``None`` is the console: management commands and the demo seeder, run by whoever administers the
    server; they pass ``actor=None`` explicitly. Any other caller is a user, and an anonymous, inactive or
    unassigned one is refused, as is one whose subtrees for the capability do not contain ``path``.
    """
    if actor is None:
        return
    if path is None:
        allowed = has_capability(actor, capability)
    else:
        allowed = any(path.startswith(root) for root in scope_paths(actor, capability=capability))
    if not allowed:
        message = gettext("Bạn không có quyền: %(capability)s.")
        raise PermissionDenied(message % {"capability": capability_label(capability)})
