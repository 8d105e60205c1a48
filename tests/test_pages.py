"""The UI shell: Vietnamese login and logout, lockout, navigation by role, the date-aware unit browser, English."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from treem.accounts.tests.factories import TEST_PASSWORD, UserFactory, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.hierarchy.models import Agency, OrgUnit

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"


def test_the_login_page_is_in_vietnamese_and_a_wrong_password_is_explained(client: Client) -> None:
    page = client.get(LOGIN).content.decode()
    assert "Đăng nhập" in page and "Tên đăng nhập" in page and "Mật khẩu" in page
    user = UserFactory()
    response = client.post(LOGIN, {"username": user.username, "password": "sai"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_signing_in_and_out_is_audited(client: Client) -> None:
    user = user_with_role(Role.LEADER, "12")
    response = client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert "Tổng quan" in client.get("/").content.decode()
    response = client.post("/tai-khoan/dang-xuat/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert list(AuditEvent.objects.filter(actor=user).values_list("verb", flat=True).order_by("id")) == [
        "login", "logout"]


def test_repeated_failed_logins_lock_the_account(client: Client) -> None:
    user = UserFactory()
    for _ in range(5):
        client.post(LOGIN, {"username": user.username, "password": "sai-mat-khau"})
    response = client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "tạm khoá" in response.content.decode()


def test_pages_need_a_login(client: Client) -> None:
    response = client.get("/don-vi/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_navigation_follows_the_role(client: Client) -> None:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    page = client.get("/").content.decode()
    assert "Đơn vị hành chính" in page and "Quản trị" not in page
    client.force_login(user_with_role(Role.ADMIN, "12"))
    assert "Quản trị" in client.get("/").content.decode()


def test_a_user_without_assignment_is_told_so_and_is_refused_the_pages(client: Client) -> None:
    client.force_login(UserFactory())
    assert "chưa được phân công" in client.get("/").content.decode()
    assert client.get("/don-vi/").status_code == 403


def test_the_unit_browser_shows_the_children_valid_on_the_chosen_date(client: Client) -> None:
    client.force_login(user_with_role(Role.COORDINATOR, "12"))
    province = OrgUnit.objects.get(code="12")
    before = client.get(f"/don-vi/?on=2025-06-30&unit={province.uid}").content.decode()
    after = client.get(f"/don-vi/?on=01/07/2025&unit={province.uid}").content.decode()
    assert "Huyện Tam Đường" in before and "(8)" in before
    assert "Huyện Tam Đường" not in after and "(38)" in after
    partial = client.get(f"/don-vi/?on=2025-07-01&unit={province.uid}", headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="unit-panel"')


def test_an_unreadable_date_is_explained_next_to_the_picker(client: Client) -> None:
    client.force_login(user_with_role(Role.COORDINATOR, "12"))
    assert "không đọc được" in client.get("/don-vi/?on=31/02/2025").content.decode()


def test_the_interface_switches_to_english(client: Client) -> None:
    client.force_login(user_with_role(Role.LEADER, "12"))
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Overview" in page and "Sign out" in page


def test_an_admin_change_of_an_agency_is_audited_with_before_and_after(client: Client) -> None:
    admin = user_with_role(Role.ADMIN, "12", is_staff=True, is_superuser=True)
    client.force_login(admin)
    agency = Agency.objects.get(code="SYT")
    response = client.post(f"/quan-tri/hierarchy/agency/{agency.pk}/change/", {
        "code": "SYT", "name": agency.name, "short_name": "Sở Y tế Lai Châu", "kind": agency.kind,
        "valid_from": "", "valid_to": "",
        "successor_links-TOTAL_FORMS": "0", "successor_links-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="admin_save", object_id=str(agency.pk))
    assert event.before is not None and event.after is not None
    assert (event.before["short_name"], event.after["short_name"]) == ("Sở Y tế", "Sở Y tế Lai Châu")


def test_the_admin_page_records_a_future_merge(client: Client) -> None:
    client.force_login(user_with_role(Role.ADMIN, "12", is_staff=True, is_superuser=True))
    response = client.post("/quan-tri/hierarchy/orgunit/ghi-nhan-thay-doi/", {
        "kind": "merge", "source_codes": "03388, 03408", "new_units": "03388; Phường Lai Châu; phường",
        "parent_code": "12", "effective_on": "01/01/2027", "legal_basis": "Nghị quyết thử", "note": "",
    })
    assert response.status_code == 302
    assert OrgUnit.objects.filter(code="03388", valid_from="2027-01-01", name="Phường Lai Châu").exists()
    refused = client.post("/quan-tri/hierarchy/orgunit/ghi-nhan-thay-doi/", {
        "kind": "merge", "source_codes": "03388", "new_units": "03390; Xã X; xã", "parent_code": "12",
        "effective_on": "01/01/2027",
    })
    assert refused.status_code == 200
    assert "không có hiệu lực" in refused.content.decode() or "chồng lấn" in refused.content.decode()


def test_an_english_language_browser_still_gets_vietnamese_until_the_user_switches(client: Client) -> None:
    client.force_login(user_with_role(Role.LEADER, "12"))
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "Tổng quan" in page and "Đăng xuất" in page


def test_an_assignment_added_in_the_user_admin_and_a_password_set_there_are_audited(client: Client) -> None:
    admin = user_with_role(Role.ADMIN, "12", is_staff=True, is_superuser=True)
    client.force_login(admin)
    officer = UserFactory(username="can_bo_moi")
    commune = OrgUnit.objects.get(code="03390", valid_to__isnull=True)
    response = client.post(f"/quan-tri/accounts/user/{officer.pk}/change/", {
        "username": "can_bo_moi", "first_name": "", "last_name": "", "email": "", "is_active": "on",
        "last_login_0": "", "last_login_1": "", "date_joined_0": "01/01/2026", "date_joined_1": "00:00:00",
        "full_name": "Cán bộ mới", "phone": "",
        "assignments-TOTAL_FORMS": "1", "assignments-INITIAL_FORMS": "0",
        "assignments-0-role": Role.COMMUNE_OFFICER, "assignments-0-org_unit": str(commune.pk),
        "assignments-0-agency": "", "assignments-0-is_active": "on",
        "assignments-0-valid_from": "", "assignments-0-valid_to": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="admin_save", object_type="accounts.assignment")
    assert event.verb == AuditEvent.Verb.CREATE and event.after is not None
    assert event.after["role"] == Role.COMMUNE_OFFICER
    response = client.post(f"/quan-tri/accounts/user/{officer.pk}/password/", {
        "password1": "Mat-khau-moi-2026-xa", "password2": "Mat-khau-moi-2026-xa", "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="admin_change_password")
    assert event.object_id == str(officer.pk) and "Mat-khau" not in str(event.after)


def test_every_admin_section_and_model_is_named_in_vietnamese(client: Client) -> None:
    from django.contrib import admin
    from django.utils.text import capfirst

    client.force_login(user_with_role(Role.ADMIN, "12", is_staff=True, is_superuser=True))
    page = client.get("/quan-tri/").content.decode()
    for english in ("Axes", "Tasks Database Backend", "Access attempts", "Access logs", "Task Results"):
        assert english not in page
    for model in admin.site._registry:
        app_name = str(model._meta.app_config.verbose_name)
        assert app_name in page and not app_name.isascii(), app_name
        assert str(capfirst(model._meta.verbose_name_plural)) in page
