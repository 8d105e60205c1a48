"""The wire formats of the DHIS2-compatible exchange: identifiers (data set, data element, category option
combo), periods, values, the JSON data value set and ADX read in and written out, and ``system/info``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from treem.hierarchy.models import make_uid
from treem.plans.models import DataElement, Indicator, Plan

ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
DEFAULT_COC_UID = "HllvX50cXC0"
DEFAULT_COC_CODE = "default"
IMPORT_STRATEGIES = ("CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE")
ID_SCHEMES = ("uid", "code")
API_VERSION = "2.40.0"


class ExchangeError(ValueError):
    """The request as a whole cannot be processed (unreadable body, unknown option): HTTP 400 or 409."""

    def __init__(self, message: str, *, status: int = 409, error_code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code


def data_set_uid(plan: Plan) -> str:
    return make_uid(f"dataSet:{plan.code}")


def data_element_uid(element: DataElement) -> str:
    """The stable uid treem gives a data element (derived from its permanent code)."""
    return make_uid(f"dataElement:{element.code}")


def data_element_group_uid(indicator: Indicator) -> str:
    """A data element group is an indicator of a plan (its numerator and denominator)."""
    return make_uid(f"dataElementGroup:{indicator.plan_id}:{indicator.code}")


def coc_code(sex: str, ethnic_group_code: str) -> str:
    parts = ([f"SEX_{sex}"] if sex else []) + ([f"ETH_{ethnic_group_code}"] if ethnic_group_code else [])
    return "_".join(parts) or DEFAULT_COC_CODE


def coc_uid(sex: str, ethnic_group_code: str) -> str:
    code = coc_code(sex, ethnic_group_code)
    return DEFAULT_COC_UID if code == DEFAULT_COC_CODE else make_uid(f"categoryOptionCombo:{code}")


_COC_PATTERN = re.compile(r"^(?:SEX_(?P<sex>[MF]))?_?(?:ETH_(?P<eth>\d{2}))?$")


def parse_coc(identifier: str, *, scheme: str, ethnic_codes: set[str]) -> tuple[str, str] | None:
    """(sex, ethnic group code) of a category option combo given by code or uid; None when unknown."""
    if identifier in ("", DEFAULT_COC_UID, DEFAULT_COC_CODE):
        return "", ""
    if scheme == "uid":
        for sex in ("", "M", "F"):
            for ethnic in ("", *sorted(ethnic_codes)):
                if coc_uid(sex, ethnic) == identifier:
                    return sex, ethnic
        return None
    match = _COC_PATTERN.match(identifier)
    if match is None or not (match.group("sex") or match.group("eth")):
        return None
    ethnic = match.group("eth") or ""
    if ethnic and ethnic not in ethnic_codes:
        return None
    if identifier != coc_code(match.group("sex") or "", ethnic):
        return None
    return match.group("sex") or "", ethnic


def parse_period(period: str) -> int | None:
    """The year of a yearly period: ``2026`` (DHIS2) or ``2026-01-01/P1Y`` (ADX); None for anything else."""
    text = period.strip()
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    match = re.fullmatch(r"(\d{4})-01-01/P1Y", text)
    return int(match.group(1)) if match else None


def adx_period(year: int) -> str:
    return f"{year}-01-01/P1Y"


def format_value(value: Decimal | None) -> str:
    if value is None:
        return ""
    normalized = value.normalize()
    return format(normalized.quantize(Decimal(1)) if normalized == normalized.to_integral_value() else normalized,
                  "f")


@dataclass
class IncomingValue:
    data_element: str
    period: str
    org_unit: str
    category_option_combo: str
    attribute_option_combo: str
    value: str | None
    comment: str
    index: int
    data_set: str = ""


@dataclass
class IncomingSet:
    data_set: str = ""
    values: list[IncomingValue] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)


def _text(item: Any) -> str:
    if item is None:
        return ""
    return str(item).strip()


def parse_json_set(payload: Any) -> IncomingSet:
    """A dataValueSet in DHIS2's JSON; set-level dataSet, period, orgUnit and attributeOptionCombo apply to the
    values that do not carry their own."""
    if not isinstance(payload, dict):
        raise ExchangeError("Nội dung JSON phải là một đối tượng dataValueSet.", status=400)
    raw_values = payload.get("dataValues", [])
    if not isinstance(raw_values, list):
        raise ExchangeError("'dataValues' phải là một danh sách.", status=400)
    incoming = IncomingSet(data_set=_text(payload.get("dataSet")))
    for name in ("idScheme", "dataElementIdScheme", "orgUnitIdScheme", "categoryOptionComboIdScheme",
                 "importStrategy", "dryRun"):
        if name in payload:
            incoming.options[name] = _text(payload[name])
    for index, item in enumerate(raw_values):
        if not isinstance(item, dict):
            raise ExchangeError(f"Phần tử dataValues[{index}] không phải là một đối tượng.", status=400)
        raw = item.get("value")
        incoming.values.append(IncomingValue(
            data_element=_text(item.get("dataElement")),
            period=_text(item.get("period") or payload.get("period")),
            org_unit=_text(item.get("orgUnit") or payload.get("orgUnit")),
            category_option_combo=_text(item.get("categoryOptionCombo")),
            attribute_option_combo=_text(item.get("attributeOptionCombo") or payload.get("attributeOptionCombo")),
            value=None if raw is None else _text(raw), comment=_text(item.get("comment")), index=index,
        ))
    return incoming


ADX_GROUP_REQUIRED = ("orgUnit", "period", "dataSet")


def parse_adx(body: bytes) -> IncomingSet:
    """An ADX message: groups (orgUnit, period, dataSet — all three required, as DHIS2 requires them) of
    dataValues, disaggregated by a categoryOptionCombo attribute or by the ``SEX`` and ``ETHNIC_GROUP``
    attributes. Each value keeps its group's data set."""
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise ExchangeError("Tệp ADX không được chứa DOCTYPE hoặc ENTITY.", status=400)
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise ExchangeError(f"Tệp ADX không đọc được: {error}.", status=400) from error
    namespace = f"{{{ADX_NAMESPACE}}}"
    if root.tag not in (f"{namespace}adx", "adx"):
        raise ExchangeError("Phần tử gốc phải là <adx> (urn:ihe:qrph:adx:2015).", status=400)
    incoming = IncomingSet()
    index = 0
    for number, group in enumerate([*root.findall(f"{namespace}group"), *root.findall("group")], start=1):
        missing = [name for name in ADX_GROUP_REQUIRED if not group.get(name, "").strip()]
        if missing:
            raise ExchangeError(f"Nhóm <group> thứ {number} của tệp ADX thiếu thuộc tính {', '.join(missing)}.")
        for element in [*group.findall(f"{namespace}dataValue"), *group.findall("dataValue")]:
            coc = element.get("categoryOptionCombo")
            if coc is None:
                coc = coc_code(element.get("SEX", ""), element.get("ETHNIC_GROUP", ""))
            incoming.values.append(IncomingValue(
                data_element=element.get("dataElement", ""), period=group.get("period", ""),
                org_unit=group.get("orgUnit", ""), category_option_combo=coc,
                attribute_option_combo=group.get("attributeOptionCombo", ""),
                value=element.get("value"), comment=element.get("comment", ""), index=index,
                data_set=group.get("dataSet", "").strip(),
            ))
            index += 1
    return incoming


def adx_document(rows: Sequence[dict[str, Any]], *, data_sets: Sequence[str]) -> bytes:
    """Rows (as from ``export_values``) as ADX: one group per org unit, period and data set (``data_sets[i]`` is
    row i's); disaggregations as the attributes SEX and ETHNIC_GROUP."""
    ElementTree.register_namespace("", ADX_NAMESPACE)
    root = ElementTree.Element(f"{{{ADX_NAMESPACE}}}adx",
                               {"exported": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")})
    groups: dict[tuple[str, str, str], ElementTree.Element] = {}
    for row, data_set in zip(rows, data_sets, strict=True):
        key = (row["orgUnit"], row["period"], data_set)
        if key not in groups:
            groups[key] = ElementTree.SubElement(root, f"{{{ADX_NAMESPACE}}}group", {
                "orgUnit": row["orgUnit"], "period": adx_period(int(row["period"])), "dataSet": data_set})
        attributes = {"dataElement": row["dataElement"], "value": row["value"]}
        coc = row["categoryOptionCombo"]
        match = _COC_PATTERN.match(coc) if coc != DEFAULT_COC_CODE else None
        if match is not None and (match.group("sex") or match.group("eth")):
            if match.group("sex"):
                attributes["SEX"] = match.group("sex")
            if match.group("eth"):
                attributes["ETHNIC_GROUP"] = match.group("eth")
        elif coc not in (DEFAULT_COC_CODE, DEFAULT_COC_UID):
            attributes["categoryOptionCombo"] = coc
        ElementTree.SubElement(groups[key], f"{{{ADX_NAMESPACE}}}dataValue", attributes)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="utf-8",
                                                                              xml_declaration=False)


def system_info(*, base_url: str) -> dict[str, Any]:
    now = timezone.localtime()
    return {
        "contextPath": base_url.rstrip("/"), "calendar": "iso8601", "dateFormat": "yyyy-mm-dd",
        "serverDate": now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3], "serverTimeZoneId": str(now.tzinfo),
        "serverTimeZoneDisplayName": "Indochina Time", "version": API_VERSION, "revision": "treem",
        "systemName": "treem", "systemId": make_uid("treem-system"), "instanceBaseUrl": base_url.rstrip("/"),
        "isMetadataVersionEnabled": False, "encryption": False, "emailConfigured": False,
        "lastAnalyticsTableSuccess": None, "buildTime": date.today().isoformat(),
    }
