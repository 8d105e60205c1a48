"""Each write service of maps refuses, by itself, an actor who is not an administrator (what a page checks cannot be
bypassed by calling the service from the API or a script)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from treem.accounts.tests.factories import user_with_role
from treem.core.roles import Role
from treem.maps.models import BoundarySet
from treem.maps.services import confirm_boundaries, retire_boundary_set, upload_boundaries
from treem.maps.tests.helpers import NEW_DAY, communes_on, province, upload_file
from treem.maps.tests.shapes import feature_collection, geojson_bytes

pytestmark = pytest.mark.django_db

NOT_ADMINISTRATORS = [Role.COORDINATOR, Role.LEADER, Role.AGENCY_REPORTER, Role.COMMUNE_OFFICER]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _someone(role: str) -> Any:
    return user_with_role(role, "12" if role != Role.COMMUNE_OFFICER else communes_on(NEW_DAY)[0].code)


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_uploading_shapes_is_refused_to_anyone_but_an_administrator(role: str) -> None:
    with pytest.raises(PermissionDenied):
        upload_boundaries(actor=_someone(role), upload=upload_file(geojson_bytes(feature_collection(
            communes_on(NEW_DAY)))), province=province(), hierarchy_on=NEW_DAY)
    assert not BoundarySet.objects.exists()


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_confirming_or_retiring_shapes_is_refused_to_anyone_but_an_administrator(role: str) -> None:
    admin = user_with_role(Role.ADMIN, "12")
    collection = feature_collection(communes_on(NEW_DAY))
    del collection["features"][0]["properties"]["ma"]
    record = upload_boundaries(actor=admin, upload=upload_file(geojson_bytes(collection)), province=province(),
                               hierarchy_on=NEW_DAY)
    other = _someone(role)
    with pytest.raises(PermissionDenied):
        confirm_boundaries(actor=other, record=record, accepted_names=[1])
    assert not BoundarySet.objects.exists()
    boundary_set = confirm_boundaries(actor=admin, record=record, accepted_names=[1])
    with pytest.raises(PermissionDenied):
        retire_boundary_set(actor=other, boundary_set=boundary_set, reason="thử")
    boundary_set.refresh_from_db()
    assert boundary_set.retired_at is None


def test_an_anonymous_or_console_actor_cannot_upload() -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        upload_boundaries(actor=AnonymousUser(), upload=upload_file(b"{}"), province=province(),  # type: ignore[arg-type]
                          hierarchy_on=NEW_DAY)
