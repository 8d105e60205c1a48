"""API: tokens and the caller's own profile."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from treem.accounts.models import User
from treem.accounts.services import issue_api_token, revoke_api_tokens
from treem.core.access import AUTHENTICATED, api_require, public
from treem.core.api_errors import ErrorOut

router = Router(tags=["Tài khoản"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: datetime


class AssignmentOut(Schema):
    role: str
    role_label: str
    org_unit_code: str
    org_unit_name: str
    org_unit_path: str
    agency_code: str | None


class MeOut(Schema):
    username: str
    full_name: str
    is_demo: bool
    assignments: list[AssignmentOut]


@router.post("/auth/token", response={200: TokenOut, 401: ErrorOut, 429: ErrorOut}, auth=None,
             summary="Lấy khóa truy cập (bearer token); 429 sau quá nhiều lần đăng nhập sai")
@public
def create_token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    user = authenticate(request, username=payload.username, password=payload.password)
    if not isinstance(user, User) or not user.is_active:
        raise HttpError(401, "Tên đăng nhập hoặc mật khẩu không đúng.")
    token, api_token = issue_api_token(user=user, name="api")
    return TokenOut(token=token, expires_at=api_token.expires_at)


class RevokedOut(Schema):
    revoked: int


@router.post("/auth/token/revoke", response=RevokedOut, summary="Thu hồi mọi khóa truy cập của chính mình")
@api_require(AUTHENTICATED)
def revoke_tokens(request: HttpRequest) -> RevokedOut:
    """Every live token of the caller stops working at once (the one used for this call too)."""
    user = request.user
    assert isinstance(user, User)
    return RevokedOut(revoked=revoke_api_tokens(actor=user, user=user, reason="người dùng tự thu hồi qua API"))


@router.get("/me", response=MeOut, summary="Người dùng hiện tại và các phân công")
@api_require(AUTHENTICATED)
def me(request: HttpRequest) -> MeOut:
    user = request.user
    assert isinstance(user, User)
    return MeOut(
        username=user.username, full_name=user.full_name, is_demo=user.is_demo,
        assignments=[
            AssignmentOut(role=a.role, role_label=a.get_role_display(), org_unit_code=a.org_unit.code,
                          org_unit_name=a.org_unit.name, org_unit_path=a.org_unit.path,
                          agency_code=a.agency.code if a.agency else None)
            for a in user.assignments.active(date.today()).select_related("org_unit", "agency")
        ],
    )
