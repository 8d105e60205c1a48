"""The demo seeder: marked, spread over the current communes in Lai Châu-like proportions, idempotent."""

from __future__ import annotations

from collections import Counter

import pytest

from treem.registry import demo
from treem.registry.models import Child, Guardian, Residence

pytestmark = pytest.mark.django_db


def test_demo_children_are_marked_spread_over_38_communes_and_seeding_twice_adds_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(demo.SIZES, "small", 760)
    messages: list[str] = []
    demo.seed_demo_children(size="small", stdout=messages.append)
    children = Child.objects.all()
    assert 740 <= children.count() <= 780
    assert not children.filter(is_demo=False).exists()
    assert children.values("commune").distinct().count() == 38
    assert Residence.objects.count() == Guardian.objects.count() == children.count()
    peoples = Counter(children.values_list("ethnic_group__name", flat=True))
    top = {name for name, _ in peoples.most_common(4)}
    assert top == {"HMông", "Thái", "Dao", "Kinh"}
    assert peoples["HMông"] > peoples["Kinh"]
    count = children.count()
    demo.seed_demo_children(size="small", stdout=messages.append)
    assert Child.objects.count() == count
    assert "đã có đủ" in messages[-1]
