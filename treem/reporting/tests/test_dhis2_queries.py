"""The DHIS2 exchange's queries: the export parameters (dataElement, dataElementGroup, startDate/endDate,
children, lastUpdated) with DHIS2's error codes, ADX in and out for the same, and the metadata a client reads at
start-up (fields, filter, paging, scope)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from treem.accounts.models import User
from treem.accounts.tests.factories import TEST_PASSWORD, unit
from treem.hierarchy.models import OrgUnit
from treem.indicators.models import DataValue
from treem.plans.models import DataElement, Indicator, Plan
from treem.reporting.dhis2.formats import data_element_group_uid, data_element_uid, data_set_uid
from treem.reporting.tests.factories import OTHER_COMMUNE, OWN_COMMUNE, agency_reporter, commune_officer, cycle

URL = "/api/dataValueSets"


def basic(user: User) -> dict[str, str]:
    token = base64.b64encode(f"{user.username}:{TEST_PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def store(code: str, org_unit: str, year: int, value: int) -> DataValue:
    return DataValue.objects.create(data_element=DataElement.objects.get(code=code), org_unit=unit(org_unit),
                                    year=year, value=value)


def export(client: Client, user: User, **params: Any) -> Any:
    return client.get(URL, {"idScheme": "code", **params}, **basic(user))


@pytest.mark.django_db
class TestExportParameters:
    def test_a_client_asking_by_data_element_period_and_org_unit_is_answered(self, client: Client) -> None:
        """The request DHIS2 clients send (no dataSet) was refused with E7600; it answers the element's values."""
        store("DE_SCHOOL_TOTAL", OWN_COMMUNE, 2026, 5)
        store("DE_SCHOOL_PSYCH_SUPPORT", OWN_COMMUNE, 2026, 3)
        element = DataElement.objects.get(code="DE_SCHOOL_TOTAL")
        response = client.get(URL, {"dataElement": data_element_uid(element), "period": "2026",
                                    "orgUnit": unit(OWN_COMMUNE).uid}, **basic(agency_reporter()))
        assert response.status_code == 200, response.content
        [row] = response.json()["dataValues"]
        assert row["dataElement"] == data_element_uid(element) and row["value"] == "5"

    def test_a_data_element_group_is_an_indicators_numerator_and_denominator(self, client: Client) -> None:
        for code, value in (("DE_SCHOOL_TOTAL", 5), ("DE_SCHOOL_PSYCH_SUPPORT", 3), ("DE_COMMUNE_TOTAL", 1)):
            store(code, OWN_COMMUNE, 2026, value)
        indicator = Indicator.objects.get(code="I04")
        for group in ("I04", data_element_group_uid(indicator)):
            response = export(client, agency_reporter(), dataElementGroup=group, period="2026", orgUnit=OWN_COMMUNE)
            assert {row["dataElement"] for row in response.json()["dataValues"]} == {
                "DE_SCHOOL_TOTAL", "DE_SCHOOL_PSYCH_SUPPORT"}

    def test_start_and_end_dates_take_the_years_lying_wholly_between_them(self, client: Client) -> None:
        for year in (2023, 2024, 2025):
            store("DE_CHILD_PARTICIPATION_AWARE", "12", year, year)
        response = export(client, agency_reporter(), dataElement="DE_CHILD_PARTICIPATION_AWARE",
                          startDate="2024-01-01", endDate="2025-12-31", orgUnit="12")
        assert sorted(row["period"] for row in response.json()["dataValues"]) == ["2024", "2025"]
        response = export(client, agency_reporter(), dataElement="DE_CHILD_PARTICIPATION_AWARE",
                          startDate="2024-01-01", endDate="2025-06-30", orgUnit="12")
        assert [row["period"] for row in response.json()["dataValues"]] == ["2024"]

    def test_children_takes_the_subtree_and_stays_within_the_callers_scope(self, client: Client) -> None:
        store("DE_CHILD_PARTICIPATION_AWARE", OWN_COMMUNE, 2026, 7)
        store("DE_CHILD_PARTICIPATION_AWARE", OTHER_COMMUNE, 2026, 9)
        without = export(client, agency_reporter(), dataElement="DE_CHILD_PARTICIPATION_AWARE", period="2026",
                         orgUnit="12")
        assert without.json()["dataValues"] == []
        with_children = export(client, agency_reporter(), dataElement="DE_CHILD_PARTICIPATION_AWARE",
                               period="2026", orgUnit="12", children="true")
        assert {row["orgUnit"] for row in with_children.json()["dataValues"]} == {OWN_COMMUNE, OTHER_COMMUNE}
        officer = export(client, commune_officer(), dataElement="DE_CHILD_PARTICIPATION_AWARE", period="2026",
                         orgUnit="12", children="true")
        assert {row["orgUnit"] for row in officer.json()["dataValues"]} == {OWN_COMMUNE}

    def test_last_updated_and_its_duration(self, client: Client) -> None:
        old = store("DE_CHILD_PARTICIPATION_AWARE", OWN_COMMUNE, 2025, 1)
        store("DE_CHILD_PARTICIPATION_AWARE", OWN_COMMUNE, 2026, 2)
        DataValue.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=30))
        since = (timezone.localdate() - timedelta(days=2)).isoformat()
        for params in ({"lastUpdated": since}, {"lastUpdatedDuration": "2d"}):
            response = export(client, agency_reporter(), dataSet=Plan.objects.get().code, orgUnit=OWN_COMMUNE,
                              **params)
            assert [row["period"] for row in response.json()["dataValues"]] == ["2026"], params

    @pytest.mark.parametrize(("params", "code"), [
        ({"period": "2026", "orgUnit": OWN_COMMUNE}, "E2001"),
        ({"dataElement": "DE_SCHOOL_TOTAL", "orgUnit": OWN_COMMUNE}, "E2002"),
        ({"dataElement": "DE_SCHOOL_TOTAL", "period": "2026", "startDate": "2026-01-01", "endDate": "2026-12-31",
          "orgUnit": OWN_COMMUNE}, "E2003"),
        ({"dataElement": "DE_SCHOOL_TOTAL", "startDate": "2026-12-31", "endDate": "2026-01-01",
          "orgUnit": OWN_COMMUNE}, "E2004"),
        ({"dataElement": "DE_SCHOOL_TOTAL", "lastUpdatedDuration": "soon", "orgUnit": OWN_COMMUNE}, "E2005"),
        ({"dataElement": "DE_SCHOOL_TOTAL", "period": "2026", "children": "true"}, "E2006"),
        ({"dataElement": "DE_SCHOOL_TOTAL", "period": "2026", "orgUnit": OWN_COMMUNE, "limit": "-1"}, "E2009"),
        ({"dataElement": "DE_NOPE", "period": "2026", "orgUnit": OWN_COMMUNE}, "E1100"),
        ({"dataSet": "NOPE", "period": "2026", "orgUnit": OWN_COMMUNE}, "E1105"),
        ({"dataElement": "DE_SCHOOL_TOTAL", "period": "202601", "orgUnit": OWN_COMMUNE}, "E1101"),
        ({"dataElement": "DE_SCHOOL_TOTAL", "period": "2026", "orgUnit": "99999"}, "E1102"),
    ])
    def test_a_request_dhis2_refuses_is_refused_with_its_error_code(self, client: Client, params: dict[str, str],
                                                                   code: str) -> None:
        response = export(client, agency_reporter(), **params)
        body = response.json()
        assert response.status_code == 409 and body["httpStatusCode"] == 409 and body["status"] == "ERROR"
        assert body["errorCode"] == code, body


@pytest.mark.django_db
class TestAdx:
    def test_an_adx_export_by_data_element_reimports_as_is(self, client: Client) -> None:
        cycle(2026)
        store("DE_CHILD_PARTICIPATION_AWARE", OWN_COMMUNE, 2026, 40)
        officer = commune_officer()
        exported = client.get(URL, {"dataElement": "DE_CHILD_PARTICIPATION_AWARE", "period": "2026",
                                    "orgUnit": OWN_COMMUNE}, HTTP_ACCEPT="application/adx+xml", **basic(officer))
        text = exported.content.decode()
        assert f'dataSet="{Plan.objects.get().code}"' in text and 'period="2026-01-01/P1Y"' in text
        changed = text.replace('value="40"', 'value="41"')
        response = client.post(URL, data=changed, content_type="application/adx+xml", **basic(officer))
        assert response.status_code == 200, response.json()
        assert response.json()["response"]["importCount"]["updated"] == 1
        assert DataValue.objects.get(data_element__code="DE_CHILD_PARTICIPATION_AWARE").value == 41

    def test_a_group_without_its_data_set_is_refused_and_an_unknown_one_is_a_conflict(self, client: Client) -> None:
        officer = commune_officer()
        missing = (f'<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="{OWN_COMMUNE}" period="2026-01-01/P1Y">'
                   '<dataValue dataElement="DE_CHILD_PARTICIPATION_AWARE" value="1"/></group></adx>')
        response = client.post(URL, data=missing, content_type="application/adx+xml", **basic(officer))
        assert response.status_code == 409 and "dataSet" in response.json()["message"]
        unknown = missing.replace('period=', 'dataSet="NOPE" period=')
        response = client.post(URL, data=unknown, content_type="application/adx+xml", **basic(officer))
        assert response.json()["response"]["conflicts"][0]["errorCode"] == "E7600"
        assert not DataValue.objects.exists()


@pytest.mark.django_db
class TestMetadata:
    def test_data_elements_with_fields_filter_and_paging(self, client: Client) -> None:
        reporter = agency_reporter()
        element = DataElement.objects.get(code="DE_SCHOOL_TOTAL")
        body = client.get("/api/dataElements", {"fields": "id,code,name,dataSetElements[dataSet[id,periodType]]",
                                                "filter": "code:eq:DE_SCHOOL_TOTAL"}, **basic(reporter)).json()
        assert body["pager"]["total"] == 1
        [found] = body["dataElements"]
        assert found["id"] == data_element_uid(element) and found["code"] == "DE_SCHOOL_TOTAL"
        assert found["dataSetElements"] == [{"dataSet": {"id": data_set_uid(Plan.objects.get()),
                                                         "periodType": "Yearly"}}]
        assert set(found) == {"id", "code", "name", "dataSetElements"}
        paged = client.get("/api/dataElements.json", {"pageSize": 2, "page": 2}, **basic(reporter)).json()
        assert paged["pager"]["page"] == 2 and len(paged["dataElements"]) == 2
        assert set(paged["dataElements"][0]) == {"id", "displayName"}
        assert "page=3" in paged["pager"]["nextPage"] and "page=1" in paged["pager"]["prevPage"]
        everything = client.get("/api/40/dataElements", {"paging": "false", "fields": ":all"},
                                **basic(reporter)).json()
        assert "pager" not in everything and len(everything["dataElements"]) == DataElement.objects.count()
        assert everything["dataElements"][0]["categoryCombo"].keys() == {"id"}

    def test_filters_in_like_and_exclusions(self, client: Client) -> None:
        reporter = agency_reporter()
        codes = "[DE_SCHOOL_TOTAL,DE_COMMUNE_TOTAL]"
        body = client.get("/api/dataElements", {"fields": "code,!name", "filter": f"code:in:{codes}",
                                                "paging": "false"}, **basic(reporter)).json()
        assert sorted(row["code"] for row in body["dataElements"]) == ["DE_COMMUNE_TOTAL", "DE_SCHOOL_TOTAL"]
        liked = client.get("/api/dataElements", {"fields": "code", "filter": "code:like:SCHOOL",
                                                 "paging": "false"}, **basic(reporter)).json()["dataElements"]
        assert liked and all("SCHOOL" in row["code"] for row in liked)
        either = client.get("/api/dataElements", {"fields": "code", "paging": "false", "rootJunction": "OR",
                                                  "filter": ["code:eq:DE_SCHOOL_TOTAL", "code:eq:DE_COMMUNE_TOTAL"]},
                            **basic(reporter)).json()["dataElements"]
        assert len(either) == 2
        refused = client.get("/api/dataElements", {"filter": "code:near:X"}, **basic(reporter))
        assert refused.status_code == 400 and refused.json()["errorCode"] == "E2014"

    def test_org_units_with_parent_and_levels_are_scoped_to_the_caller(self, client: Client) -> None:
        own = unit(OWN_COMMUNE)
        province = OrgUnit.objects.get(pk=own.parent_id)
        officer_body = client.get("/api/organisationUnits", {"fields": "id,code,level,path,parent[id,code]",
                                                             "paging": "false"}, **basic(commune_officer())).json()
        [only] = officer_body["organisationUnits"]
        assert only["code"] == OWN_COMMUNE and only["parent"] == {"id": province.uid, "code": province.code}
        assert only["level"] == 3 and only["path"].endswith(f"/{province.uid}/{own.uid}")
        reporter = agency_reporter()
        communes = client.get("/api/organisationUnits", {"level": 3, "fields": "id", "paging": "false"},
                              **basic(reporter)).json()["organisationUnits"]
        assert len(communes) == OrgUnit.objects.valid_on(timezone.localdate()).filter(level="commune").count()
        by_name = client.get("/api/organisationUnits", {"filter": f"name:ilike:{own.name.upper()}",
                                                        "fields": "code"}, **basic(reporter)).json()
        assert [row["code"] for row in by_name["organisationUnits"]] == [OWN_COMMUNE]

    def test_one_object_with_every_field_and_one_outside_scope_is_404(self, client: Client) -> None:
        own, other = unit(OWN_COMMUNE), unit(OTHER_COMMUNE)
        officer = commune_officer()
        body = client.get(f"/api/organisationUnits/{own.uid}", **basic(officer)).json()
        assert body["id"] == own.uid and body["code"] == OWN_COMMUNE and "openingDate" in body
        response = client.get(f"/api/organisationUnits/{other.uid}.json", **basic(officer))
        assert response.status_code == 404 and response.json()["httpStatusCode"] == 404

    def test_groups_and_data_sets(self, client: Client) -> None:
        reporter = agency_reporter()
        groups = client.get("/api/dataElementGroups", {"filter": "code:eq:I04",
                                                       "fields": "id,code,dataElements[code]"},
                            **basic(reporter)).json()["dataElementGroups"]
        assert [sorted(row["code"] for row in group["dataElements"]) for group in groups] == [
            ["DE_SCHOOL_PSYCH_SUPPORT", "DE_SCHOOL_TOTAL"]]
        [data_set] = client.get("/api/dataSets", {"fields": "code,periodType"}, **basic(reporter)).json()["dataSets"]
        assert data_set == {"code": Plan.objects.get().code, "periodType": "Yearly"}

    def test_metadata_needs_credentials(self, client: Client) -> None:
        assert client.get("/api/dataElements").status_code == 401
