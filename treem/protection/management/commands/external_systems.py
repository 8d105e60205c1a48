from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from treem.hierarchy.selectors import unit_with_code_on
from treem.protection.models import IntakeKind, ReportChannel
from treem.protection.selectors import external_systems
from treem.protection.services import register_external_system, revoke_external_system


class Command(BaseCommand):
    help = (
        "Hệ thống bên ngoài gửi báo cáo vào treem (tổng đài 111, hệ thống của đối tác): thêm (in khóa và khóa ký một "
        "lần duy nhất), thu hồi, liệt kê. External systems that file reports into /api/v1/intake: add one (its key "
        "and signing secret are printed once and never again), revoke one, list them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="register a system and print its key and signing secret once")
        add.add_argument("name", help="the system's name, e.g. 'Tổng đài 111'")
        add.add_argument("--org-unit", required=True, help="code of the unit (in force today) it may report for")
        add.add_argument("--kinds", default="case", help=f"comma-separated: {', '.join(IntakeKind.values)}")
        add.add_argument("--channel", default=ReportChannel.OTHER, choices=ReportChannel.values,
                         help="the channel written on its cases (hotline_111 for the helpline)")
        add.add_argument("--require-signature", action="store_true", help="refuse its unsigned requests (401)")
        revoke = actions.add_parser("revoke", help="stop a system's key at once (the system and its reports stay)")
        revoke.add_argument("name")
        revoke.add_argument("--reason", required=True)
        actions.add_parser("list", help="list the systems (never their keys)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            unit = unit_with_code_on(code=options["org_unit"], on=timezone.localdate())
            if unit is None:
                raise CommandError(f"Không có đơn vị mã {options['org_unit']} đang hiệu lực.")
            kinds = [kind.strip() for kind in options["kinds"].split(",") if kind.strip()]
            try:
                created = register_external_system(
                    actor=None, name=options["name"], org_unit=unit, allowed_kinds=kinds,
                    channel=options["channel"], is_signature_required=options["require_signature"])
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
            self.stdout.write(f"Đã thêm hệ thống “{created.system.name}” (phạm vi {unit.name}, {', '.join(kinds)}).")
            self.stdout.write("Lưu hai giá trị sau ngay: treem không hiển thị lại.")
            self.stdout.write(f"X-Treem-Key: {created.key}")
            self.stdout.write(f"Khóa ký (HMAC-SHA256): {created.signing_secret}")
        elif action == "revoke":
            system = external_systems().filter(name=options["name"]).first()
            if system is None:
                raise CommandError(f"Không có hệ thống “{options['name']}”.")
            revoke_external_system(actor=None, system=system, reason=options["reason"])
            self.stdout.write(f"Đã thu hồi khóa của “{system.name}”.")
        else:
            for system in external_systems():
                state = "đang hoạt động" if system.is_active else f"đã thu hồi {system.revoked_at:%d/%m/%Y}"
                signed = ", bắt buộc ký" if system.is_signature_required else ""
                self.stdout.write(f"{system.name}: {system.org_unit.code} {system.org_unit.name}, "
                                  f"{', '.join(system.allowed_kinds)}{signed}; {state}")
