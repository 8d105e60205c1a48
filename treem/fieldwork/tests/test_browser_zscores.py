"""The browser's z-scores (static/treem/fieldwork/zscores.js) against the server's engine on many points, and the
browser's measurement checks against the server's messages: one set of tables and rules, two implementations."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

pytestmark = [pytest.mark.browser]

SCORE_IN_BROWSER = """async (rows) => {
  const { computeZscores } = await import("/static/treem/fieldwork/zscores.js");
  const reference = await (await fetch("/thuc-dia/bang-who.json")).json();
  return rows.map((row) => computeZscores(reference, row));
}"""


def _points(count: int) -> list[dict[str, Any]]:
    generator = np.random.default_rng(20260301)
    sex = generator.choice([1, 2, 1, 2, 0], size=count)
    age = generator.uniform(-5, 1900, size=count)
    whole_days = generator.random(count) < 0.5
    age[whole_days] = np.floor(age[whole_days])
    age[generator.random(count) < 0.05] = np.nan
    weight = np.round(generator.uniform(0.5, 32, size=count), 2)
    length = np.round(generator.uniform(40, 126, size=count), 1)
    length[generator.random(count) < 0.3] += 0.05  # between two rows of the weight-for-length table
    position = generator.choice(["L", "H", ""], size=count)
    oedema = generator.random(count) < 0.03
    edges = [  # the rules' edges (docs/zscores.md)
        (1, 730, 10.0, 85.0, "H"), (1, 731, 10.0, 85.0, "L"), (2, 1826, 18.0, 110.0, "H"), (2, 1827, 18.0, 110.0, "H"),
        (1, 200, 7.0, 66.0, "H"), (1, 365, 3.0, 75.0, "L"), (2, 365, 25.0, 75.0, "L"), (1, 500, 10.0, 103.1, "L"),
        (1, None, 9.0, 86.9, ""), (1, None, 12.0, 87.0, ""), (2, 100, 5.0, 45.0, "L"), (2, 100, 5.0, 44.9, "L"),
        (1, 900, 12.0, 120.7, "L"), (1, 900, 12.0, 120.8, "L"), (1, 400, 0.0, 75.0, "L"), (2, 10, 3.3, 50.0, "L"),
    ]
    points = [{"sex": int(sex[index]), "ageDays": None if math.isnan(age[index]) else float(age[index]),
               "weightKg": float(weight[index]), "lengthCm": float(length[index]), "position": str(position[index]),
               "oedema": bool(oedema[index])} for index in range(count)]
    points += [{"sex": s, "ageDays": a, "weightKg": w, "lengthCm": h, "position": p, "oedema": False}
               for s, a, w, h, p in edges]
    return points


def test_the_browser_scores_every_point_as_the_server_engine_does(page: Any, live_server: Any) -> None:
    from treem.nutrition.zscores import compute_zscores, parse_position

    points = _points(20_000)
    page.goto(f"{live_server.url}/healthz")
    browser = page.evaluate(SCORE_IN_BROWSER, points)
    server = compute_zscores(
        sex=np.array([point["sex"] for point in points]),
        age_days=np.array([math.nan if point["ageDays"] is None else point["ageDays"] for point in points]),
        weight_kg=np.array([point["weightKg"] for point in points]),
        length_cm=np.array([point["lengthCm"] for point in points]),
        measured=parse_position([point["position"] for point in points]),
        oedema=np.array([point["oedema"] for point in points]),
    )
    mismatches = []
    scored = 0
    for index, result in enumerate(browser):
        for name in ("waz", "haz", "whz"):
            expected = float(getattr(server, name)[index])
            value = result[name]
            if math.isnan(expected):
                if value is not None:
                    mismatches.append((index, name, expected, value))
                continue
            scored += 1
            if value is None or abs(value - expected) > 1e-9 or result[f"flag_{name}"] != bool(
                    getattr(server, f"flag_{name}")[index]):
                mismatches.append((index, name, expected, value))
        if result["position_implausible"] != bool(server.position_implausible[index]):
            mismatches.append((index, "position_implausible", None, result["position_implausible"]))
    assert scored > 30_000
    assert mismatches == []


def test_the_browser_gives_the_servers_messages_for_the_same_values(page: Any, live_server: Any,
                                                                     reference_data: None) -> None:
    from treem.accounts.tests.factories import TEST_PASSWORD, user_with_role
    from treem.core.roles import Role
    from treem.nutrition.checks import MeasurementValues, value_errors

    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    page.goto(f"{live_server.url}/thuc-dia/")
    page.get_by_label("Tên đăng nhập").fill(officer.username)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector("#thuc-dia[data-ready='true']")
    today = date(2026, 3, 1)
    birth = date(2025, 1, 10)
    cases = [("200", None, "L", today), ("0", "0", "L", today), (None, "251,5", "H", today), (None, None, "X", today),
             ("150,25", None, "", today + timedelta(days=1)), ("9", "80", "L", birth - timedelta(days=3))]
    in_browser = page.evaluate("""async ([cases, birth, today]) => {
      const rules = await import("/static/treem/fieldwork/rules.js");
      const definitions = (await (await fetch("/thuc-dia/quy-tac.json")).json()).measurement;
      return cases.map(([weight, length, position, on]) => rules.valueErrors(definitions, {
        weight_kg: rules.parseDecimal(weight).value, length_cm: rules.parseDecimal(length).value, position,
        has_oedema: false, measured_on: on }, { birthDate: birth, today }));
    }""", [[[w, h, p, on.isoformat()] for w, h, p, on in cases], birth.isoformat(), today.isoformat()])
    for (weight, length, position, on), errors in zip(cases, in_browser, strict=True):
        values = MeasurementValues(
            measured_on=on, weight_kg=None if weight is None else Decimal(weight.replace(",", ".")),
            length_cm=None if length is None else Decimal(length.replace(",", ".")), position=position)
        assert errors == value_errors(values, birth_date=birth, today=today)


def test_the_browser_applies_every_report_rule_as_the_server_does(page: Any, live_server: Any,
                                                                  reference_data: None) -> None:
    """Every active rule of reference_data/reporting/validation_rules.yaml, on values below, inside and above its
    limits, against figures stored for the same unit this year and last year."""
    from treem.accounts.tests.factories import TEST_PASSWORD, unit, user_with_role
    from treem.core.roles import Role
    from treem.indicators.models import DataValue
    from treem.plans.models import DataElement
    from treem.reporting.selectors import active_validation_rules
    from treem.reporting.validation import CellInput, check_cells

    year = 2026
    commune = unit("03390")
    rules = active_validation_rules()
    codes = {rule["element"] for rule in rules} | {rule["other_element"] for rule in rules if rule["other_element"]}
    elements = {element.code: element for element in DataElement.objects.filter(code__in=codes)}
    stored: dict[str, Decimal] = {}
    for index, code in enumerate(sorted(elements)):
        stored[code] = Decimal(10 + index * 7)
        DataValue.objects.create(data_element=elements[code], org_unit=commune, year=year, value=stored[code])
        DataValue.objects.create(data_element=elements[code], org_unit=commune, year=year - 1, value=Decimal(100))
    cases = [(code, value) for code in sorted(elements)
             for value in ("0", "0.5", "1", "2", "5", "60", "100", "130", "250", "1000000")]

    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    page.goto(f"{live_server.url}/thuc-dia/")
    page.get_by_label("Tên đăng nhập").fill(officer.username)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector("#thuc-dia[data-ready='true']")
    in_browser = page.evaluate("""async ([cases, stored, names]) => {
      const rules = await import("/static/treem/fieldwork/rules.js");
      const definitions = (await (await fetch("/thuc-dia/quy-tac.json")).json()).report_values;
      return cases.map(([code, value]) => rules.checkFigure(definitions, { code, value: Number(value),
        current: (other) => (other in stored ? Number(stored[other]) : null), lastYear: 100, names })
        .map((finding) => finding.message));
    }""", [cases, {code: str(value) for code, value in stored.items()},
           {code: element.name for code, element in elements.items()}])
    found = 0
    for (code, value), messages in zip(cases, in_browser, strict=True):
        cell = CellInput(element_code=code, org_unit_id=commune.pk, value=Decimal(value))
        expected = [finding.message for finding in check_cells([cell], year=year).get(cell.key, [])]
        assert messages == expected, (code, value)
        found += len(expected)
    assert found > 50


def test_the_browser_warns_as_the_server_does_against_the_previous_measurement(
        page: Any, live_server: Any, reference_data: None) -> None:
    from treem.accounts.tests.factories import TEST_PASSWORD, user_with_role
    from treem.core.roles import Role
    from treem.nutrition.checks import MeasurementValues, assess, previous_from_scores

    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    page.goto(f"{live_server.url}/thuc-dia/")
    page.get_by_label("Tên đăng nhập").fill(officer.username)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector("#thuc-dia[data-ready='true']")
    birth, on = date(2025, 1, 10), date(2026, 3, 1)
    age = (on - birth).days
    previous_on = date(2026, 1, 5)
    # (weight, length, position) now; (weight, waz, length, position) before
    cases = [
        ("8.5", "80", "L", ("10.2", "0.50", "78", "L")),   # weight loss
        ("12.9", "80", "L", ("9.1", "-1.20", "78", "L")),  # WAZ change beyond 2
        ("9.5", "76", "L", ("9.3", "0.10", "79", "L")),    # shorter by 3 cm
        ("9.5", "76", "H", ("9.3", "0.10", "76.5", "L")),  # standing after lying: +0,7 cm first, no warning
        ("9.6", "80", "L", ("9.4", "0.00", "79", "L")),    # nothing to say
    ]
    previous_points = []
    expected = []
    for weight, length, position, (old_weight, old_waz, old_length, old_position) in cases:
        previous = previous_from_scores(measured_on=previous_on, weight_kg=Decimal(old_weight), waz=Decimal(old_waz),
                                        length_cm=Decimal(old_length), position=old_position, sex="M",
                                        age_days=(previous_on - birth).days)
        previous_points.append({"measured_on": previous_on.isoformat(), "weight_kg": old_weight, "waz": old_waz,
                                "adjusted_length_cm": previous.adjusted_length_cm})
        assessment = assess(MeasurementValues(measured_on=on, weight_kg=Decimal(weight), length_cm=Decimal(length),
                                              position=position), sex="M", birth_date=birth, age_days=age,
                            previous=previous, today=on)
        expected.append(list(assessment.warnings))
    in_browser = page.evaluate("""async ([cases, previous, age, on]) => {
      const rules = await import("/static/treem/fieldwork/rules.js");
      const { computeZscores } = await import("/static/treem/fieldwork/zscores.js");
      const reference = await (await fetch("/thuc-dia/bang-who.json")).json();
      const definitions = (await (await fetch("/thuc-dia/quy-tac.json")).json()).measurement;
      return cases.map(([weight, length, position], index) => {
        const values = { weight_kg: Number(weight), length_cm: Number(length), position, has_oedema: false,
          measured_on: on };
        const scores = computeZscores(reference, { sex: 1, ageDays: age, weightKg: values.weight_kg,
          lengthCm: values.length_cm, position, oedema: false });
        return [...rules.scoreWarnings(definitions, scores, values),
          ...rules.changeWarnings(definitions, values, scores, previous[index])];
      });
    }""", [[[w, h, p] for w, h, p, _ in cases], previous_points, age, on.isoformat()])
    assert in_browser == expected
    assert [bool(warnings) for warnings in expected] == [True, True, True, False, False]


def test_the_browser_takes_today_in_the_provinces_time_zone(page: Any, live_server: Any,
                                                            reference_data: None) -> None:
    """Before 7 a.m. in Vietnam the UTC date is still yesterday: the field page's "today" (the newest weighing day
    it accepts) is the date in the server's time zone, which the bundle carries, whatever the device's zone."""
    from django.conf import settings
    from django.utils import timezone

    from treem.accounts.tests.factories import unit, user_with_role
    from treem.core.roles import Role
    from treem.fieldwork.selectors import field_bundle

    page.goto(f"{live_server.url}/thuc-dia/")
    dates = page.evaluate("""async () => {
      const rules = await import("/static/treem/fieldwork/rules.js");
      const early = new Date("2026-12-06T23:30:00Z");  // 06:30 on 7 December in Hà Nội
      return [rules.todayIn("Asia/Ho_Chi_Minh", early), rules.todayIn("UTC", early),
              rules.todayIn("Asia/Ho_Chi_Minh", new Date("2026-12-06T16:59:00Z"))];
    }""")
    assert dates == ["2026-12-07", "2026-12-06", "2026-12-06"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    bundle = field_bundle(officer, commune=unit("03390"), on=timezone.localdate(), now=timezone.now())
    assert bundle["time_zone"] == settings.TIME_ZONE
