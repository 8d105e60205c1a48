"""The DHIS2-compatible exchange: DHIS2's JSON and ADX, id schemes, dry runs, strategies, the envelope, auth,
scoping; and a real DHIS2 client against a live server, including the push command."""

from __future__ import annotations

import base64
import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from treem.accounts.models import User
from treem.accounts.services import issue_api_token
from treem.accounts.tests.factories import TEST_PASSWORD, unit
from treem.indicators.models import DataValue
from treem.plans.models import DataElement, Plan
from treem.reporting.dhis2.formats import DEFAULT_COC_UID, coc_uid, data_element_uid, data_set_uid, parse_coc
from treem.reporting.services import submit_report
from treem.reporting.tests.factories import (
    OTHER_COMMUNE,
    OWN_COMMUNE,
    agency_reporter,
    commune_officer,
    commune_report,
    coordinator,
    cycle,
)

URL = "/api/dataValueSets"


def basic(user: User) -> dict[str, str]:
    token = base64.b64encode(f"{user.username}:{TEST_PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def post(client: Client, payload: object, *, query: str = "", **headers: str) -> tuple[int, dict]:
    response = client.post(f"{URL}{query}", data=json.dumps(payload), content_type="application/json", **headers)
    return response.status_code, response.json()


def school_set(org_unit: str = OWN_COMMUNE, total: str = "5", supported: str = "3") -> dict[str, object]:
    return {"dataSet": Plan.objects.get().code, "period": "2026", "orgUnit": org_unit, "dataValues": [
        {"dataElement": "DE_SCHOOL_TOTAL", "value": total},
        {"dataElement": "DE_SCHOOL_PSYCH_SUPPORT", "value": supported, "comment": "Theo báo cáo của trường"},
    ]}


@pytest.mark.django_db
class TestImport:
    def test_a_valid_set_is_imported_with_dhis2s_envelope(self, client: Client) -> None:
        cycle(2026)
        status, body = post(client, school_set(), query="?idScheme=code", **basic(agency_reporter("SGDDT")))
        assert status == 200
        assert (body["httpStatus"], body["httpStatusCode"], body["status"]) == ("OK", 200, "OK")
        assert body["response"]["responseType"] == "ImportSummary" and body["response"]["status"] == "SUCCESS"
        assert body["response"]["importCount"] == {"imported": 2, "updated": 0, "ignored": 0, "deleted": 0}
        stored = DataValue.objects.get(data_element__code="DE_SCHOOL_PSYCH_SUPPORT", org_unit=unit(OWN_COMMUNE))
        assert stored.value == 3 and stored.comment == "Theo báo cáo của trường"
        status, body = post(client, school_set(total="6"), query="?idScheme=code", **basic(agency_reporter("SGDDT")))
        assert body["response"]["importCount"]["updated"] == 2

    def test_a_value_breaking_a_rule_is_a_conflict_and_is_not_stored(self, client: Client) -> None:
        cycle(2026)
        status, body = post(client, school_set(total="2", supported="9"), query="?idScheme=code",
                            **basic(agency_reporter("SGDDT")))
        assert status == 409 and body["status"] == "WARNING" and body["httpStatus"] == "Conflict"
        summary = body["response"]
        assert summary["status"] == "WARNING"
        assert summary["importCount"] == {"imported": 1, "updated": 0, "ignored": 1, "deleted": 0}
        [conflict] = summary["conflicts"]
        assert conflict["object"] == "DE_SCHOOL_PSYCH_SUPPORT" and conflict["errorCode"] == "VR_I04_NUM_LE_DEN"
        assert "không được lớn hơn" in conflict["value"]
        assert not DataValue.objects.filter(data_element__code="DE_SCHOOL_PSYCH_SUPPORT").exists()

    def test_nothing_taken_is_an_error_with_409(self, client: Client) -> None:
        cycle(2026)
        payload = {"dataValues": [{"dataElement": "DE_NOPE", "period": "2026", "orgUnit": OWN_COMMUNE, "value": "1"}]}
        status, body = post(client, payload, query="?idScheme=code", **basic(agency_reporter("SGDDT")))
        assert status == 409 and body["status"] == "ERROR" and body["response"]["status"] == "ERROR"
        assert body["response"]["conflicts"][0]["errorCode"] == "E7610"

    def test_dry_run_reports_without_storing(self, client: Client) -> None:
        cycle(2026)
        status, body = post(client, school_set(), query="?idScheme=code&dryRun=true", **basic(agency_reporter()))
        assert status == 200 and body["response"]["importCount"]["imported"] == 2
        assert body["response"]["importOptions"]["dryRun"] is True
        assert not DataValue.objects.filter(data_element__code="DE_SCHOOL_TOTAL").exists()

    def test_import_strategies(self, client: Client) -> None:
        cycle(2026)
        reporter = agency_reporter()
        _, body = post(client, school_set(), query="?idScheme=code&importStrategy=UPDATE", **basic(reporter))
        assert body["response"]["importCount"] == {"imported": 0, "updated": 0, "ignored": 2, "deleted": 0}
        post(client, school_set(), query="?idScheme=code&importStrategy=CREATE", **basic(reporter))
        _, body = post(client, school_set(total="7"), query="?idScheme=code&importStrategy=CREATE", **basic(reporter))
        assert body["response"]["importCount"]["ignored"] == 2
        _, body = post(client, school_set(), query="?idScheme=code&importStrategy=DELETE", **basic(reporter))
        assert body["response"]["importCount"]["deleted"] == 2
        assert not DataValue.objects.with_value().filter(data_element__code="DE_SCHOOL_TOTAL").exists()

    def test_uids_and_disaggregations_by_category_option_combo(self, client: Client) -> None:
        cycle(2026)
        element = DataElement.objects.get(code="DE_CHILD_PARTICIPATION_AWARE")
        commune = unit(OWN_COMMUNE)
        payload = {"dataSet": data_set_uid(Plan.objects.get()), "dataValues": [
            {"dataElement": data_element_uid(element), "period": "2026", "orgUnit": commune.uid,
             "categoryOptionCombo": coc_uid("F", "08"), "value": "41"},
            {"dataElement": data_element_uid(element), "period": "2026", "orgUnit": commune.uid,
             "categoryOptionCombo": DEFAULT_COC_UID, "value": "120"},
        ]}
        status, body = post(client, payload, **basic(commune_officer()))
        assert status == 200, body
        girls = DataValue.objects.get(data_element=element, org_unit=commune, sex="F", ethnic_group__code="08")
        assert girls.value == 41

    def test_codes_are_resolved_on_the_periods_date(self, client: Client) -> None:
        """03390 names an old commune in 2024 and a new one in 2026: each year's value goes to that year's unit."""
        officer = coordinator()
        payload = {"dataValues": [
            {"dataElement": "DE_CHILD_PARTICIPATION_AWARE", "period": year, "orgUnit": OWN_COMMUNE, "value": value}
            for year, value in (("2024", "10"), ("2026", "20"))]}
        status, body = post(client, payload, query="?idScheme=code", **basic(officer))
        assert status == 200, body
        rows = {row.year: row.org_unit for row in DataValue.objects.filter(
            data_element__code="DE_CHILD_PARTICIPATION_AWARE")}
        assert rows[2024].is_valid_on(date(2024, 12, 31))
        assert rows[2026].is_valid_on(date(2026, 12, 31))
        assert rows[2024].pk != rows[2026].pk

    def test_a_commune_officer_cannot_import_for_a_neighbouring_commune(self, client: Client) -> None:
        cycle(2026)
        payload = {"dataValues": [{"dataElement": "DE_CHILD_PARTICIPATION_AWARE", "period": "2026",
                                   "orgUnit": OTHER_COMMUNE, "value": "5"}]}
        status, body = post(client, payload, query="?idScheme=code", **basic(commune_officer()))
        assert status == 409 and body["response"]["conflicts"][0]["errorCode"] == "E7617"
        assert not DataValue.objects.exists()

    def test_values_of_a_submitted_report_are_locked(self, client: Client) -> None:
        reporting_cycle = cycle(2026)
        officer = commune_officer()
        submission = commune_report(reporting_cycle, OWN_COMMUNE)
        submission.narrative = "Đã triển khai."
        submission.save()
        for code in ("DE_COMMUNE_CHILD_FRIENDLY", "DE_COMMUNE_PLAY_SPACE"):
            DataValue.objects.create(data_element=DataElement.objects.get(code=code), org_unit=submission.org_unit,
                                     year=2026, value=1)
        submit_report(actor=officer, submission=submission)
        payload = {"dataValues": [{"dataElement": "DE_CHILD_PARTICIPATION_AWARE", "period": "2026",
                                   "orgUnit": OWN_COMMUNE, "value": "5"}]}
        status, body = post(client, payload, query="?idScheme=code", **basic(officer))
        assert status == 409 and body["response"]["conflicts"][0]["errorCode"] == "E7642"

    def test_adx_is_read_and_written(self, client: Client) -> None:
        cycle(2026)
        plan_code = Plan.objects.get().code
        adx = f"""<?xml version="1.0" encoding="UTF-8"?>
<adx xmlns="urn:ihe:qrph:adx:2015" exported="2026-11-20T10:00:00Z">
  <group orgUnit="{OWN_COMMUNE}" period="2026-01-01/P1Y" dataSet="{plan_code}">
    <dataValue dataElement="DE_CHILD_PARTICIPATION_AWARE" value="50"/>
    <dataValue dataElement="DE_CHILD_PARTICIPATION_AWARE" SEX="M" value="26"/>
  </group>
</adx>"""
        officer = commune_officer()
        response = client.post(URL, data=adx, content_type="application/adx+xml", **basic(officer))
        assert response.status_code == 200, response.json()
        assert DataValue.objects.get(sex="M").value == 26
        exported = client.get(URL, {"dataSet": plan_code, "period": "2026", "orgUnit": OWN_COMMUNE},
                              HTTP_ACCEPT="application/adx+xml", **basic(officer))
        text = exported.content.decode()
        assert exported["Content-Type"].startswith("application/adx+xml")
        assert 'period="2026-01-01/P1Y"' in text and 'SEX="M"' in text and 'value="26"' in text

    def test_export_is_scoped_to_the_callers_units(self, client: Client) -> None:
        element = DataElement.objects.get(code="DE_CHILD_PARTICIPATION_AWARE")
        for code in (OWN_COMMUNE, OTHER_COMMUNE):
            DataValue.objects.create(data_element=element, org_unit=unit(code), year=2026, value=3)
        plan_code = Plan.objects.get().code
        response = client.get(URL, {"dataSet": plan_code, "period": "2026", "orgUnit": [OWN_COMMUNE, OTHER_COMMUNE],
                                    "idScheme": "code"}, **basic(commune_officer()))
        assert response.status_code == 200
        assert {row["orgUnit"] for row in response.json()["dataValues"]} == {OWN_COMMUNE}

    def test_an_export_without_org_unit_says_so_instead_of_answering_nothing(self, client: Client) -> None:
        response = client.get(URL, {"dataSet": Plan.objects.get().code, "period": "2026"}, **basic(commune_officer()))
        assert response.status_code >= 400
        assert "E2006" in response.content.decode() and "orgUnit" in response.content.decode()


@pytest.mark.django_db
class TestAuthentication:
    def test_api_tokens_basic_and_nothing(self, client: Client) -> None:
        user = agency_reporter()
        token, _ = issue_api_token(user=user)
        assert client.get("/api/system/info", HTTP_AUTHORIZATION=f"ApiToken {token}").status_code == 200
        assert client.get("/api/system/info", **basic(user)).json()["systemName"] == "treem"
        response = client.get("/api/system/info")
        assert response.status_code == 401 and response.json()["httpStatusCode"] == 401
        assert client.get("/api/system/info", HTTP_AUTHORIZATION="ApiToken wrong").status_code == 401

    def test_the_treem_api_still_resolves_under_api_v1(self, client: Client) -> None:
        assert client.get("/api/v1/openapi.json").status_code == 200

    def test_a_leader_may_read_but_not_write(self, client: Client) -> None:
        from treem.accounts.tests.factories import user_with_role
        from treem.core.roles import Role

        leader = user_with_role(Role.LEADER, "12")
        status, body = post(client, school_set(), query="?idScheme=code", **basic(leader))
        assert status == 403 and body["httpStatusCode"] == 403


def test_category_option_combos_by_code_and_uid() -> None:
    codes = {"01", "08"}
    assert parse_coc("default", scheme="code", ethnic_codes=codes) == ("", "")
    assert parse_coc("SEX_F_ETH_08", scheme="code", ethnic_codes=codes) == ("F", "08")
    assert parse_coc(coc_uid("M", ""), scheme="uid", ethnic_codes=codes) == ("M", "")
    assert parse_coc("ETH_99", scheme="code", ethnic_codes=codes) is None


@pytest.mark.django_db(transaction=True)
def test_a_dhis2_client_posts_a_set_and_reads_it_back(live_server: object, reference_data: None) -> None:
    """The real dhis2-client library against treem on a live server; then ``push_dhis2`` to the same server."""
    from dhis2_client import DHIS2Client
    from dhis2_client.errors import DHIS2HTTPError

    from treem.reporting.services import approve_report

    reporting_cycle = cycle(2026)
    reporter = agency_reporter("SGDDT")
    url = live_server.url  # type: ignore[attr-defined]
    client = DHIS2Client(url, username=reporter.username, password=TEST_PASSWORD, retries=0)
    assert client.get_system_info()["systemName"] == "treem"
    plan_code = Plan.objects.get().code
    summary = client.post("/api/dataValueSets", params={"idScheme": "code"}, json=school_set())
    assert summary["response"]["importCount"]["imported"] == 2
    back = client.get_data_value_set({"dataSet": plan_code, "period": "2026", "orgUnit": OWN_COMMUNE,
                                      "idScheme": "code"})
    values = {row["dataElement"]: row["value"] for row in back["dataValues"]}
    assert values == {"DE_SCHOOL_TOTAL": "5", "DE_SCHOOL_PSYCH_SUPPORT": "3"}

    with pytest.raises(DHIS2HTTPError) as refused:
        client.post("/api/dataValueSets", params={"idScheme": "code"}, json={"dataValues": [
            {"dataElement": "DE_SCHOOL_PSYCH_SUPPORT", "period": "2026", "orgUnit": OWN_COMMUNE, "value": "50"}]})
    assert refused.value.status_code == 409
    assert refused.value.payload["response"]["conflicts"][0]["errorCode"] == "VR_I04_NUM_LE_DEN"
    assert DataValue.objects.get(data_element__code="DE_SCHOOL_PSYCH_SUPPORT").value == 3

    token_client = DHIS2Client(url, token=issue_api_token(user=reporter)[0], retries=0)
    assert token_client.get_data_value_set({"dataSet": plan_code, "period": "2026", "orgUnit": OWN_COMMUNE,
                                            "idScheme": "code"})["dataValues"]
    for finished in (client, token_client):  # no kept-alive connection left to the server's request threads
        finished.close()

    # push_dhis2 sends the approved values: none before approval, the commune's figures after.
    submission = reporting_cycle.submissions.get(agency__isnull=True, org_unit__code=OWN_COMMUNE)
    officer = commune_officer()
    for code in ("DE_COMMUNE_CHILD_FRIENDLY", "DE_COMMUNE_PLAY_SPACE"):
        DataValue.objects.create(data_element=DataElement.objects.get(code=code), org_unit=submission.org_unit,
                                 year=2026, value=1)
    submission.narrative = "Đã triển khai."
    submission.save()
    submit_report(actor=officer, submission=submission)
    approve_report(actor=coordinator(), submission=submission)
    admin_token = issue_api_token(user=coordinator())[0]
    output = StringIO()
    # Pushed to this same server, the approved figures are refused as DHIS2 refuses approved data (E7642): the
    # command sends them, prints the server's conflicts and fails.
    with pytest.raises(CommandError, match="từ chối"):
        call_command("push_dhis2", year=2026, url=url, token=admin_token, stdout=output)
    printed = output.getvalue()
    assert "Đã gửi 2 giá trị năm 2026" in printed and "HTTP 409" in printed and "E7642" in printed
