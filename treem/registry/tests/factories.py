"""Factories for children and their guardians; a child lives in the commune given by its code (valid today)."""

from __future__ import annotations

from datetime import date
from typing import Any

import factory

from treem.accounts.tests.factories import unit
from treem.core.intake.names import fold_name
from treem.core.models import EthnicGroup
from treem.registry.models import Child, DatePrecision, Guardian, Residence


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child
        skip_postgeneration_save = True

    full_name = factory.Sequence(lambda n: f"Lò Văn Thử {n}")
    name_folded = factory.LazyAttribute(lambda child: fold_name(child.full_name))
    birth_date = date(2018, 3, 12)
    birth_date_precision = DatePrecision.DAY
    sex = "M"
    commune = factory.LazyFunction(lambda: unit("03390"))

    @factory.post_generation
    def residence(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            Residence.objects.create(child=self, commune=self.commune, village=self.village)


def child_in(code: str, **fields: Any) -> Child:
    """A child living in the commune with ``code`` (valid today)."""
    return ChildFactory(commune=unit(code), **fields)


def ethnic(code: str) -> EthnicGroup:
    return EthnicGroup.objects.get(code=code)


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    child = factory.SubFactory(ChildFactory)
    full_name = "Lò Văn Pâng"
    name_folded = factory.LazyAttribute(lambda guardian: fold_name(guardian.full_name))
    relationship = "father"
