"""Signing in and out (Vietnamese pages), and switching the interface language."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from treem.core.access import public
from treem.core.audit import record_event
from treem.core.models import AuditEvent


class VietnameseAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường.",
        "inactive": "Tài khoản này đã bị khoá.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")


class TreemLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = VietnameseAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        record_event(actor=form.get_user(), verb=AuditEvent.Verb.LOGIN, obj=form.get_user(), action="login")
        return response


login_view = public(TreemLoginView.as_view())


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_event(actor=request.user, verb=AuditEvent.Verb.LOGOUT, obj=request.user, action="logout")
    logout(request)
    return HttpResponseRedirect(resolve_url("accounts:login") + "?da_dang_xuat=1")


language_view = public(set_language)
