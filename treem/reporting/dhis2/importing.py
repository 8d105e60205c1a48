"""Importing a data value set: every value checked like the report page checks it (who may enter it, the
validation rules, whether its report is already submitted or approved, whether the year is locked), the accepted
ones stored with ``enter_data_values``, the refused ones returned as DHIS2 conflicts in an import summary."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from treem.core.models import EthnicGroup
from treem.hierarchy.models import OrgUnit
from treem.indicators.engine import reference_date
from treem.indicators.models import DataValue
from treem.indicators.services import ValueInput, can_enter_value, enter_data_values
from treem.plans.models import DataElement, Plan
from treem.reporting.dhis2.formats import (
    DEFAULT_COC_CODE,
    DEFAULT_COC_UID,
    ID_SCHEMES,
    IMPORT_STRATEGIES,
    ExchangeError,
    IncomingSet,
    IncomingValue,
    data_element_uid,
    data_set_uid,
    parse_coc,
    parse_period,
)
from treem.reporting.models import ReportingCycle, Submission
from treem.reporting.services import governing_submission
from treem.reporting.validation import CellInput, blocking, check_cells


@dataclass(frozen=True)
class ImportOptions:
    id_scheme: str = "uid"
    data_element_id_scheme: str = ""
    org_unit_id_scheme: str = ""
    category_option_combo_id_scheme: str = ""
    dry_run: bool = False
    import_strategy: str = "CREATE_AND_UPDATE"

    @property
    def element_scheme(self) -> str:
        return self.data_element_id_scheme or self.id_scheme

    @property
    def unit_scheme(self) -> str:
        return self.org_unit_id_scheme or self.id_scheme

    @property
    def coc_scheme(self) -> str:
        return self.category_option_combo_id_scheme or self.id_scheme

    def as_json(self) -> dict[str, Any]:
        schemes = {key: {"type": value.upper()} for key, value in (
            ("idScheme", self.id_scheme), ("dataElementIdScheme", self.data_element_id_scheme),
            ("orgUnitIdScheme", self.org_unit_id_scheme),
            ("categoryOptionComboIdScheme", self.category_option_combo_id_scheme)) if value}
        return {"idSchemes": schemes, "dryRun": self.dry_run, "async": False,
                "importStrategy": self.import_strategy, "mergeMode": "REPLACE", "reportMode": "FULL",
                "skipAudit": False, "force": False}


def _scheme(value: str, name: str) -> str:
    scheme = value.strip().lower()
    if scheme == "id":
        scheme = "uid"
    if scheme and scheme not in ID_SCHEMES:
        raise ExchangeError(f"{name}='{value}' không hỗ trợ: dùng uid hoặc code.", status=409)
    return scheme


def import_options(params: dict[str, str], *, default_scheme: str) -> ImportOptions:
    """Options from the query string and the payload (the payload wins, as in DHIS2)."""
    strategy = (params.get("importStrategy") or "CREATE_AND_UPDATE").strip().upper()
    if strategy == "NEW_AND_UPDATES":
        strategy = "CREATE_AND_UPDATE"
    if strategy not in IMPORT_STRATEGIES:
        raise ExchangeError(f"importStrategy='{strategy}' không hỗ trợ: dùng {', '.join(IMPORT_STRATEGIES)}.")
    return ImportOptions(
        id_scheme=_scheme(params.get("idScheme", ""), "idScheme") or default_scheme,
        data_element_id_scheme=_scheme(params.get("dataElementIdScheme", ""), "dataElementIdScheme"),
        org_unit_id_scheme=_scheme(params.get("orgUnitIdScheme", ""), "orgUnitIdScheme"),
        category_option_combo_id_scheme=_scheme(params.get("categoryOptionComboIdScheme", ""),
                                                "categoryOptionComboIdScheme"),
        dry_run=(params.get("dryRun") or "").strip().lower() in ("true", "1", "yes"),
        import_strategy=strategy,
    )


@dataclass
class Conflict:
    object: str
    value: str
    error_code: str
    property: str
    indexes: list[int]

    def as_json(self) -> dict[str, Any]:
        return {"object": self.object, "objects": {self.property: self.object}, "value": self.value,
                "errorCode": self.error_code, "property": self.property, "indexes": self.indexes}


@dataclass
class ImportSummary:
    options: ImportOptions
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    set_error: str = ""

    @property
    def status(self) -> str:
        if self.set_error:
            return "ERROR"
        if not self.conflicts:
            return "SUCCESS"
        if self.imported + self.updated + self.deleted == 0:
            return "ERROR"
        return "WARNING"

    @property
    def http_status(self) -> int:
        return 200 if self.status == "SUCCESS" else 409

    def add_conflict(self, *, obj: str, value: str, error_code: str, prop: str, index: int) -> None:
        self.conflicts.append(Conflict(object=obj, value=value, error_code=error_code, property=prop,
                                       indexes=[index]))
        self.ignored += 1

    def as_json(self) -> dict[str, Any]:
        description = self.set_error or ("Import process completed successfully" if self.status == "SUCCESS"
                                         else "Import process completed with conflicts")
        return {
            "responseType": "ImportSummary", "status": self.status, "importOptions": self.options.as_json(),
            "description": description,
            "importCount": {"imported": self.imported, "updated": self.updated, "ignored": self.ignored,
                            "deleted": self.deleted},
            "conflicts": [conflict.as_json() for conflict in self.conflicts],
            "rejectedIndexes": sorted({index for conflict in self.conflicts for index in conflict.indexes}),
            "dataSetComplete": "false",
        }

    def envelope(self) -> dict[str, Any]:
        """DHIS2's WebMessage around the summary."""
        status = self.status
        if status == "SUCCESS":
            head = {"httpStatus": "OK", "httpStatusCode": 200, "status": "OK", "message": "Import was successful."}
        elif status == "WARNING":
            head = {"httpStatus": "Conflict", "httpStatusCode": 409, "status": "WARNING",
                    "message": "One more conflicts encountered, please check import summary."}
        else:
            head = {"httpStatus": "Conflict", "httpStatusCode": 409, "status": "ERROR",
                    "message": "An error occurred, please check import summary."}
        return {**head, "response": self.as_json()}


class _Resolver:
    """Looks identifiers up once per request."""

    def __init__(self, options: ImportOptions) -> None:
        self.options = options
        self.elements = list(DataElement.objects.select_related("plan", "reporter_agency"))
        self.by_code = {element.code: element for element in self.elements}
        self.by_uid = {data_element_uid(element): element for element in self.elements}
        self.ethnic_codes = set(EthnicGroup.objects.values_list("code", flat=True))
        self.ethnic_groups = {group.code: group for group in EthnicGroup.objects.all()}
        self.units: dict[tuple[str, int], OrgUnit | None] = {}
        self.plans = {plan.code: plan for plan in Plan.objects.all()}
        self.plan_uids = {data_set_uid(plan): plan for plan in self.plans.values()}
        self.cycles: dict[tuple[int, int], ReportingCycle | None] = {}

    def element(self, identifier: str) -> DataElement | None:
        source = self.by_uid if self.options.element_scheme == "uid" else self.by_code
        return source.get(identifier)

    def unit(self, identifier: str, year: int) -> OrgUnit | None:
        key = (identifier, year)
        if key not in self.units:
            on = reference_date(year)
            if self.options.unit_scheme == "uid":
                unit = OrgUnit.objects.filter(uid=identifier).first()
            else:
                unit = OrgUnit.objects.valid_on(on).filter(code=identifier).first()
            self.units[key] = unit
        return self.units[key]

    def cycle(self, element: DataElement, year: int) -> ReportingCycle | None:
        key = (element.plan_id, year)
        if key not in self.cycles:
            self.cycles[key] = ReportingCycle.objects.filter(plan_id=element.plan_id, year=year).first()
        return self.cycles[key]

    def data_set(self, identifier: str) -> Plan | None:
        return self.plan_uids.get(identifier) or self.plans.get(identifier)


@dataclass
class _Accepted:
    incoming: IncomingValue
    element: DataElement
    unit: OrgUnit
    year: int
    sex: str
    ethnic: str
    value: Decimal | None


def _parse_number(raw: str | None) -> Decimal | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        number = Decimal(raw.strip())
    except InvalidOperation as error:
        raise ValueError(raw) from error
    if not number.is_finite():
        raise ValueError(raw)
    return number


def import_data_value_set(*, user: AbstractBaseUser, incoming: IncomingSet, options: ImportOptions) -> ImportSummary:
    """Check and store a data value set; with ``dry_run`` nothing is stored but the summary is the same."""
    summary = ImportSummary(options=options)
    resolver = _Resolver(options)
    data_set = None
    if incoming.data_set:
        data_set = resolver.data_set(incoming.data_set)
        if data_set is None:
            summary.set_error = f"Data set not found or not accessible: `{incoming.data_set}`"
            summary.ignored = len(incoming.values)
            summary.conflicts.append(Conflict(object=incoming.data_set, error_code="E7600", property="dataSet",
                                              value=f"Không có bộ dữ liệu (kế hoạch) `{incoming.data_set}`.",
                                              indexes=[]))
            return summary
    now = timezone.now()
    accepted: list[_Accepted] = []
    submissions: dict[tuple[int, int, int], Submission | None] = {}
    for item in incoming.values:
        year = parse_period(item.period)
        if year is None:
            summary.add_conflict(obj=item.period, prop="period", error_code="E7611", index=item.index,
                                 value=f"Kỳ `{item.period}` không hợp lệ: dùng kỳ năm, ví dụ 2026.")
            continue
        element = resolver.element(item.data_element)
        if element is None:
            summary.add_conflict(obj=item.data_element, prop="dataElement", error_code="E7610", index=item.index,
                                 value=f"Không có phần tử dữ liệu `{item.data_element}`.")
            continue
        value_set = data_set
        if item.data_set:
            value_set = resolver.data_set(item.data_set)
            if value_set is None:
                summary.add_conflict(obj=item.data_set, prop="dataSet", error_code="E7600", index=item.index,
                                     value=f"Không có bộ dữ liệu (kế hoạch) `{item.data_set}`.")
                continue
        if value_set is not None and element.plan_id != value_set.pk:
            summary.add_conflict(obj=item.data_element, prop="dataElement", error_code="E7633", index=item.index,
                                 value=f"Phần tử `{item.data_element}` không thuộc bộ dữ liệu "
                                       f"`{item.data_set or incoming.data_set}`.")
            continue
        unit = resolver.unit(item.org_unit, year)
        if unit is None:
            summary.add_conflict(obj=item.org_unit, prop="orgUnit", error_code="E7612", index=item.index,
                                 value=f"Không có đơn vị `{item.org_unit}` hiệu lực ngày "
                                       f"{reference_date(year):%d/%m/%Y}.")
            continue
        category = parse_coc(item.category_option_combo, scheme=options.coc_scheme,
                             ethnic_codes=resolver.ethnic_codes)
        if category is None:
            summary.add_conflict(obj=item.category_option_combo, prop="categoryOptionCombo", error_code="E7613",
                                 index=item.index,
                                 value=f"Không có tổ hợp phân tổ `{item.category_option_combo}`.")
            continue
        if item.attribute_option_combo not in ("", DEFAULT_COC_UID, DEFAULT_COC_CODE):
            summary.add_conflict(obj=item.attribute_option_combo, prop="attributeOptionCombo", error_code="E7615",
                                 index=item.index,
                                 value=f"Không có tổ hợp thuộc tính `{item.attribute_option_combo}`.")
            continue
        if not can_enter_value(user, data_element=element, org_unit=unit):
            summary.add_conflict(obj=item.org_unit, prop="orgUnit", error_code="E7617", index=item.index,
                                 value=f"Bạn không được nhập `{element.code}` cho {unit.name}: ngoài phạm vi được "
                                       f"phân công hoặc không do đơn vị của bạn báo cáo.")
            continue
        key = (element.pk, unit.pk, year)
        if key not in submissions:
            submissions[key] = governing_submission(element=element, org_unit=unit, year=year)
        submission = submissions[key]
        cycle = resolver.cycle(element, year)
        if cycle is not None and cycle.is_locked_at(now):
            summary.add_conflict(obj=item.period, prop="period", error_code="E7643", index=item.index,
                                 value=f"Kỳ báo cáo năm {year} đã khóa nhập.")
            continue
        if submission is not None and not submission.is_editable:
            summary.add_conflict(obj=item.org_unit, prop="orgUnit", error_code="E7642", index=item.index,
                                 value=f"Báo cáo của {submission.reporter_name} năm {year} đang ở trạng thái "
                                       f"“{submission.get_status_display()}”: không sửa được số liệu.")
            continue
        try:
            value = None if options.import_strategy == "DELETE" else _parse_number(item.value)
        except ValueError:
            summary.add_conflict(obj=item.value or "", prop="value", error_code="E7619", index=item.index,
                                 value=f"Giá trị `{item.value}` của `{element.code}` phải là số.")
            continue
        if value is None and options.import_strategy != "DELETE" and not item.comment:
            summary.add_conflict(obj=item.data_element, prop="value", error_code="E7618", index=item.index,
                                 value=f"Chưa có giá trị hoặc ghi chú cho `{element.code}`.")
            continue
        accepted.append(_Accepted(item, element, unit, year, category[0], category[1], value))
    _check_rules(accepted, summary)
    _store(user=user, accepted=[entry for entry in accepted if entry.incoming.index not in _rejected(summary)],
           summary=summary, options=options, resolver=resolver)
    return summary


def _rejected(summary: ImportSummary) -> set[int]:
    return {index for conflict in summary.conflicts for index in conflict.indexes}


def _check_rules(accepted: Sequence[_Accepted], summary: ImportSummary) -> None:
    """The validation rules, over the whole set at once (a numerator is checked against a denominator sent with
    it); an error, or a warning without a comment, refuses the value."""
    by_year: dict[int, list[_Accepted]] = defaultdict(list)
    for entry in accepted:
        if summary.options.import_strategy != "DELETE":
            by_year[entry.year].append(entry)
    for year, entries in by_year.items():
        cells = [CellInput(element_code=entry.element.code, org_unit_id=entry.unit.pk, value=entry.value,
                           sex=entry.sex, ethnic_group_code=entry.ethnic, comment=entry.incoming.comment)
                 for entry in entries]
        findings = check_cells(cells, year=year)
        comments = {cell.key: cell.comment for cell in cells}
        for entry, cell in zip(entries, cells, strict=True):
            for finding in blocking(findings.get(cell.key, []), comments=comments):
                suffix = "" if finding.is_error else " Gửi kèm ghi chú (comment) giải trình để được chấp nhận."
                summary.add_conflict(obj=entry.incoming.data_element, prop="value", error_code=finding.rule_code,
                                     index=entry.incoming.index, value=finding.message + suffix)
                break


def _store(*, user: AbstractBaseUser, accepted: Sequence[_Accepted], summary: ImportSummary,
           options: ImportOptions, resolver: _Resolver) -> None:
    existing = {
        (row.data_element_id, row.org_unit_id, row.year, row.sex, row.ethnic_group.code if row.ethnic_group else ""):
            row.value
        for row in DataValue.objects.filter(
            data_element_id__in={entry.element.pk for entry in accepted},
            org_unit_id__in={entry.unit.pk for entry in accepted},
            year__in={entry.year for entry in accepted},
        ).select_related("ethnic_group")
    }
    with transaction.atomic():
        for entry in accepted:
            current = existing.get((entry.element.pk, entry.unit.pk, entry.year, entry.sex, entry.ethnic))
            exists = current is not None
            strategy = options.import_strategy
            if (strategy == "CREATE" and exists) or (strategy in ("UPDATE", "DELETE") and not exists):
                summary.ignored += 1
                continue
            group = resolver.ethnic_groups.get(entry.ethnic) if entry.ethnic else None
            try:
                with transaction.atomic():
                    result = enter_data_values(
                        actor=user, org_unit=entry.unit, year=entry.year,
                        values=[ValueInput(data_element=entry.element, value=entry.value, sex=entry.sex,
                                           ethnic_group=group, comment=entry.incoming.comment)],
                    )
            except ValidationError as error:
                summary.add_conflict(obj=entry.incoming.data_element, prop="value", error_code="E7619",
                                     index=entry.incoming.index, value="; ".join(error.messages))
                continue
            if strategy == "DELETE":
                summary.deleted += 1
            elif result.created or (not exists and result.updated):
                summary.imported += 1
            else:
                summary.updated += 1
        if options.dry_run:
            transaction.set_rollback(True)
