"""The field page in a real Chromium: entry with the network off, a reload while offline, the sync when the network
returns (a dropped answer resent, a conflicting server edit shown and not overwritten), and a store that does not
hold children's names in plain text."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

pytestmark = [pytest.mark.browser]

READ_STORE = """async () => {
  const db = await new Promise((resolve, reject) => {
    const opening = indexedDB.open("treem-thuc-dia");
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  const all = (name) => new Promise((resolve) => {
    const request = db.transaction(name).objectStore(name).getAll();
    request.onsuccess = () => resolve(request.result);
  });
  const text = (value) => {
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const bytes = new Uint8Array(value.buffer || value, value.byteOffset || 0, value.byteLength);
      return new TextDecoder("utf-8", { fatal: false }).decode(bytes) + " " + Array.from(bytes).map(
        (byte) => String.fromCharCode(byte)).join("");
    }
    if (value && typeof value === "object") return Object.values(value).map(text).join(" ");
    return String(value);
  };
  const records = await all("records");
  const meta = await all("meta");
  db.close();
  return { count: records.length, ids: records.map((item) => item.id), text: text(records) + " " + text(meta) };
}"""


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/thuc-dia/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector("#thuc-dia[data-ready='true']")
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # the service worker now controls the page
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_selector("#thuc-dia[data-ready='true']")


def unlock(page: Any, password: str) -> None:
    page.locator("#mat-khau").fill(password)
    page.get_by_role("button", name="Mở khoá").click()
    page.wait_for_selector("#phien:not([hidden])")


def test_a_weighing_session_entered_offline_survives_a_reload_and_syncs_without_overwriting(
    page: Any, live_server: Any, reference_data: None
) -> None:
    from django.utils import timezone
    from playwright.sync_api import expect

    from treem.accounts.tests.factories import TEST_PASSWORD, user_with_role
    from treem.core.models import AuditEvent
    from treem.core.roles import Role
    from treem.fieldwork.models import SyncReceipt
    from treem.nutrition.models import Measurement
    from treem.nutrition.services import record_measurement
    from treem.nutrition.tests.factories import child_in

    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    colleague = user_with_role(Role.COMMUNE_OFFICER, "03390")
    today = timezone.localdate()
    mai = child_in("03390", birth_date=today - timedelta(days=400), full_name="Lò Thị Mai", sex="F")
    hang = child_in("03390", birth_date=today - timedelta(days=500), full_name="Giàng A Hàng")
    base = live_server.url
    context = page.context
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, base, officer.username, TEST_PASSWORD)
    unlock(page, TEST_PASSWORD)
    expect(page.locator("#danh-sach tr")).to_have_count(2)

    context.set_offline(True)
    page.get_by_test_id(f"weight-{mai.pk}").fill("9,6")
    page.get_by_test_id(f"length-{mai.pk}").fill("75,7")
    expect(page.get_by_test_id(f"scores-{mai.pk}")).to_contain_text("WAZ")
    page.get_by_test_id(f"save-{mai.pk}").click()
    page.get_by_test_id(f"weight-{hang.pk}").fill("11")
    page.get_by_test_id(f"save-{hang.pk}").click()
    expect(page.get_by_test_id("waiting-count")).to_have_text("2")

    page.reload()  # offline: the service worker serves the shell
    expect(page.locator("#mo-khoa")).to_be_visible()
    page.locator("#mat-khau").fill("not the password")
    page.get_by_role("button", name="Mở khoá").click()
    expect(page.locator("#trang-thai")).to_have_text("Mật khẩu không đúng.")
    unlock(page, TEST_PASSWORD)
    expect(page.get_by_test_id("waiting-count")).to_have_text("2")
    expect(page.locator("[data-testid=record][data-status=waiting]")).to_have_count(2)

    stored = page.evaluate(READ_STORE)
    assert stored["count"] == 3 and "bundle" in stored["ids"]  # the bundle and two records
    for secret in ("Lò Thị Mai", "Mai", "Giàng", "75.7", "weight_kg"):
        assert secret not in stored["text"]

    # Meanwhile a colleague records the other child's weight on the server.
    record_measurement(actor=colleague, child=hang, measured_on=today, weight_kg=Decimal("12.0"), length_cm=None,
                       position="H")

    # The first answer of the server is lost on the way back: the records stay waiting and are sent again.
    dropped: list[str] = []

    def drop_answer(route: Any) -> None:
        if not dropped:
            route.fetch()
            dropped.append(route.request.post_data or "")
            route.abort()
        else:
            route.continue_()

    page.route("**/thuc-dia/dong-bo/", drop_answer)
    context.set_offline(False)
    expect(page.locator("#trang-thai")).to_contain_text("Mất kết nối")
    assert dropped and Measurement.objects.filter(child=mai).count() == 1
    expect(page.locator("[data-testid=record][data-status=waiting]")).to_have_count(2)
    page.get_by_role("button", name="Đồng bộ").click()
    expect(page.locator(f"[data-testid=record][data-child='{mai.pk}']")).to_have_attribute("data-status", "synced")
    conflict = page.locator(f"[data-testid=record][data-child='{hang.pk}']")
    expect(conflict).to_have_attribute("data-status", "conflict")
    expect(conflict.locator("[data-field=weight_kg] [data-testid=server-value]")).to_have_text("12,00")
    expect(conflict.locator("[data-field=weight_kg] [data-testid=device-value]")).to_have_text("11,00")
    expect(conflict.locator("[data-field=position] [data-testid=server-value]")).to_have_text("đứng")

    assert Measurement.objects.filter(child=mai).count() == 1
    assert str(Measurement.objects.get(child=mai).weight_kg) == "9.60"
    assert str(Measurement.objects.get(child=hang).weight_kg) == "12.00"  # not overwritten
    assert SyncReceipt.objects.count() == 2
    assert AuditEvent.objects.filter(action="sync_field_record").count() == 2

    # A replay of a synced record, sent by hand, is answered from its receipt and creates nothing.
    key = page.locator(f"[data-testid=record][data-child='{mai.pk}']").get_attribute("data-key")
    replay = page.evaluate("""async ([key, childId, on]) => {
      const session = await (await fetch("/thuc-dia/phien.json")).json();
      const response = await fetch("/thuc-dia/dong-bo/", { method: "POST", headers: {
        "Content-Type": "application/json", "X-CSRFToken": session.csrf_token }, body: JSON.stringify({ records: [{
        key, kind: "measurement", child_id: childId, measured_on: on, device_at: new Date().toISOString(),
        values: { weight_kg: "9.6", length_cm: "75.7", position: "L", has_oedema: false }, base: null }] }) });
      return response.json();
    }""", [key, mai.pk, today.isoformat()])
    assert replay["results"][0]["status"] == "synced" and replay["results"][0]["replayed"] is True
    assert Measurement.objects.filter(child=mai).count() == 1 and SyncReceipt.objects.count() == 2

    # The officer keeps the device's value for the conflict: it is sent again, based on the server's value.
    conflict.get_by_role("button", name="Giữ giá trị trên máy này").click()
    expect(page.locator(f"[data-testid=record][data-child='{hang.pk}'][data-status=synced]")).to_have_count(1)
    assert str(Measurement.objects.get(child=hang).weight_kg) == "11.00"
    assert AuditEvent.objects.filter(action="sync_field_record").count() == 3
    assert violations == []


def test_a_report_figure_entered_offline_is_checked_by_the_servers_rules_and_synced(
    page: Any, live_server: Any, reference_data: None
) -> None:
    from playwright.sync_api import expect

    from treem.accounts.tests.factories import TEST_PASSWORD
    from treem.fieldwork.selectors import stored_figure
    from treem.plans.models import DataElement
    from treem.reporting.tests.factories import OWN_COMMUNE, commune_officer, commune_report, cycle
    from treem.reporting.validation import CellInput, check_cells

    submission = commune_report(cycle(), OWN_COMMUNE)
    officer = commune_officer()
    sign_in(page, live_server.url, officer.username, TEST_PASSWORD)
    unlock(page, TEST_PASSWORD)
    expect(page.locator("#nam-bao-cao")).to_have_text("2026")

    page.context.set_offline(True)
    page.get_by_test_id("figure-DE_COMMUNE_CHILD_FRIENDLY").fill("2")
    element = DataElement.objects.get(code="DE_COMMUNE_CHILD_FRIENDLY")
    cell = CellInput(element_code=element.code, org_unit_id=submission.org_unit_id, value=Decimal("2"))
    [expected] = check_cells([cell], year=2026)[cell.key]
    expect(page.get_by_test_id("finding")).to_have_text(expected.message)
    page.get_by_test_id("figure-DE_COMMUNE_CHILD_FRIENDLY").fill("1")
    expect(page.get_by_test_id("finding")).to_have_count(0)
    page.get_by_test_id("comment-DE_COMMUNE_CHILD_FRIENDLY").fill("Được công nhận tháng 10")
    page.get_by_test_id("save-DE_COMMUNE_CHILD_FRIENDLY").click()
    expect(page.get_by_test_id("waiting-count")).to_have_text("1")

    page.context.set_offline(False)
    expect(page.locator("[data-testid=record][data-status=synced]")).to_have_count(1)
    assert stored_figure(element=element, org_unit=submission.org_unit, year=2026) == {
        "value": "1", "comment": "Được công nhận tháng 10"}


def test_past_the_offline_period_the_device_asks_for_a_connection(
    page: Any, live_server: Any, reference_data: None, settings: Any
) -> None:
    from playwright.sync_api import expect

    from treem.accounts.tests.factories import TEST_PASSWORD, user_with_role
    from treem.core.roles import Role

    settings.FIELDWORK_OFFLINE_DAYS = 0  # the copy taken at unlock expires at once
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    sign_in(page, live_server.url, officer.username, TEST_PASSWORD)
    unlock(page, TEST_PASSWORD)
    page.context.set_offline(True)
    page.reload()
    page.locator("#mat-khau").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Mở khoá").click()
    expect(page.locator("#trang-thai")).to_have_text(
        "Đã quá 0 ngày kể từ lần đăng nhập trực tuyến cuối: hãy kết nối mạng và mở lại trang.")
    expect(page.locator("#phien")).to_be_hidden()
