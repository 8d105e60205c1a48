"""The province's working mix near the reporting deadline, as locust users (docs/operations.md, "Load").

Each user signs in with a demo account of ``seed_demo`` and works as that role does:
- commune officers enter report values and weighing-day measurements (most of the traffic);
- reviewers (the coordinating agency) open the status board and submitted reports, and approve them;
- leaders open the home dashboard, the indicator pages and the consolidated report;
- a case worker reports a case and saves its first step;
- one officer uploads a large child list that runs as a background import, and follows its progress until it ends;
- a monitor calls /healthz, the baseline against which every page's time is compared.

Facts about the bench database (report ids, the import file) come from ``prepare.py`` through ``TREEM_LOAD_FACTS``.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from datetime import date
from pathlib import Path
from typing import Any

from locust import FastHttpUser, HttpUser, between, task

FACTS: dict[str, Any] = json.loads(Path(os.environ["TREEM_LOAD_FACTS"]).read_text(encoding="utf-8"))
PASSWORD = os.environ.get("TREEM_DEMO_PASSWORD", "treem-demo-2026")
TODAY = date.today().strftime("%d/%m/%Y")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VALUE_FORM = re.compile(r'<input type="hidden" name="element" value="(\d+)">\s*'
                        r'<input type="hidden" name="unit" value="(\d+)">')
WEIGHING_CHILD = re.compile(r'<input type="hidden" name="child" value="(\d+)">')
SELECTED_COMMUNE = re.compile(r'<select id="f-xa" name="xa"[^>]*>.*?<option value="([^"]+)" selected', re.S)
IMPORT_PAGE = re.compile(r"/tre-em/nhap/(\d+)/")
STEP_FORM = re.compile(r'name="action" value="complete_step"><input type="hidden" name="step" value="(\d+)"')


class SignedIn:
    """Signing in and the CSRF token, for both kinds of locust user below."""

    username = ""
    host: str
    client: Any

    def sign_in(self) -> None:
        page = self.client.get("/tai-khoan/dang-nhap/", name="đăng nhập")
        response = self.client.post("/tai-khoan/dang-nhap/", name="đăng nhập", data={
            "username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf(page.text),
            "next": "/"}, headers={"Referer": self.host + "/tai-khoan/dang-nhap/"}, allow_redirects=False)
        if response.status_code != 302:
            raise RuntimeError(f"{self.username} could not sign in")

    def csrf_cookie(self) -> str:
        jar = getattr(self.client, "cookiejar", None)
        if jar is None:  # requests' session (HttpUser)
            return str(self.client.cookies.get("csrftoken", ""))
        return next((cookie.value or "" for cookie in jar if cookie.name == "csrftoken"), "")

    def csrf(self, html: str = "") -> str:
        match = CSRF.search(html or "")
        return match.group(1) if match else self.csrf_cookie()


class TreemUser(SignedIn, FastHttpUser):
    """An officer's browser. geventhttpclient (FastHttpUser) rather than requests: the load generator shares the
    server's cores here, and requests' client costs several times more CPU per request."""

    abstract = True
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.sign_in()

    def post(self, url: str, data: dict[str, Any], *, name: str, htmx: bool = False,
             allow_redirects: bool = True) -> Any:
        headers = {"X-CSRFToken": self.csrf_cookie(), "Referer": self.host + url}
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(url, data=data, headers=headers, name=name, allow_redirects=allow_redirects)


class CommuneOfficer(TreemUser):
    weight = 8
    username = "demo_commune"

    @task(3)
    def enter_report_value(self) -> None:
        submission = FACTS["commune_submission"]
        if submission is None:
            return
        page = self.client.get(f"/bao-cao/bao-cao/{submission}/", name="báo cáo xã: mở")
        cells = VALUE_FORM.findall(page.text)
        if not cells:
            return
        element, unit = random.choice(cells)
        self.post(f"/bao-cao/bao-cao/{submission}/so-lieu/", {"element": element, "unit": unit,
                                                              "value": str(random.randint(0, 40))},
                  name="báo cáo xã: lưu số liệu", htmx=True)

    @task(3)
    def weigh_a_child(self) -> None:
        page = self.client.get("/dinh-duong/ngay-can/", name="ngày cân: mở")
        children = WEIGHING_CHILD.findall(page.text)
        commune = SELECTED_COMMUNE.search(page.text)
        if not children:
            return
        self.post("/dinh-duong/ngay-can/luu/", {
            "child": random.choice(children), "weight_kg": f"{random.uniform(9, 17):.1f}".replace(".", ","),
            "length_cm": f"{random.uniform(78, 105):.1f}".replace(".", ","), "position": "standing",
            "xa": commune.group(1) if commune else "", "ngay": TODAY, "noi": "health_station",
            "nguoi_can": "Cán bộ xã (đo tải)"}, name="ngày cân: lưu", htmx=True)

    @task(1)
    def open_children(self) -> None:
        self.client.get("/tre-em/", name="trẻ em: danh sách")


class Reviewer(TreemUser):
    weight = 2
    username = "demo_coordinator"

    @task(2)
    def open_board(self) -> None:
        self.client.get(f"/bao-cao/nam/{FACTS['year']}/", name="bảng tình hình báo cáo")

    @task(2)
    def review_a_report(self) -> None:
        if not FACTS["submitted"]:
            return
        submission = random.choice(FACTS["submitted"])
        self.client.get(f"/bao-cao/bao-cao/{submission}/", name="xem xét: mở báo cáo")
        if random.random() < 0.3 and submission in FACTS["submitted"]:
            FACTS["submitted"].remove(submission)
            self.post(f"/bao-cao/bao-cao/{submission}/xem-xet/", {"decision": "approve", "comment": "Đạt."},
                      name="xem xét: phê duyệt")


class Leader(TreemUser):
    weight = 3
    username = "demo_leader"

    @task(4)
    def open_dashboard(self) -> None:
        self.client.get("/", name="trang tổng quan")

    @task(3)
    def open_indicators(self) -> None:
        self.client.get("/chi-tieu/", name="chỉ tiêu: thẻ")
        self.client.get(f"/chi-tieu/{random.choice(['I01', 'I05', 'I06', 'I13'])}/", name="chỉ tiêu: chi tiết")

    @task(1)
    def open_consolidated_report(self) -> None:
        """The report's page; now and then a new build (made by the worker), then the latest annex."""
        address = f"/bao-cao/nam/{FACTS['year']}/tong-hop/"
        page = self.client.get(address, name="báo cáo tổng hợp: trang")
        if random.random() < 0.25 and 'data-testid="build"' in page.text:
            self.client.post(address, name="báo cáo tổng hợp: lập", data={"csrfmiddlewaretoken": self.csrf(page.text)},
                             headers={"Referer": self.host + address})
        self.client.get(f"/bao-cao/nam/{FACTS['year']}/tong-hop.xlsx", name="báo cáo tổng hợp (xlsx)")


class CaseWorker(TreemUser):
    weight = 1
    username = "demo_caseworker"

    @task
    def report_and_verify_a_case(self) -> None:
        form = self.client.get("/bao-ve/truong-hop/moi/", name="trường hợp: mẫu mới")
        unit = re.search(r'<select name="org_unit"[^>]*>\s*(?:<option value="">[^<]*</option>\s*)?'
                         r'<option value="(\d+)"', form.text)
        reported = self.client.post("/bao-ve/truong-hop/moi/", name="trường hợp: tiếp nhận", data={
            "csrfmiddlewaretoken": self.csrf(form.text), "org_unit": unit.group(1) if unit else "",
            "reported_via": "school", "reported_at": f"{TODAY} 08:00", "child_full_name": "Giàng Thị Tải (đo tải)",
            "child_age_years": "9", "child_sex": "F", "harm_kind": "physical_violence",
            "summary": "Trẻ có vết bầm (dữ liệu đo tải)."}, headers={"Referer": self.host + "/bao-ve/truong-hop/moi/"},
            allow_redirects=False)
        case_url = reported.headers.get("Location")
        if reported.status_code != 302 or not case_url:
            return
        created = self.client.get(case_url, name="trường hợp: mở")
        step = STEP_FORM.search(created.text or "")
        if step is None:
            return
        self.client.post(case_url, name="trường hợp: lưu bước", data={
            "csrfmiddlewaretoken": self.csrf(created.text), "action": "complete_step", "step": step.group(1),
            "step-outcome": "unfounded", "step-findings": "Đã xác minh: không có dấu hiệu bị xâm hại.",
            "step-risk_level": "low"}, headers={"Referer": self.host + case_url})


class Importer(SignedIn, HttpUser):
    """requests' client (HttpUser): it sends the multipart upload, which FastHttpUser does not."""

    fixed_count = 1
    username = "demo_commune"
    wait_time = between(20, 30)

    def on_start(self) -> None:
        self.sign_in()

    @task
    def import_a_large_list(self) -> None:
        page = self.client.get("/tre-em/nhap/", name="nhập danh sách: mở")
        with open(FACTS["import_file"], "rb") as handle:
            uploaded = self.client.post("/tre-em/nhap/", name="nhập danh sách: tải lên", data={
                "csrfmiddlewaretoken": self.csrf(page.text), "as_of": TODAY, "commune": FACTS["commune_pk"]},
                files={"file": ("danh-sach-lon.csv", handle, "text/csv")},
                headers={"Referer": self.host + "/tre-em/nhap/"})
        job = IMPORT_PAGE.search(uploaded.url)
        if job is None:
            return
        preview = self.client.get(f"/tre-em/nhap/{job.group(1)}/", name="nhập danh sách: xem trước")
        self.client.post(f"/tre-em/nhap/{job.group(1)}/", name="nhập danh sách: xác nhận",
                         data={"csrfmiddlewaretoken": self.csrf(preview.text)},
                         headers={"Referer": self.host + f"/tre-em/nhap/{job.group(1)}/"})
        # The officer watches the progress (the page polls every 2 s) until the import ends, then takes the next list.
        for _ in range(150):
            status = self.client.get(f"/tre-em/nhap/{job.group(1)}/", headers={"HX-Request": "true"},
                                     name="nhập danh sách: tiến độ")
            if 'hx-trigger="every 2s"' not in status.text:
                break
            time.sleep(2)


class Monitor(FastHttpUser):
    fixed_count = 1
    wait_time = between(0.5, 1)

    @task
    def health(self) -> None:
        self.client.get("/healthz", name="/healthz")
