"""Reads of the inbox: a user sees only their own notices; an anonymous visitor sees none."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from treem.core.access import NOT_FOUND_MESSAGE, UserLike
from treem.notices.models import Notice


def _user_id(user: UserLike) -> int | None:
    user_id = getattr(user, "pk", None) if user.is_authenticated else None
    return int(user_id) if user_id is not None else None


def notices_for(user: UserLike) -> QuerySet[Notice]:
    """The user's notices, newest first."""
    user_id = _user_id(user)
    if user_id is None:
        return Notice.objects.none()
    return Notice.objects.filter(recipient_id=user_id)


def unread_count(user: UserLike) -> int:
    """How many of the user's notices are unread (the counter in the navigation)."""
    return notices_for(user).filter(read_at__isnull=True).count()


def notice_for(user: UserLike, *, notice_id: int | str) -> Notice:
    """One of the user's notices; the same 404 for a missing notice and another user's."""
    try:
        return notices_for(user).get(pk=int(notice_id))
    except (Notice.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(NOT_FOUND_MESSAGE) from error
