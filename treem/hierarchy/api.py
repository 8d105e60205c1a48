"""API: administrative units on a date, with lineage; agencies."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from treem.core.access import api_require
from treem.hierarchy.models import Agency, OrgUnit
from treem.hierarchy.permissions import VIEW_AGENCIES, VIEW_HIERARCHY
from treem.hierarchy.selectors import agencies_for, coordinating_agency, lineage_of, org_unit_for, org_units_for

router = Router(tags=["Đơn vị hành chính"])


class OrgUnitOut(Schema):
    uid: str
    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None
    path: str
    valid_from: date | None
    valid_to: date | None

    @staticmethod
    def of(unit: OrgUnit) -> OrgUnitOut:
        return OrgUnitOut(uid=unit.uid, code=unit.code, name=unit.name, kind=unit.kind, level=unit.level,
                          parent_code=unit.parent.code if unit.parent else None, path=unit.path,
                          valid_from=unit.valid_from, valid_to=unit.valid_to)


class LineageOut(Schema):
    code: str
    uid: str
    name: str
    effective_on: date
    kind: str


class OrgUnitDetailOut(OrgUnitOut):
    predecessors: list[LineageOut]
    successors: list[LineageOut]


@router.get("/org-units", response=list[OrgUnitOut], summary="Đơn vị hành chính có hiệu lực vào một ngày")
@api_require(VIEW_HIERARCHY)
def list_org_units(
    request: HttpRequest, on: date | None = None, parent: str | None = None, level: str | None = None
) -> list[OrgUnitOut]:
    units = org_units_for(request.user, on=on or timezone.localdate(), parent_code=parent, level=level)
    return [OrgUnitOut.of(unit) for unit in units]


@router.get("/org-units/{code}", response=OrgUnitDetailOut, summary="Một đơn vị, với lịch sử kế thừa")
@api_require(VIEW_HIERARCHY)
def get_org_unit(request: HttpRequest, code: str, on: date | None = None) -> OrgUnitDetailOut:
    unit = org_unit_for(request.user, code=code, on=on)
    links = list(lineage_of(unit=unit))
    base = OrgUnitOut.of(unit)
    return OrgUnitDetailOut(
        **base.model_dump(),
        predecessors=[LineageOut(code=link.predecessor.code, uid=link.predecessor.uid, name=link.predecessor.name,
                                 effective_on=link.effective_on, kind=link.kind)
                      for link in links if link.successor_id == unit.pk],
        successors=[LineageOut(code=link.successor.code, uid=link.successor.uid, name=link.successor.name,
                               effective_on=link.effective_on, kind=link.kind)
                    for link in links if link.predecessor_id == unit.pk],
    )


class AgencySuccessorOut(Schema):
    code: str
    effective_on: date
    note: str


class AgencyOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    valid_from: date | None
    valid_to: date | None
    successors: list[AgencySuccessorOut]
    is_coordinator: bool


@router.get("/agencies", response=list[AgencyOut], summary="Các cơ quan, với cơ quan kế thừa")
@api_require(VIEW_AGENCIES)
def list_agencies(request: HttpRequest, on: date | None = None) -> list[AgencyOut]:
    coordinator = coordinating_agency(on=on or timezone.localdate())
    agencies: list[Agency] = list(agencies_for(request.user, on=on))
    return [
        AgencyOut(code=a.code, name=a.name, short_name=a.short_name, kind=a.kind, valid_from=a.valid_from,
                  valid_to=a.valid_to, is_coordinator=coordinator is not None and coordinator.pk == a.pk,
                  successors=[AgencySuccessorOut(code=link.successor.code, effective_on=link.effective_on,
                                                 note=link.note) for link in a.successor_links.all()])
        for a in agencies
    ]
