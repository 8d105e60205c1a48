"""Figures for page and API tests, written straight into the table (the service is tested on its own)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from treem.core.models import EthnicGroup
from treem.hierarchy.models import OrgUnit
from treem.indicators.models import DataValue
from treem.plans.models import DataElement

# numerator share of the denominator, per indicator pair (the denominators are 100 for every unit)
SHARES = {
    "DE_COMMUNE_CHILD_FRIENDLY": None, "DE_COMMUNE_PLAY_SPACE": None,
    "DE_EDU_FACILITY_STANDARD_SANITATION": 90, "DE_SCHOOL_PSYCH_SUPPORT": 70, "DE_U5_UNDERWEIGHT": 16,
    "DE_U5_STUNTED": 24, "DE_AGE5_IN_KINDERGARTEN": 98, "DE_PRIMARY_COMPLETED": 97,
    "DE_LOWER_SECONDARY_GRADUATED": 85, "DE_CHILD_PARTICIPATION_AWARE": 70, "DE_CHILD_11_15_PARTICIPATING": 25,
    "DE_DISASTER_RELIEVED_CHILDREN": 95, "DE_ABUSED_SUPPORTED": 90, "DE_U5_BIRTH_REGISTERED": 93,
}


def fill(*, communes: int | None = None, years: range = range(2021, 2027), is_demo: bool = False) -> int:
    """Every enterable element for the first ``communes`` communes in force each year (all when None): each
    denominator 100 (50 Kinh girls and 50 Thái boys where broken down), each numerator its share above."""
    elements = {element.code: element for element in DataElement.objects.filter(is_active=True)}
    kinh, thai = EthnicGroup.objects.get(code="01"), EthnicGroup.objects.get(code="03")
    rows = []
    for year in years:
        units = list(OrgUnit.objects.valid_on(date(year, 12, 31)).of_level("commune").order_by("path"))
        for position, unit in enumerate(units[:communes] if communes else units):
            for code, element in elements.items():
                if not element.can_be_entered:
                    continue
                if code in ("DE_COMMUNE_CHILD_FRIENDLY", "DE_COMMUNE_PLAY_SPACE"):
                    value = int((position + year) % 3 != 0)
                else:
                    value = SHARES.get(code, 100) or 0
                if element.by_sex and element.by_ethnicity:
                    rows.append(DataValue(data_element=element, org_unit=unit, year=year, sex="F", ethnic_group=kinh,
                                          value=Decimal(value - value // 2), is_demo=is_demo))
                    rows.append(DataValue(data_element=element, org_unit=unit, year=year, sex="M", ethnic_group=thai,
                                          value=Decimal(value // 2), is_demo=is_demo))
                else:
                    rows.append(DataValue(data_element=element, org_unit=unit, year=year, value=Decimal(value),
                                          is_demo=is_demo))
    DataValue.objects.bulk_create(rows)
    return len(rows)
