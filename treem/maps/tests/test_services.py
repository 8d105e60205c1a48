"""Taking in a boundary file: each problem reported per feature, nothing stored until clean or confirmed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from treem.accounts.tests.factories import user_with_role
from treem.core.intake.errors import UploadRefused
from treem.core.intake.models import ImportStatus
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.maps.models import Boundary, BoundarySet
from treem.maps.services import confirm_boundaries, retire_boundary_set, upload_boundaries
from treem.maps.tests.helpers import NEW_DAY, OLD_DAY, communes_on, province, upload_file
from treem.maps.tests.shapes import VN2000_UTM_PRJ, feature_collection, geojson_bytes, zipped_shapefile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def admin() -> Any:
    return user_with_role(Role.ADMIN, "12")


def _upload(admin: Any, collection: dict[str, Any], *, on: Any = NEW_DAY, name: str = "ranh-gioi.geojson") -> Any:
    return upload_boundaries(actor=admin, upload=upload_file(geojson_bytes(collection), name), province=province(),
                             hierarchy_on=on)


def _by_index(record: Any) -> dict[int, dict[str, Any]]:
    return {feature["index"]: feature for feature in record.preview["features"]}


def test_a_clean_file_of_the_38_communes_is_stored_at_once_simplified_and_audited(admin: Any) -> None:
    communes = communes_on(NEW_DAY)
    assert len(communes) == 38
    record = _upload(admin, feature_collection(communes, vertices_per_edge=200))
    assert record.preview["is_clean"] and record.status == ImportStatus.DONE
    boundary_set = BoundarySet.objects.get(import_record=record)
    assert boundary_set.boundaries.count() == 38  # no district exists on 01/07/2025
    assert boundary_set.vertices_after * 4 < boundary_set.vertices_before
    assert boundary_set.payload_bytes > 0
    assert AuditEvent.objects.filter(action="store_boundaries", object_id=str(boundary_set.pk)).exists()


def test_the_old_communes_file_also_gives_each_district_united_from_its_communes(admin: Any) -> None:
    communes = communes_on(OLD_DAY)
    assert len(communes) == 106
    record = _upload(admin, feature_collection(communes), on=OLD_DAY)
    assert record.status == ImportStatus.DONE
    boundaries = Boundary.objects.filter(boundary_set__import_record=record)
    assert boundaries.filter(org_unit__level="commune").count() == 106
    districts = boundaries.filter(org_unit__level="district")
    assert districts.count() == 8 and set(districts.values_list("matched_by", flat=True)) == {"union"}


def test_invalid_geometry_unknown_code_and_missing_units_are_reported_per_feature_and_nothing_is_stored(
    admin: Any,
) -> None:
    communes = communes_on(NEW_DAY)
    collection = feature_collection(communes[:5])
    bow_tie = {"type": "Polygon", "coordinates": [[[103, 22], [103.1, 22.1], [103.1, 22], [103, 22.1], [103, 22]]]}
    collection["features"][1]["geometry"] = bow_tie
    collection["features"][2]["properties"].update(ma="99999", ten="Xã Không Có")
    collection["features"][3]["properties"]["ma"] = "99998"  # an unknown code, but the name is a commune's
    record = _upload(admin, collection)
    features = _by_index(record)
    assert record.status == ImportStatus.UPLOADED and not record.preview["is_clean"]
    assert features[1]["status"] == "ok"
    assert features[2]["status"] == "problem" and "không hợp lệ" in features[2]["problems"][0]
    assert features[3]["status"] == "problem" and "99999" in features[3]["problems"][0]
    assert features[4]["status"] == "name_match" and "99998" in features[4]["notes"][0]
    assert {unit["code"] for unit in record.preview["missing"]} == {unit.code for unit in communes[5:]} | {
        communes[1].code, communes[2].code}  # a name proposed for confirmation covers its commune
    assert not BoundarySet.objects.exists()


def test_a_unit_given_twice_is_refused_the_second_time(admin: Any) -> None:
    communes = communes_on(NEW_DAY)[:3]
    collection = feature_collection([*communes, communes[0]])
    features = _by_index(_upload(admin, collection))
    assert features[4]["status"] == "problem" and "số 1" in features[4]["problems"][0]


def test_projected_coordinates_are_a_wrong_crs_in_a_geojson_and_a_shapefiles_prj(admin: Any) -> None:
    communes = communes_on(NEW_DAY)[:2]
    collection = feature_collection(communes)
    collection["features"][0]["geometry"]["coordinates"] = [[[x * 100000, y * 100000] for x, y in
                                                             collection["features"][0]["geometry"]["coordinates"][0]]]
    features = _by_index(_upload(admin, collection))
    assert features[1]["status"] == "problem" and "WGS 84" in features[1]["problems"][0]
    assert features[2]["status"] == "ok"

    content = zipped_shapefile(feature_collection(communes), prj=VN2000_UTM_PRJ)
    record = upload_boundaries(actor=admin, upload=upload_file(content, "ranh-gioi.zip"), province=province(),
                               hierarchy_on=NEW_DAY)
    assert "VN_2000_UTM" in record.preview["crs_problem"] and not record.preview["can_confirm"]
    assert all(feature["status"] == "problem" for feature in record.preview["features"])
    with pytest.raises(ValidationError):
        confirm_boundaries(actor=admin, record=record, accepted_names=())
    assert not BoundarySet.objects.exists()


def test_a_zipped_shapefile_with_wgs84_is_read_and_stored(admin: Any) -> None:
    communes = communes_on(NEW_DAY)
    content = zipped_shapefile(feature_collection(communes))
    record = upload_boundaries(actor=admin, upload=upload_file(content, "ranh-gioi.zip"), province=province(),
                               hierarchy_on=NEW_DAY)
    assert record.preview["is_clean"], record.preview["features"][:2]
    assert BoundarySet.objects.get(import_record=record).boundaries.count() == 38


def test_a_name_without_code_is_proposed_and_stored_only_once_confirmed(admin: Any) -> None:
    communes = communes_on(NEW_DAY)
    collection = feature_collection(communes)
    del collection["features"][0]["properties"]["ma"]
    collection["features"][0]["properties"]["ten"] = "xa " + communes[0].name.split(" ", 1)[1].upper()
    del collection["features"][1]["properties"]["ma"]  # proposed, never accepted
    record = _upload(admin, collection)
    features = _by_index(record)
    assert features[1]["status"] == "name_match" and features[1]["unit"]["code"] == communes[0].code
    assert features[2]["status"] == "name_match"
    assert record.status == ImportStatus.UPLOADED and not BoundarySet.objects.exists()
    boundary_set = confirm_boundaries(actor=admin, record=record, accepted_names=[1])
    stored = dict(boundary_set.boundaries.values_list("org_unit__code", "matched_by"))
    assert stored[communes[0].code] == "name" and communes[1].code not in stored and len(stored) == 37
    with pytest.raises(ValidationError):
        confirm_boundaries(actor=admin, record=record, accepted_names=[1])  # confirmed once only


def test_a_newer_set_retires_the_older_one_which_is_kept(admin: Any) -> None:
    communes = communes_on(NEW_DAY)
    first = BoundarySet.objects.get(import_record=_upload(admin, feature_collection(communes)))
    second = BoundarySet.objects.get(import_record=_upload(admin, feature_collection(communes)))
    first.refresh_from_db()
    assert first.retired_at is not None and second.retired_at is None
    assert Boundary.objects.current().count() == 38 and Boundary.objects.count() == 76
    retire_boundary_set(actor=admin, boundary_set=second, reason="Ranh giới mới của Sở Nội vụ")
    assert Boundary.objects.current().count() == 0


def test_a_spreadsheet_is_refused_by_the_uploads_kind_check(admin: Any) -> None:
    with pytest.raises(UploadRefused, match=r"\.geojson"):
        upload_boundaries(actor=admin, upload=upload_file(b"a,b", "ranh-gioi.csv"), province=province(),
                          hierarchy_on=NEW_DAY)
