"""Creating users: the password policy, Argon2 hashing, roles, the audit row, and the create_user command."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from treem.accounts.models import Assignment, User
from treem.accounts.services import create_user, issue_api_token, user_for_api_token
from treem.accounts.tests.factories import unit
from treem.core.models import AuditEvent
from treem.core.roles import Role

pytestmark = pytest.mark.django_db


def test_create_user_hashes_with_argon2_and_writes_an_audit_row_with_the_after_values() -> None:
    user = create_user(actor=None, username="can_bo_xa", password="Mot-mat-khau-dai-2026", role=Role.COMMUNE_OFFICER,
                       org_unit=unit("03390"), full_name="Lò Văn Sình")
    assert user.password.startswith("argon2")
    event = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk)).get()
    assert event.verb == AuditEvent.Verb.CREATE
    assert event.before is None
    assert event.after is not None and event.after["full_name"] == "Lò Văn Sình"
    assert "password" not in event.after
    assignment_event = AuditEvent.objects.get(object_type="accounts.assignment")
    assert assignment_event.after is not None and assignment_event.after["role"] == Role.COMMUNE_OFFICER


def test_making_a_user_an_administrator_records_the_change_of_the_user() -> None:
    user = create_user(actor=None, username="quan_tri", password="Mot-mat-khau-dai-2026", role=Role.ADMIN,
                       org_unit=unit("12"))
    assert user.is_superuser
    flip = AuditEvent.objects.get(object_type="accounts.user", action="assign_role")
    assert flip.before is not None and flip.after is not None
    assert (flip.before["is_superuser"], flip.after["is_superuser"]) == (False, True)


def test_a_short_or_numeric_password_is_refused() -> None:
    with pytest.raises(ValidationError):
        create_user(actor=None, username="u1", password="12345678", role=Role.LEADER, org_unit=unit("12"))
    assert not User.objects.filter(username="u1").exists()


def test_the_create_user_command_assigns_the_role_over_the_unit_and_agency() -> None:
    call_command("create_user", "--username", "so_gd", "--password", "Mat-khau-so-gd-2026", "--role",
                 "agency_reporter", "--org-unit", "12", "--agency", "SGDDT")
    assignment = Assignment.objects.get(user__username="so_gd")
    assert (assignment.role, assignment.org_unit.path, assignment.agency.code) == (  # type: ignore[union-attr]
        "agency_reporter", "/12/", "SGDDT")


@pytest.mark.parametrize(("arguments", "message"), [
    (["--org-unit", "99999"], "Không có đơn vị mã 99999"),
    (["--org-unit", "12", "--agency", "KHONGCO"], "Không có cơ quan mã KHONGCO"),
    (["--org-unit", "12", "--password", "123"], "Mật khẩu không đạt yêu cầu"),
])
def test_the_create_user_command_explains_what_is_wrong(arguments: list[str], message: str) -> None:
    base = ["--username", "x_user", "--password", "Mat-khau-hop-le-2026", "--role", "leader"]
    with pytest.raises(CommandError, match=message):
        call_command("create_user", *base, *arguments)


def test_an_api_token_identifies_its_user_until_revoked() -> None:
    user = create_user(actor=None, username="api_user", password="Mat-khau-api-2026", role=Role.LEADER,
                       org_unit=unit("12"))
    token, api_token = issue_api_token(user=user)
    assert user_for_api_token(token) == user
    assert api_token.digest != token and token not in str(api_token.__dict__)
    api_token.revoked_at = api_token.created_at
    api_token.save()
    assert user_for_api_token(token) is None


@pytest.mark.parametrize("password", ["12345678901", "treem", "quan_tri_1"])
def test_createsuperuser_without_input_refuses_a_password_that_breaks_the_rules(
        password: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)
    with pytest.raises(CommandError):
        call_command("createsuperuser", "--noinput", "--username", "quan_tri_1", "--email", "qt@example.vn",
                     verbosity=0)
    assert not User.objects.filter(username="quan_tri_1").exists()


def test_createsuperuser_without_input_creates_an_administrator_with_a_good_password(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Quan-tri-tinh-2026")
    call_command("createsuperuser", "--noinput", "--username", "quan_tri_2", "--email", "qt@example.vn", verbosity=0)
    administrator = User.objects.get(username="quan_tri_2")
    assert administrator.is_superuser and administrator.check_password("Quan-tri-tinh-2026")


def test_createsuperuser_at_the_prompt_cannot_bypass_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.contrib.auth.management.commands import createsuperuser

    answers = iter(["quan_tri_3", "qt@example.vn", "y"])  # username, e-mail, then "bypass? y"
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr(createsuperuser.getpass, "getpass", lambda prompt="Password: ": "12345678901")
    monkeypatch.setattr(createsuperuser.Command, "_get_input_message", lambda self, field, default=None: "")
    with pytest.raises(CommandError):
        call_command("createsuperuser", interactive=True, stdin=_Tty(), verbosity=0)
    assert not User.objects.filter(username="quan_tri_3").exists()


class _Tty:
    """A stand-in for a terminal: the command refuses to prompt unless its input is one."""

    def isatty(self) -> bool:
        return True
