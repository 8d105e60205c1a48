from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from treem.accounts.models import User
from treem.accounts.services import assign_role, create_user
from treem.core.roles import Role
from treem.hierarchy.models import Agency
from treem.hierarchy.selectors import unit_with_code_on


class Command(BaseCommand):
    help = (
        "Tạo người dùng với một vai trò trên một đơn vị (và cơ quan, nếu có). Create a user with one role over an "
        "org unit's subtree. If the user exists, the role is added and the password is left unchanged. "
        f"ROLE is one of: {', '.join(Role.values)}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True, help="at least 10 characters, not only digits")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--org-unit", required=True, help="statistics code of a unit valid today, e.g. 12")
        parser.add_argument("--agency", help="agency code, e.g. SYT")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        org_unit = unit_with_code_on(code=options["org_unit"], on=date.today())
        if org_unit is None:
            raise CommandError(f"Không có đơn vị mã {options['org_unit']} đang có hiệu lực.")
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"Không có cơ quan mã {options['agency']}.")
        existing = User.objects.filter(username=options["username"]).first()
        try:
            if existing is not None:
                _, added = assign_role(actor=None, user=existing, role=options["role"], org_unit=org_unit,
                                       agency=agency)
                self.stdout.write(f"Người dùng {existing.username} đã có; "
                                  f"{'đã thêm' if added else 'đã có sẵn'} vai trò {options['role']}.")
                return
            user = create_user(actor=None, username=options["username"], password=options["password"],
                               role=options["role"], org_unit=org_unit, agency=agency,
                               full_name=options["full_name"], email=options["email"])
        except ValidationError as error:
            raise CommandError("Mật khẩu không đạt yêu cầu: " + " ".join(error.messages)) from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Đã tạo người dùng {user.username} ({options['role']} – {org_unit}).")
