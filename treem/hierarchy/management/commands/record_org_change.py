from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from treem.hierarchy.forms import OrgUnitChangeForm


class Command(BaseCommand):
    help = (
        "Ghi nhận một thay đổi địa giới hành chính (sáp nhập, chia tách, đổi tên) có hiệu lực từ một ngày, "
        "không xoá lịch sử. Record a merge, split or rename of administrative units from a date; the old units "
        "end the day before and keep their history. Example: record_org_change --kind merge --from 03388 03408 "
        "--new '03388; Phường Lai Châu; phường' --parent 12 --effective-on 2027-01-01"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=["merge", "split", "rename"],
                            help="merge = sáp nhập, split = chia tách, rename = đổi tên")
        parser.add_argument("--from", dest="sources", nargs="+", required=True,
                            help="statistics codes of the units that end (valid the day before the change)")
        parser.add_argument("--new", dest="new_units", action="append", default=[],
                            help="a new unit as 'code; name; kind' (repeat for a split)")
        parser.add_argument("--parent", required=True, help="code of the parent of the new units on that date")
        parser.add_argument("--effective-on", required=True, help="first day of the new units (YYYY-MM-DD)")
        parser.add_argument("--legal-basis", default="", help="the resolution or decision, e.g. 'Nghị quyết …'")
        parser.add_argument("--note", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        form = OrgUnitChangeForm(data={
            "kind": options["kind"], "source_codes": ",".join(options["sources"]),
            "new_units": "\n".join(options["new_units"]), "parent_code": options["parent"],
            "effective_on": options["effective_on"], "legal_basis": options["legal_basis"], "note": options["note"],
        })
        created = form.save(actor=None) if form.is_valid() else []
        if not created:
            messages = [
                f"- {form.fields[field].label}: {error}" if field in form.fields else f"- {error}"
                for field, errors in form.errors.items() for error in errors
            ]
            raise CommandError("Không ghi nhận được thay đổi:\n" + "\n".join(messages))
        for unit in created:
            self.stdout.write(f"Đã tạo {unit} ({unit.uid}), hiệu lực từ {unit.valid_from:%d/%m/%Y}.")
