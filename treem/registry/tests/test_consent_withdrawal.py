"""A withdrawn consent: the record leaves the lists and exports unless another legal basis keeps it there; it stays
in the database with its history, and can be asked for."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from treem.accounts.tests.factories import user_with_role
from treem.core.roles import Role
from treem.registry import services
from treem.registry.models import Child, ConsentGiver, ConsentPurpose, LegalBasis
from treem.registry.selectors import ChildFilters, child_for, search_children
from treem.registry.tests.factories import GuardianFactory, child_in

pytestmark = pytest.mark.django_db


def consented(name: str) -> Child:
    child = child_in("03390", full_name=name, birth_date=timezone.localdate() - timedelta(days=1000))
    guardian = GuardianFactory(child=child)
    services.record_consent(actor=None, child=child, given_by=ConsentGiver.GUARDIAN, guardian=guardian,
                            purpose=ConsentPurpose.REGISTRY, given_on=timezone.localdate() - timedelta(days=60),
                            today=timezone.localdate())
    return child


def withdraw(child: Child) -> None:
    consent = child.consents.get(purpose=ConsentPurpose.REGISTRY, withdrawn_on__isnull=True)
    services.withdraw_consent(actor=None, consent=consent, withdrawn_on=timezone.localdate() - timedelta(days=1))


def names(officer: object, **filters: str) -> set[str]:
    found = search_children(officer, ChildFilters(status="all", **filters),  # type: ignore[arg-type]
                            today=timezone.localdate())
    return {child.full_name for child in found}


def test_a_withdrawn_consent_takes_the_record_off_the_list_but_keeps_it() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    kept, withdrawn = consented("Lò Văn Còn"), consented("Lò Thị Rút")
    withdraw(withdrawn)
    assert names(officer) == {"Lò Văn Còn"}
    assert names(officer, consent="withdrawn") == {"Lò Thị Rút"}
    assert child_for(officer, child_id=withdrawn.pk).pk == withdrawn.pk
    assert kept.pk != withdrawn.pk


def test_a_consent_given_again_or_another_legal_basis_brings_it_back() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    again, by_law = consented("Lò Văn Lại"), consented("Lò Thị Luật")
    withdraw(again)
    withdraw(by_law)
    services.record_consent(actor=None, child=again, given_by=ConsentGiver.GUARDIAN,
                            guardian=again.guardians.first(), purpose=ConsentPurpose.REGISTRY,
                            given_on=timezone.localdate(), today=timezone.localdate())
    services.set_legal_basis(actor=None, child=by_law, legal_basis=LegalBasis.STATE_DUTY,
                             note="Trẻ có hoàn cảnh đặc biệt, xã phải quản lý theo Luật Trẻ em",
                             today=timezone.localdate())
    assert names(officer) == {"Lò Văn Lại", "Lò Thị Luật"}


def test_a_withdrawn_record_is_not_in_the_export(client: Client) -> None:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    consented("Lò Văn Còn")
    withdraw(consented("Lò Thị Rút"))
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/tre-em/xuat-excel/", {"status": "all"}).content)).active
    assert sheet is not None
    text = " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell)
    assert "Lò Văn Còn" in text and "Lò Thị Rút" not in text
