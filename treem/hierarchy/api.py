"""API: administrative units on a date, with lineage; agencies.

No postponed annotations: the operations are wrapped by ``api_require`` and Ninja resolves parameter annotations in
the wrapper's module.
"""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from treem.core.access import api_require
from treem.core.api_choices import choices_text
from treem.core.api_paging import limit_query, offset_query, page
from treem.hierarchy.models import AgencyKind, Level, LineageKind, OrgUnit, UnitKind
from treem.hierarchy.permissions import VIEW_AGENCIES, VIEW_HIERARCHY
from treem.hierarchy.selectors import agencies_for, coordinating_agency, lineage_of, org_unit_for, org_units_for

router = Router(tags=["Đơn vị hành chính"])


class OrgUnitOut(Schema):
    uid: str
    code: str
    name: str
    kind: UnitKind = Field(description=choices_text(UnitKind))
    level: Level = Field(description=choices_text(Level))
    parent_code: str | None
    path: str
    valid_from: date | None
    valid_to: date | None

    @staticmethod
    def of(unit: OrgUnit) -> "OrgUnitOut":
        return OrgUnitOut(uid=unit.uid, code=unit.code, name=unit.name, kind=UnitKind(unit.kind),
                          level=Level(unit.level),
                          parent_code=unit.parent.code if unit.parent else None, path=unit.path,
                          valid_from=unit.valid_from, valid_to=unit.valid_to)


class LineageOut(Schema):
    code: str
    uid: str
    name: str
    effective_on: date
    kind: LineageKind = Field(description=choices_text(LineageKind))


class OrgUnitDetailOut(OrgUnitOut):
    predecessors: list[LineageOut]
    successors: list[LineageOut]


@router.get("/org-units", response=list[OrgUnitOut], summary="Đơn vị hành chính có hiệu lực vào một ngày")
@api_require(VIEW_HIERARCHY)
def list_org_units(
    request: HttpRequest, response: HttpResponse, on: date | None = None,
    parent: str | None = Query(None, max_length=32, description="mã đơn vị cha"),
    level: Level | None = Query(None, description=choices_text(Level)),  # noqa: B008
    limit: int = limit_query(200, 1000, "đơn vị"), offset: int = offset_query("đơn vị"),
) -> list[OrgUnitOut]:
    units = org_units_for(request.user, on=on or timezone.localdate(), parent_code=parent, level=level)
    _total, rows = page(response, units, limit=limit, offset=offset)
    return [OrgUnitOut.of(unit) for unit in rows]


@router.get("/org-units/{code}", response=OrgUnitDetailOut, summary="Một đơn vị, với lịch sử kế thừa")
@api_require(VIEW_HIERARCHY)
def get_org_unit(request: HttpRequest, code: str, on: date | None = None) -> OrgUnitDetailOut:
    unit = org_unit_for(request.user, code=code, on=on)
    links = list(lineage_of(unit=unit))
    base = OrgUnitOut.of(unit)
    return OrgUnitDetailOut(
        **base.model_dump(),
        predecessors=[LineageOut(code=link.predecessor.code, uid=link.predecessor.uid, name=link.predecessor.name,
                                 effective_on=link.effective_on, kind=LineageKind(link.kind))
                      for link in links if link.successor_id == unit.pk],
        successors=[LineageOut(code=link.successor.code, uid=link.successor.uid, name=link.successor.name,
                               effective_on=link.effective_on, kind=LineageKind(link.kind))
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
    kind: AgencyKind = Field(description=choices_text(AgencyKind))
    valid_from: date | None
    valid_to: date | None
    successors: list[AgencySuccessorOut]
    is_coordinator: bool


@router.get("/agencies", response=list[AgencyOut], summary="Các cơ quan, với cơ quan kế thừa")
@api_require(VIEW_AGENCIES)
def list_agencies(request: HttpRequest, response: HttpResponse, on: date | None = None,
                  limit: int = limit_query(200, 500, "cơ quan"), offset: int = offset_query("cơ quan"),
                  ) -> list[AgencyOut]:
    coordinator = coordinating_agency(on=on or timezone.localdate())
    _total, agencies = page(response, agencies_for(request.user, on=on), limit=limit, offset=offset)
    return [
        AgencyOut(code=a.code, name=a.name, short_name=a.short_name, kind=AgencyKind(a.kind), valid_from=a.valid_from,
                  valid_to=a.valid_to, is_coordinator=coordinator is not None and coordinator.pk == a.pk,
                  successors=[AgencySuccessorOut(code=link.successor.code, effective_on=link.effective_on,
                                                 note=link.note) for link in a.successor_links.all()])
        for a in agencies
    ]
