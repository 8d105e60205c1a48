from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from treem.plans.models import Plan
from treem.reporting.dhis2 import ExportRequest, data_set_uid, export_values


class Command(BaseCommand):
    help = (
        "Gửi số liệu đã duyệt của một năm tới máy chủ tương thích DHIS2 (DHIS2_URL, DHIS2_TOKEN trong cấu hình). "
        "Push a year's approved figures to a remote DHIS2-compatible server as a dataValueSet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the year whose approved values are sent")
        parser.add_argument("--id-scheme", choices=["code", "uid"], default="code",
                            help="identify elements and units by code (default) or uid")
        parser.add_argument("--dry-run", action="store_true", help="ask the server to check without storing")
        parser.add_argument("--url", help="override DHIS2_URL")
        parser.add_argument("--token", help="override DHIS2_TOKEN")

    def handle(self, *args: Any, **options: Any) -> None:
        url = (options["url"] or settings.DHIS2_URL).rstrip("/")
        token = options["token"] or settings.DHIS2_TOKEN
        if not url or not token:
            raise CommandError("Chưa cấu hình DHIS2_URL và DHIS2_TOKEN.")
        plan = Plan.objects.filter(is_active=True).first()
        if plan is None:
            raise CommandError("Chưa nạp kế hoạch.")
        scheme = options["id_scheme"]
        rows = export_values(user=None, request=ExportRequest(
            data_sets=[plan.code], periods=[str(options["year"])], org_units=[], id_scheme=scheme,
            approved_only=True)).rows
        payload = {"dataSet": plan.code if scheme == "code" else data_set_uid(plan), "dataValues": [
            {key: row[key] for key in ("dataElement", "period", "orgUnit", "categoryOptionCombo", "value", "comment")}
            for row in rows]}
        query = f"idScheme={scheme}&importStrategy=CREATE_AND_UPDATE&dryRun={'true' if options['dry_run'] else 'false'}"
        request = urllib.request.Request(
            f"{url}/api/dataValueSets?{query}", data=json.dumps(payload).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json",
                     "Authorization": f"ApiToken {token}"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                body = json.loads(response.read().decode("utf-8") or "{}")
                status_code = response.status
        except urllib.error.HTTPError as error:
            status_code = error.code
            try:
                body = json.loads(error.read().decode("utf-8") or "{}")
            except ValueError:
                body = {}
        except urllib.error.URLError as error:
            raise CommandError(f"Không kết nối được {url}: {error.reason}") from error
        summary = body.get("response") or body
        counts = summary.get("importCount", {})
        self.stdout.write(f"Đã gửi {len(rows)} giá trị năm {options['year']} tới {url}: HTTP {status_code}, "
                          f"{summary.get('status', body.get('status', '?'))}; mới {counts.get('imported', 0)}, "
                          f"cập nhật {counts.get('updated', 0)}, bỏ qua {counts.get('ignored', 0)}.")
        for conflict in summary.get("conflicts", []) or []:
            self.stdout.write(f"  xung đột {conflict.get('errorCode', '')} {conflict.get('object', '')}: "
                              f"{conflict.get('value', '')}")
        if status_code >= 400 and summary.get("status") == "ERROR":
            raise CommandError("Máy chủ từ chối dữ liệu (xem các xung đột ở trên).")
        if status_code >= 400 and not counts:
            raise CommandError(f"Máy chủ trả lời HTTP {status_code}: {body.get('message', '')}")
