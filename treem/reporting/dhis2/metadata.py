"""The DHIS2 metadata a client reads at start-up, built from treem's own records:

- ``dataSets``: the plans (period type Yearly);
- ``dataElements``: the plans' data elements (uid derived from the code, value type INTEGER_ZERO_OR_POSITIVE,
  aggregation SUM), with their data set and groups;
- ``dataElementGroups``: one per indicator of a plan (code = the indicator's code, e.g. ``I04``), holding its
  numerator and denominator;
- ``categoryCombos``: the disaggregations (default, sex, ethnic group, both) with their category option combos;
- ``organisationUnits``: the units in force on a day (today unless asked), **only those inside the caller's
  subtrees**, with DHIS2's integer ``level`` (1 = the country), ``path`` of uids, ``parent`` and ``children``,
  ``openingDate``/``closedDate`` from the unit's validity.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cached_property

from django.utils import timezone

from treem.core.access import UserLike, visible_to
from treem.core.models import EthnicGroup
from treem.hierarchy.models import OrgUnit, make_uid
from treem.plans.models import DataElement, Indicator, Plan
from treem.reporting.dhis2.fields import Object, Ref, collection, parse_fields, select
from treem.reporting.dhis2.formats import (
    DEFAULT_COC_UID,
    ExchangeError,
    coc_code,
    coc_uid,
    data_element_group_uid,
    data_element_uid,
    data_set_uid,
)
from treem.reporting.permissions import EXCHANGE_READ

DEFAULT_CATEGORY_COMBO_UID = "bjDvmb4bfuf"  # DHIS2's own uid of the default category combination
KINDS = ("dataSets", "dataElements", "dataElementGroups", "categoryCombos", "organisationUnits")


def category_combo_uid(*, by_sex: bool, by_ethnicity: bool) -> str:
    if not (by_sex or by_ethnicity):
        return DEFAULT_CATEGORY_COMBO_UID
    return make_uid(f"categoryCombo:{'SEX' if by_sex else ''}:{'ETH' if by_ethnicity else ''}")


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S.000")


def _day(day: date | None) -> str | None:
    return None if day is None else f"{day.isoformat()}T00:00:00.000"


def _names(name: str) -> Object:
    short = name[:50]
    return {"name": name, "displayName": name, "shortName": short, "displayShortName": short}


def _without_empty(obj: Object) -> Object:
    """DHIS2 leaves out a property that has no value (the country's parent, an open unit's closedDate)."""
    return {key: value for key, value in obj.items() if value is not None}


def dhis2_level(unit: OrgUnit) -> int:
    """DHIS2's level: 1 for the country (path ``/``), 2 for a province (``/12/``), and so on."""
    return len([part for part in unit.path.split("/") if part]) + 1


class Catalogue:
    """Every metadata object the user may read, built once per request, by kind and uid."""

    def __init__(self, user: UserLike, *, on: date | None = None) -> None:
        self.user = user
        self.on = on or timezone.localdate()
        self._ancestors: dict[str, Object] = {}

    def objects(self, kind: str) -> list[Object]:
        return list(self._by_kind[kind].values())

    def get(self, kind: str, uid: str) -> Object | None:
        return self._by_kind.get(kind, {}).get(uid)

    def lookup(self, ref: Ref) -> Object | None:
        """The object a reference names; an ancestor of the caller's units outside their scope is known only by
        its identity (id, code, name, level), so ``parent[name]`` still answers."""
        found = self.get(ref.kind, ref.uid)
        if found is None and ref.kind == "organisationUnits":
            return self._ancestors.get(ref.uid)
        return found

    @cached_property
    def _by_kind(self) -> dict[str, dict[str, Object]]:
        return {"dataSets": self._data_sets, "dataElements": self._data_elements,
                "dataElementGroups": self._groups, "categoryCombos": self._category_combos,
                "organisationUnits": self._org_units}

    @cached_property
    def _plans(self) -> list[Plan]:
        return list(Plan.objects.filter(is_active=True).order_by("code"))

    @cached_property
    def _elements(self) -> list[DataElement]:
        return list(DataElement.objects.filter(is_active=True, plan__in=self._plans).order_by("plan_id", "order",
                                                                                              "code"))

    @cached_property
    def _indicators(self) -> list[Indicator]:
        return list(Indicator.objects.filter(is_active=True, plan__in=self._plans).order_by("plan_id", "order",
                                                                                            "code"))

    @cached_property
    def _data_sets(self) -> dict[str, Object]:
        sets: dict[str, Object] = {}
        for plan in self._plans:
            uid = data_set_uid(plan)
            sets[uid] = {
                "id": uid, "code": plan.code, **_names(plan.title), "periodType": "Yearly",
                "categoryCombo": Ref("categoryCombos", DEFAULT_CATEGORY_COMBO_UID),
                "dataSetElements": [
                    {"dataSet": Ref("dataSets", uid), "dataElement": Ref("dataElements", data_element_uid(element))}
                    for element in self._elements if element.plan_id == plan.pk],
                "openFuturePeriods": 0, "expiryDays": 0, "created": _stamp(plan.created_at),
                "lastUpdated": _stamp(plan.updated_at),
            }
        return sets

    @cached_property
    def _groups_of_element(self) -> dict[int, list[Ref]]:
        groups: dict[int, list[Ref]] = {}
        for indicator in self._indicators:
            for element_id in (indicator.numerator_id, indicator.denominator_id):
                groups.setdefault(element_id, []).append(Ref("dataElementGroups", data_element_group_uid(indicator)))
        return groups

    @cached_property
    def _data_elements(self) -> dict[str, Object]:
        plan_uids = {plan.pk: data_set_uid(plan) for plan in self._plans}
        elements: dict[str, Object] = {}
        for element in self._elements:
            uid = data_element_uid(element)
            elements[uid] = {
                "id": uid, "code": element.code, **_names(element.name), "formName": element.name,
                "description": element.definition, "valueType": "INTEGER_ZERO_OR_POSITIVE",
                "aggregationType": "SUM", "domainType": "AGGREGATE", "zeroIsSignificant": True,
                "categoryCombo": Ref("categoryCombos", category_combo_uid(by_sex=element.by_sex,
                                                                          by_ethnicity=element.by_ethnicity)),
                "dataSetElements": [{"dataSet": Ref("dataSets", plan_uids[element.plan_id]),
                                     "dataElement": Ref("dataElements", uid)}],
                "dataElementGroups": self._groups_of_element.get(element.pk, []),
                "created": _stamp(element.created_at), "lastUpdated": _stamp(element.updated_at),
            }
        return elements

    @cached_property
    def _groups(self) -> dict[str, Object]:
        codes = {element.pk: element for element in self._elements}
        groups: dict[str, Object] = {}
        for indicator in self._indicators:
            uid = data_element_group_uid(indicator)
            groups[uid] = {
                "id": uid, "code": indicator.code, **_names(indicator.name),
                "dataElements": [Ref("dataElements", data_element_uid(codes[element_id]))
                                 for element_id in (indicator.numerator_id, indicator.denominator_id)
                                 if element_id in codes],
                "created": _stamp(indicator.created_at), "lastUpdated": _stamp(indicator.updated_at),
            }
        return groups

    @cached_property
    def _category_combos(self) -> dict[str, Object]:
        ethnic_codes = sorted(EthnicGroup.objects.values_list("code", flat=True))
        combos: dict[str, Object] = {}
        for by_sex, by_ethnicity, name in ((False, False, "default"), (True, False, "Giới tính"),
                                           (False, True, "Dân tộc"), (True, True, "Giới tính và dân tộc")):
            uid = category_combo_uid(by_sex=by_sex, by_ethnicity=by_ethnicity)
            sexes = ("M", "F") if by_sex else ("",)
            ethnic_groups = ethnic_codes if by_ethnicity else [""]
            options = [{"id": DEFAULT_COC_UID, "code": "default", "name": "default"}] + [
                {"id": coc_uid(sex, ethnic), "code": coc_code(sex, ethnic), "name": coc_code(sex, ethnic)}
                for sex in sexes for ethnic in ethnic_groups if sex or ethnic]
            combos[uid] = {"id": uid, "code": name if uid == DEFAULT_CATEGORY_COMBO_UID else
                           ("SEX" if by_sex else "") + ("_" if by_sex and by_ethnicity else "")
                           + ("ETHNIC_GROUP" if by_ethnicity else ""),
                           **_names(name), "dataDimensionType": "DISAGGREGATION",
                           "categoryOptionCombos": options}
        return combos

    @cached_property
    def _org_units(self) -> dict[str, Object]:
        in_force = list(OrgUnit.objects.valid_on(self.on).order_by("path"))
        uid_of = {unit.pk: unit.uid for unit in in_force}
        parent_of = {unit.pk: unit.parent_id for unit in in_force}
        children: dict[int, list[Ref]] = {}
        for unit in in_force:
            if unit.parent_id is not None:
                children.setdefault(unit.parent_id, []).append(Ref("organisationUnits", unit.uid))
        visible = visible_to(self.user, OrgUnit.objects.valid_on(self.on), path_field="path",
                             capability=EXCHANGE_READ).order_by("path")
        units: dict[str, Object] = {}
        by_pk = {unit.pk: unit for unit in in_force}
        for unit in visible:
            ancestors: list[str] = []
            current: int | None = unit.parent_id
            while current is not None and current in uid_of:
                ancestors.insert(0, uid_of[current])
                ancestor = by_pk[current]
                self._ancestors[ancestor.uid] = {"id": ancestor.uid, "code": ancestor.code, **_names(ancestor.name),
                                                 "level": dhis2_level(ancestor)}
                current = parent_of[current]
            units[unit.uid] = _without_empty({
                "id": unit.uid, "code": unit.code, **_names(unit.name), "level": dhis2_level(unit),
                "path": "/" + "/".join([*ancestors, unit.uid]),
                "parent": Ref("organisationUnits", uid_of[unit.parent_id]) if unit.parent_id in uid_of else None,
                "children": children.get(unit.pk, []),
                "ancestors": [Ref("organisationUnits", uid) for uid in ancestors],
                "leaf": unit.pk not in children, "openingDate": _day(unit.valid_from),
                "closedDate": _day(unit.valid_to), "created": _stamp(unit.created_at),
                "lastUpdated": _stamp(unit.updated_at),
            })
        return units


def _catalogue(user: UserLike, params: dict[str, str]) -> Catalogue:
    on = None
    if params.get("on"):
        try:
            on = date.fromisoformat(params["on"])
        except ValueError as error:
            raise ExchangeError(f"Tham số on='{params['on']}' không phải ngày hợp lệ (yyyy-mm-dd).",
                                status=400) from error
    return Catalogue(user, on=on)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ExchangeError(f"Không hỗ trợ loại siêu dữ liệu `{kind}`.", status=404)


def metadata_collection(*, user: UserLike, kind: str, params: dict[str, str], filters: list[str],
                        page_url: Callable[[int], str]) -> Object:
    """``GET /api/<kind>``: DHIS2's list with ``fields``, ``filter``, ``rootJunction``, paging; org units also by
    ``level``/``maxLevel``, and on the day ``on`` (a treem addition; today by default)."""
    _check_kind(kind)
    catalogue = _catalogue(user, params)
    objects = catalogue.objects(kind)
    if kind == "organisationUnits":
        try:
            level = int(params["level"]) if params.get("level") else None
            max_level = int(params["maxLevel"]) if params.get("maxLevel") else None
        except ValueError as error:
            raise ExchangeError("level và maxLevel phải là số nguyên.", status=400) from error
        objects = [obj for obj in objects if (level is None or obj["level"] == level)
                   and (max_level is None or obj["level"] <= max_level)]
    return collection(kind=kind, objects=objects, params=params, filters=filters, lookup=catalogue.lookup,
                      page_url=page_url)


def metadata_item(*, user: UserLike, kind: str, uid: str, params: dict[str, str]) -> Object | None:
    """``GET /api/<kind>/<uid>``: the object (every field unless ``fields`` is given), None when not readable."""
    _check_kind(kind)
    catalogue = _catalogue(user, params)
    obj = catalogue.get(kind, uid)
    if obj is None:
        return None
    return select(obj, parse_fields(params.get("fields") or ":all"), catalogue.lookup)
