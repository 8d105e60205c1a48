"""Two independent DHIS2 client libraries from the package registry against treem on a live server, each used
the way its README says: ``dhis2-client`` (HISP Centre; httpx) and ``dhis2.py`` (requests). Each reads the server
information and the start-up metadata with field filters, filters and paging, posts a data value set and reads it
back by data element, period and org unit — the request that was refused with E7600 before."""

from __future__ import annotations

from typing import Any

import pytest

from treem.accounts.tests.factories import TEST_PASSWORD, unit
from treem.hierarchy.models import OrgUnit
from treem.indicators.models import DataValue
from treem.plans.models import DataElement, Plan
from treem.reporting.dhis2.formats import data_element_uid, data_set_uid
from treem.reporting.tests.factories import OTHER_COMMUNE, OWN_COMMUNE, agency_reporter, cycle


def school_set(org_unit: str, total: str, supported: str) -> dict[str, object]:
    return {"dataSet": Plan.objects.get().code, "period": "2026", "orgUnit": org_unit, "idScheme": "code",
            "dataValues": [{"dataElement": "DE_SCHOOL_TOTAL", "value": total},
                           {"dataElement": "DE_SCHOOL_PSYCH_SUPPORT", "value": supported}]}


@pytest.mark.django_db(transaction=True)
def test_dhis2_client_reads_metadata_and_finds_the_latest_period(live_server: Any, reference_data: None) -> None:
    from dhis2_client import DHIS2Client
    from dhis2_client.errors import DHIS2HTTPError

    cycle(2026)
    reporter = agency_reporter("SGDDT")
    client = DHIS2Client(live_server.url, username=reporter.username, password=TEST_PASSWORD, retries=0)
    try:
        element = DataElement.objects.get(code="DE_SCHOOL_TOTAL")
        [found] = list(client.get_data_elements(fields="id,code,name,categoryCombo[id]",
                                                filter="code:eq:DE_SCHOOL_TOTAL"))
        assert found["id"] == data_element_uid(element) and found["categoryCombo"]["id"]
        every = client.fetch_all("/api/dataElements", params={"fields": "id,displayName"}, page_size=7)
        assert len(every) == DataElement.objects.filter(is_active=True).count()
        one = client.get_data_element(data_element_uid(element), fields="id,dataSetElements[dataSet[id,periodType]]")
        assert one["dataSetElements"][0]["dataSet"] == {"id": data_set_uid(Plan.objects.get()),
                                                        "periodType": "Yearly"}
        communes = list(client.get_organisation_units(level=3, fields="id,code,parent[id,code]"))
        assert {row["code"] for row in communes} >= {OWN_COMMUNE, OTHER_COMMUNE}
        assert {row["parent"]["code"] for row in communes} == {"12"}
        [data_set] = list(client.get_data_sets(fields="id,periodType,dataSetElements[dataElement[id]]"))
        assert data_set["periodType"] == "Yearly" and len(data_set["dataSetElements"]) == len(every)

        summary = client.post_data_value_set(school_set(OWN_COMMUNE, "5", "3"))
        assert summary["response"]["importCount"]["imported"] == 2
        back = client.get_data_value_set({"dataElement": data_element_uid(element), "period": "2026",
                                          "orgUnit": unit(OWN_COMMUNE).uid})
        assert [row["value"] for row in back["dataValues"]] == ["5"]

        # The client's own search for the latest period with data, over the province's subtree (startDate/endDate,
        # children=true, dataElement, organisationUnits by level with paging=false): 2026 here.
        latest = client.analytics_latest_period_for_level(data_element_uid(element), 2)
        assert latest["meta"]["periodType"] == "YEARLY"
        assert latest["existing"]["id"] == "2026" and latest["next"]["id"] == "2027"

        with pytest.raises(DHIS2HTTPError) as refused:
            client.get_data_value_set({"period": "2026", "orgUnit": OWN_COMMUNE})
        assert refused.value.status_code == 409 and refused.value.payload["errorCode"] == "E2001"
    finally:
        client.close()


@pytest.mark.django_db(transaction=True)
def test_dhis2_py_reads_metadata_posts_and_reads_back(live_server: Any, reference_data: None) -> None:
    from dhis2 import Api, RequestException

    cycle(2026)
    reporter = agency_reporter("SGDDT")
    for api in (Api(live_server.url, reporter.username, TEST_PASSWORD),
                Api(live_server.url, reporter.username, TEST_PASSWORD, api_version=40)):
        try:
            assert api.info["systemName"] == "treem" and api.version_int == 40
            elements = api.get("dataElements", params={"fields": "id,code", "filter": "code:like:SCHOOL",
                                                        "paging": "false"}).json()["dataElements"]
            assert {row["code"] for row in elements} == {"DE_SCHOOL_TOTAL", "DE_SCHOOL_PSYCH_SUPPORT"}
            merged = api.get_paged("organisationUnits", page_size=10, merge=True,
                                   params={"fields": "id,code,level", "filter": "level:eq:3"})
            expected = OrgUnit.objects.filter(level="commune", valid_to__isnull=True).count()
            assert len(merged["organisationUnits"]) == expected
            pages = list(api.get_paged("organisationUnits", page_size=10, params={"fields": "id"}))
            assert len(pages) == pages[0]["pager"]["pageCount"] > 1

            posted = api.post("dataValueSets", json=school_set(OTHER_COMMUNE, "8", "4"), params={"idScheme": "code"})
            assert posted.json()["status"] == "OK"
            back = api.get("dataValueSets", params=[("dataElement", "DE_SCHOOL_PSYCH_SUPPORT"), ("period", "2026"),
                                                    ("orgUnit", OTHER_COMMUNE), ("idScheme", "code")]).json()
            assert [row["value"] for row in back["dataValues"]] == ["4"]

            with pytest.raises(RequestException) as refused:
                api.post("dataValueSets", params={"idScheme": "code"}, json={"dataValues": [
                    {"dataElement": "DE_SCHOOL_PSYCH_SUPPORT", "period": "2026", "orgUnit": OTHER_COMMUNE,
                     "value": "50"}]})
            assert refused.value.code == 409 and "VR_I04_NUM_LE_DEN" in refused.value.description
        finally:
            api.session.close()
    assert DataValue.objects.get(data_element__code="DE_SCHOOL_PSYCH_SUPPORT").value == 4
