"""One error format on the API: every refusal is ``{detail, errors: {field: [messages]}}`` with the right status.

400 for a request that cannot be read (broken JSON or multipart, wrong content type) on every operation and page,
422 naming the field for data that can be read but are invalid, 429 in JSON after the sign-in lockout; and the
OpenAPI document declares those statuses with the one shared schema.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from treem.accounts.tests.factories import TEST_PASSWORD, user_with_role
from treem.core.roles import Role
from treem.registry.tests.factories import child_in

pytestmark = pytest.mark.django_db

COMMUNE = "03390"
ERROR_REF = "#/components/schemas/ErrorOut"


def assert_error(response: Any, status: int, *fields: str) -> dict[str, Any]:
    """The response is ``status`` in the one error format, naming exactly ``fields``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = json.loads(response.content)
    assert set(body) == {"detail", "errors"} and isinstance(body["detail"], str) and body["detail"]
    assert sorted(body["errors"]) == sorted(fields), body
    assert all(isinstance(message, str) and message for messages in body["errors"].values() for message in messages)
    return body


@pytest.fixture
def officer() -> Client:
    client = Client()
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, COMMUNE))
    return client


@pytest.mark.parametrize(("query", "fields"), [
    ("year=0", ["year"]),
    ("year=85851&month=697", ["month", "year"]),
    ("month=0", ["month"]),
    ("year=abc", ["year"]),
    ("kind=unknown", ["kind"]),
])
def test_an_out_of_range_incident_filter_is_422_naming_the_field(officer: Client, query: str,
                                                                 fields: list[str]) -> None:
    body = assert_error(officer.get(f"/api/v1/incidents?{query}"), 422, *fields)
    assert body["detail"] == "Dữ liệu gửi lên không hợp lệ."


def test_the_bounds_of_a_filter_are_said_in_the_message(officer: Client) -> None:
    body = assert_error(officer.get("/api/v1/incidents?year=2026&month=13"), 422, "month")
    assert body["errors"]["month"] == ["Phải nhỏ hơn hoặc bằng 12."]


def test_a_page_of_children_beyond_the_bounds_is_422(officer: Client) -> None:
    assert_error(officer.get("/api/v1/children?offset=-1"), 422, "offset")
    assert_error(officer.get("/api/v1/children?limit=501"), 422, "limit")
    assert officer.get("/api/v1/children?limit=500&offset=0").status_code == 200


def test_a_services_refusal_names_its_fields(officer: Client) -> None:
    refused = officer.post("/api/v1/children", {"commune_code": COMMUNE, "full_name": "Lò Văn A",
                                                 "birth_date": "2005-03-12", "sex": "M", "ethnic_group_code": "99"},
                           content_type="application/json")
    body = assert_error(refused, 422, "ethnic_group_code")
    assert body["errors"]["ethnic_group_code"] == ["Mã dân tộc '99' không có trong danh mục."]


def test_a_field_that_may_not_be_empty_refuses_null(officer: Client) -> None:
    child = child_in(COMMUNE, birth_date=date(2020, 1, 2))
    refused = officer.patch(f"/api/v1/children/{child.pk}", {"birth_date": None}, content_type="application/json")
    assert_error(refused, 422, "birth_date")


def test_missing_and_not_yours_are_the_same_404_in_vietnamese(officer: Client) -> None:
    theirs = child_in("03408", birth_date=date(2020, 1, 2))
    missing = assert_error(officer.get("/api/v1/children/999999"), 404)
    hidden = assert_error(officer.get(f"/api/v1/children/{theirs.pk}"), 404)
    assert missing == hidden and missing["detail"] == "Không tìm thấy hoặc bạn không có quyền xem."


def test_no_credentials_and_no_capability_answer_in_the_same_format(client: Client) -> None:
    assert_error(client.get("/api/v1/incidents"), 401)
    client.force_login(user_with_role(Role.LEADER, "12"))
    assert_error(client.get("/api/v1/incidents"), 403)


@pytest.mark.parametrize("url", ["/api/v1/auth/token", "/api/v1/children/import", "/api/v1/cases"])
def test_a_multipart_body_without_boundary_is_400(officer: Client, url: str) -> None:
    response = officer.generic("POST", url, b"username=a&password=b", content_type="multipart/form-data")
    assert_error(response, 400)


@pytest.mark.parametrize(("url", "content_type", "body"), [
    ("/api/v1/auth/token", "application/json", b'{"username": "a", '),
    ("/api/v1/auth/token", "application/json", b"\xff\xfe not utf-8"),
    ("/api/v1/auth/token", "application/x-www-form-urlencoded", b"username=a&password=b"),
    ("/api/v1/auth/token", "text/plain", b'{"username": "a", "password": "b"}'),
    ("/api/v1/children/import", "application/json", b'{"commune": "03390", "as_of": "2026-01-01"}'),
])
def test_a_body_that_cannot_be_read_as_the_operation_expects_is_400(officer: Client, url: str, content_type: str,
                                                                    body: bytes) -> None:
    assert_error(officer.generic("POST", url, body, content_type=content_type), 400)


@pytest.mark.parametrize("enforce_csrf_checks", [False, True])
def test_a_broken_multipart_body_sent_to_a_page_is_400_not_500(enforce_csrf_checks: bool) -> None:
    """Read by the view, or first by the CSRF check: either way the page answers 400."""
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.get("/tai-khoan/dang-nhap/")  # the CSRF cookie, as a browser holds it
    response = client.generic("POST", "/tai-khoan/dang-nhap/", b"username=a", content_type="multipart/form-data")
    assert response.status_code == 400


def test_after_the_lockout_a_json_client_gets_json_and_a_browser_the_page(client: Client) -> None:
    user = user_with_role(Role.LEADER, "12")
    for attempt in range(1, 6):  # the fifth failure locks the account
        refused = client.post("/api/v1/auth/token", {"username": user.username, "password": "sai-mat-khau"},
                              content_type="application/json")
        assert_error(refused, 401 if attempt < 5 else 429)
    locked = client.post("/api/v1/auth/token", {"username": user.username, "password": TEST_PASSWORD},
                         content_type="application/json")
    body = assert_error(locked, 429)
    assert "thử lại sau 30 phút" in body["detail"]
    assert locked["Retry-After"] == str(30 * 60)
    page = client.post("/tai-khoan/dang-nhap/", {"username": user.username, "password": TEST_PASSWORD},
                       HTTP_ACCEPT="text/html")
    assert page.status_code == 429 and page["Content-Type"].startswith("text/html")
    assert "Tài khoản tạm khoá" in page.content.decode()


def test_every_operation_declares_its_errors_with_the_one_schema(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert set(document["components"]["schemas"]["ErrorOut"]["properties"]) == {"detail", "errors"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            errors = {int(status) for status in responses if int(status) >= 400}
            if path != "/api/v1/auth/token":
                assert {401, 403} <= errors or (path == "/api/v1/me" and 401 in errors), (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert 422 in errors, (method, path)
            if operation.get("requestBody"):
                assert 400 in errors, (method, path)
            if "{" in path:
                assert 404 in errors, (method, path)
            for status in errors:
                schema = responses[str(status)]["content"]["application/json"]["schema"]
                component = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
                assert {"detail", "errors"} <= set(component["properties"]), (method, path, status)
    token = document["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert {"401", "429"} <= set(token)
    assert "409" in document["paths"]["/api/v1/cases/{case_id}"]["patch"]["responses"]


def test_the_schema_states_the_ranges_and_choices_the_operations_accept(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()

    def parameter(path: str, name: str) -> dict[str, Any]:
        found = [item for item in document["paths"][path]["get"]["parameters"] if item["name"] == name]
        schema: dict[str, Any] = found[0]["schema"]
        return schema.get("anyOf", [schema])[0]

    assert (parameter("/api/v1/incidents", "year")["minimum"], parameter("/api/v1/incidents", "year")["maximum"]) \
        == (1900, 2100)
    assert (parameter("/api/v1/incidents", "month")["minimum"], parameter("/api/v1/incidents", "month")["maximum"]) \
        == (1, 12)
    assert parameter("/api/v1/indicator-values", "indicator")["pattern"] == "^I[0-9]{2,3}$"
    assert parameter("/api/v1/indicator-values", "level")["enum"] == ["province", "district", "commune"]
    assert parameter("/api/v1/indicator-values", "period")["minimum"] == 2000
    assert parameter("/api/v1/children", "limit")["maximum"] == 500


def test_a_throttled_call_is_429_in_the_one_format_with_when_to_retry(rf: Any) -> None:
    from ninja.errors import Throttled

    from config.api import api

    response = api.on_exception(rf.get("/api/v1/me"), Throttled(wait=12))
    assert_error(response, 429)
    assert response["Retry-After"] == "12"


def test_a_user_who_chose_english_reads_the_errors_in_english(officer: Client) -> None:
    from django.conf import settings

    officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = assert_error(officer.get("/api/v1/incidents?month=13"), 422, "month")
    assert body == {"detail": "The data sent are not valid.",
                    "errors": {"month": ["Must be less than or equal to 12."]}}
