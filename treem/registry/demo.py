"""Demo children for the 38 communes, clearly marked (``is_demo``), in proportions that resemble Lai Châu.

Every child is synthetic: names are drawn from the family and given names usual among each people, dates of
birth spread over the last 16 years, IDs carry the Lai Châu birth-registration code 012 and a random tail. About
one record in 200 is planted as a near-duplicate (accents dropped, day and month swapped, one digit off) so that
the duplicate review queue has work. Demo villages are created with codes starting ``DEMO-``.

The seeder is idempotent: each commune gets children until it holds its share of the size asked for, and the same
commune and number always give the same child, so running twice adds nothing and a larger size only adds more.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from treem.core.audit import record_event
from treem.core.intake.names import fold_name
from treem.core.models import AuditEvent, CodeSystem, EthnicGroup
from treem.hierarchy.models import Level, OrgUnit, UnitKind, Village
from treem.indicators.sources import records_changed
from treem.registry.duplicates import detect_duplicates
from treem.registry.models import (
    Child,
    ChildStatus,
    Consent,
    ConsentGiver,
    ConsentPurpose,
    DatePrecision,
    Guardian,
    GuardianRelationship,
    LegalBasis,
    Residence,
    SchoolLevel,
    SpecialCircumstance,
    age_on,
)

SIZES = {"small": 3_000, "medium": 30_000, "full": 200_000}
"""Records per size. At full size about 160,000 are children under 16 living in their commune; the rest are
records kept for history (turned 16, moved away, deceased), which duplicate detection and counts must skip."""
HISTORICAL_SHARE = {"small": 0.03, "medium": 0.03, "full": 0.2}
DUPLICATE_SHARE = 0.005
CHUNK = 5_000


@dataclass(frozen=True)
class People:
    """How the children of one people are named (family names; middle names by sex; given names by sex)."""

    ethnic_name: str
    share: float
    families: Sequence[str]
    boy_middles: Sequence[str]
    girl_middles: Sequence[str]
    boy_names: Sequence[str]
    girl_names: Sequence[str]


# fmt: off
PEOPLES: tuple[People, ...] = (
    People("HMông", 0.37, ("Giàng", "Thào", "Sùng", "Vàng", "Lý", "Hầu", "Mùa", "Lầu", "Chang", "Tráng", "Lồ", "Cứ",
                          "Hờ", "Má"),
           ("A", "A", "A", "Seo"), ("Thị", "Thị", "Mí", "Mỷ"),
           ("Páo", "Sử", "Dế", "Chứ", "Tủa", "Lử", "Chư", "Pó", "Sình", "Dia", "Sinh", "Chá", "Sài", "Sáy", "Lồng",
            "Chừ", "Phử", "Súa", "Tếnh", "Vừ", "Dơ", "Ninh", "Của", "Tú", "Dình"),
           ("Mỷ", "Sua", "Chua", "Dở", "Mai", "Mua", "Say", "Pàng", "Dung", "Xá", "Chía", "Lan", "Dợ", "Nhìa", "Sí",
            "Máy", "Lia", "Dinh", "Sở", "Ly")),
    People("Thái", 0.31, ("Lò", "Lường", "Tòng", "Quàng", "Điêu", "Cầm", "Lù", "Hoàng", "Vì", "Cà", "Lê", "Bạc"),
           ("Văn",), ("Thị",),
           ("Ơn", "Xuân", "Pâng", "Inh", "Khiêm", "Puôn", "Sinh", "Thanh", "Hùng", "Tuấn", "Bun", "Ngọc", "Dũng",
            "Hải", "Lả", "Chiến", "Thắng", "Hoàn", "Quyết", "Sơn"),
           ("Ánh", "Xiêng", "Ún", "Ỏn", "Hương", "Thu", "Lả", "Pọm", "Hoa", "Thương", "Nga", "Ngân", "Phương",
            "Doan", "Lan", "Mai", "Xuân", "Yến")),
    People("Dao", 0.13, ("Tẩn", "Lý", "Phàn", "Chảo", "Đặng", "Triệu", "Lò", "Tần"),
           ("Láo", "Văn", "A", "Seo"), ("Mý", "Thị", "Sử"),
           ("Lở", "Chài", "Sành", "Tả", "Quẩy", "Chòi", "Vần", "Phẩu", "Sơn", "Thăng", "Kiều", "Phin", "Dùn"),
           ("Phây", "Mẩy", "Xoan", "Chạn", "Lìn", "Si", "Mai", "Chiêu", "Dếnh", "Muôn")),
    People("Kinh", 0.10, ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Đinh"),
           ("Văn", "Đức", "Minh", "Quốc", "Hoàng", "Anh"), ("Thị", "Ngọc", "Thu", "Thanh", "Minh"),
           ("Anh", "Minh", "Khánh", "Mạnh", "Dũng", "Hùng", "Nam", "Tuấn", "Long", "Hiếu", "Phúc", "Bảo", "Đạt"),
           ("Ánh", "Thủy", "Hoa", "Lan", "Hương", "Linh", "Ngọc", "Trang", "Hà", "Mai", "Thảo", "Vy", "Chi")),
    People("Giáy", 0.04, ("Vương", "Lù", "Hoàng", "Lò", "Sần", "Vàng", "Sầm"), ("Văn",), ("Thị",),
           ("Nhàn", "Dín", "Xuân", "Luân", "Hải", "Tuân", "Pằn", "Khoa"),
           ("Chinh", "Phương", "Thủy", "Dung", "Nhung", "Hoa", "Mùi")),
    People("Hà Nhì", 0.03, ("Lỳ", "Chu", "Pờ", "Ly", "Lò", "Phu", "Hù", "Hờ"), ("Xe", "Gạ", "Hồ", "Dờ", "A"),
           ("Mỳ", "Xé", "Mé", "Thị"),
           ("Xá", "Cà", "Chơ", "Chừ", "Pó", "Gò", "Khừ", "Hừ", "Lừ", "Phà"),
           ("Pà", "Xá", "Mé", "Chà", "Lù", "Sa", "Gi")),
    People("La Hủ", 0.02, ("Lò", "Vàng", "Chu", "Lý", "Pờ", "Phàn"), ("A", "Phì"), ("Thị", "Na"),
           ("Chà", "Phó", "Xe", "Ca", "Nhù"), ("Sa", "Mi", "Phá", "Xé")),
    People("Lự", 0.01, ("Lò", "Tao", "Lường", "Tòng"), ("Văn",), ("Thị",),
           ("Khăm", "Phanh", "Ủi", "Tiến"), ("Bun", "Ỏn", "Phăn", "Ín")),
    People("Khơ-mú", 0.01, ("Lò", "Vi", "Cầm", "Quàng"), ("Văn",), ("Thị",),
           ("Sáng", "Hiếng", "Phon", "Ín"), ("Pọm", "Lả", "Xuân", "Ơn")),
    People("Mảng", 0.005, ("Lò", "Chìn", "Tao", "Vàng"), ("Văn", "A"), ("Thị",),
           ("Chiến", "Dì", "Xoan"), ("Vi", "Thìn", "Xa")),
    People("Cống", 0.003, ("Lò", "Chang", "Pờ"), ("Văn",), ("Thị",), ("Ma", "Xính"), ("Ma", "Pa")),
    People("Si La", 0.002, ("Lò", "Pờ", "Hù"), ("Văn", "A"), ("Thị",), ("Xá", "Chư"), ("Mỳ", "Chà")),
)
VILLAGE_WORDS = ("Nà", "Hon", "Tăm", "Pậu", "Khoang", "Phiêng", "Sáng", "Lùng", "Thàng", "Chu", "Cang", "Mé",
                 "Pa", "Nậm", "Hua", "Cuổi", "Sang", "Vàng", "Pho", "Lếch", "Đán", "Hồ", "Sì", "Mường")
SPECIAL_GROUPS = ("d", "d", "d", "d", "a", "c", "c", "h", "n", "n", "b", "đ", "k", "i", "l", "o")
# fmt: on


def _rng(*parts: object) -> random.Random:
    return random.Random("|".join(str(part) for part in parts))


def _shares(commune: OrgUnit) -> list[float]:
    """The peoples' shares in one commune: the province's, shifted per commune (towns have more Kinh)."""
    rng = _rng("shares", commune.code)
    shares = [people.share * rng.uniform(0.4, 1.6) for people in PEOPLES]
    if commune.kind in (UnitKind.WARD, UnitKind.TOWNSHIP):
        shares[3] *= 4
    return shares


def _name(rng: random.Random, people: People, sex: str) -> str:
    middle = rng.choice(people.boy_middles if sex == "M" else people.girl_middles)
    given = rng.choice(people.boy_names if sex == "M" else people.girl_names)
    return f"{rng.choice(people.families)} {middle} {given}"


def _villages(commune: OrgUnit) -> list[Village]:
    existing = list(Village.objects.filter(org_unit=commune).order_by("name"))
    if existing:
        return existing
    rng = _rng("villages", commune.code)
    names: set[str] = set()
    while len(names) < rng.randint(6, 14):
        names.add(f"Bản {rng.choice(VILLAGE_WORDS)} {rng.choice(VILLAGE_WORDS)}")
    return Village.objects.bulk_create(
        [Village(org_unit=commune, name=name, code=f"DEMO-{index:02d}") for index, name in enumerate(sorted(names))])


def _child(index: int, commune: OrgUnit, villages: list[Village], shares: list[float], ethnic_ids: dict[str, int],
           *, today: date, historical: bool) -> tuple[Child, dict[str, object]]:
    rng = _rng("child", commune.code, index)
    people = rng.choices(PEOPLES, weights=shares)[0]
    sex = "M" if rng.random() < 0.515 else "F"
    oldest_days = 16 * 365 + 3
    age_days = rng.randint(oldest_days + 1, oldest_days + 700) if historical else rng.randint(0, oldest_days - 4)
    born = today - timedelta(days=age_days)
    precision = DatePrecision.DAY
    if rng.random() < 0.04:
        precision, born = DatePrecision.YEAR, date(born.year, 7, 1) if date(born.year, 7, 1) <= today else born
    name = _name(rng, people, sex)
    age = age_on(born, today)
    has_id = rng.random() < (0.6 if age < 1 else 0.9)
    personal_id = ""
    if has_id:
        century = (born.year // 100 - 19) * 2 + (0 if sex == "M" else 1)
        personal_id = f"012{century}{born.year % 100:02d}{rng.randint(0, 999_999):06d}"
    status, status_on = ChildStatus.LIVING, None
    if historical:
        roll = rng.random()
        if roll < 0.8:
            status, status_on = ChildStatus.TURNED_16, born.replace(year=born.year + 16) if not (
                born.month == 2 and born.day == 29) else date(born.year + 16, 3, 1)
        elif roll < 0.95:
            status, status_on = ChildStatus.MOVED_AWAY, today - timedelta(days=rng.randint(30, 900))
        else:
            status, status_on = ChildStatus.DECEASED, today - timedelta(days=rng.randint(30, 900))
    if age < 3:
        level = SchoolLevel.NURSERY if age >= 1 and rng.random() < 0.3 else SchoolLevel.NOT_YET
    elif age < 6:
        level = SchoolLevel.KINDERGARTEN if rng.random() < 0.97 else SchoolLevel.NOT_YET
    elif age < 11:
        level = SchoolLevel.PRIMARY
    elif age < 15:
        level = SchoolLevel.LOWER_SECONDARY
    else:
        level = SchoolLevel.UPPER_SECONDARY
    out_of_school = age >= 11 and rng.random() < 0.04
    registered = rng.random() < (0.85 if age < 1 else 0.97)
    special = rng.choice(SPECIAL_GROUPS) if rng.random() < 0.015 else ""
    village = rng.choice(villages)
    child = Child(
        full_name=name, name_folded=fold_name(name), birth_date=born, birth_date_precision=precision, sex=sex,
        ethnic_group_id=ethnic_ids.get(people.ethnic_name), personal_id=personal_id,
        is_birth_registered=registered,
        birth_registered_on=born + timedelta(days=rng.randint(5, 120)) if registered and precision == "day" else None,
        has_health_insurance=age < 6 or rng.random() < 0.93, commune=commune, village=village,
        school_level="" if out_of_school else level, is_out_of_school=out_of_school if age >= 6 else None,
        has_disability=special == "d", disability_note="Vận động" if special == "d" else "",
        status=status, status_on=status_on, is_demo=True,
        legal_basis=LegalBasis.CONSENT if rng.random() < 0.8 else LegalBasis.STATE_DUTY,
        legal_basis_note="" if rng.random() < 0.8 else "Cập nhật cơ sở dữ liệu trẻ em theo Luật Trẻ em 2016",
    )
    if child.legal_basis == LegalBasis.STATE_DUTY and not child.legal_basis_note:
        child.legal_basis_note = "Cập nhật cơ sở dữ liệu trẻ em theo Luật Trẻ em 2016"
    guardian_is_father = rng.random() < 0.5
    extra = {
        "guardian": _name(rng, people, "M" if guardian_is_father else "F"),
        "guardian_relationship": GuardianRelationship.FATHER if guardian_is_father else GuardianRelationship.MOTHER,
        "phone": f"09{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.7 else "",
        "special": special, "supported": rng.random() < 0.7,
        "own_consent": age >= 7 and rng.random() < 0.7,
        "duplicate": not historical and rng.random() < DUPLICATE_SHARE,
    }
    return child, extra


def _near_duplicate(child: Child, index: int) -> Child:
    """A second record of the same child, typed differently: accents dropped, day and month swapped or one digit off."""
    rng = _rng("duplicate", child.commune.code, index)
    twin = Child(**{field.attname: getattr(child, field.attname) for field in Child._meta.concrete_fields
                    if field.attname not in ("id", "created_at", "updated_at")})
    twin.personal_id = ""
    roll = rng.random()
    if roll < 0.4:
        twin.full_name = child.name_folded.title()
    elif roll < 0.7 and child.birth_date.day <= 12 and child.birth_date.day != child.birth_date.month:
        twin.birth_date = child.birth_date.replace(day=child.birth_date.month, month=child.birth_date.day)
    else:
        day = child.birth_date.day
        twin.birth_date = child.birth_date.replace(day=day + 1 if day < 28 else day - 1)
    if twin.birth_date > timezone.localdate():
        twin.birth_date = child.birth_date
    return twin


@transaction.atomic
def _seed_commune(commune: OrgUnit, *, start: int, stop: int, historical_share: float, ethnic_ids: dict[str, int],
                  today: date) -> int:
    villages = _villages(commune)
    shares = _shares(commune)
    children: list[Child] = []
    extras: list[dict[str, object]] = []
    for index in range(start, stop):
        historical = _rng("historical", commune.code, index).random() < historical_share
        child, extra = _child(index, commune, villages, shares, ethnic_ids, today=today, historical=historical)
        children.append(child)
        extras.append(extra)
        if extra["duplicate"] and len(children) < stop - start:
            twin = _near_duplicate(child, index)
            children.append(twin)
            extras.append({**extra, "duplicate": False, "special": "", "own_consent": False})
    children = children[: stop - start]
    extras = extras[: stop - start]
    created = Child.objects.bulk_create(children, batch_size=CHUNK)
    residences, guardians, memberships, consents = [], [], [], []
    for child, extra in zip(created, extras, strict=True):
        residences.append(Residence(child=child, commune=commune, village=child.village,
                                    moved_out_on=child.status_on if child.status == ChildStatus.MOVED_AWAY else None))
        guardian_name = str(extra["guardian"])
        guardians.append(Guardian(child=child, full_name=guardian_name, name_folded=fold_name(guardian_name),
                                  relationship=str(extra["guardian_relationship"]), phone=str(extra["phone"])))
        if extra["special"]:
            memberships.append(SpecialCircumstance(child=child, group=str(extra["special"]),
                                                   identified_on=child.birth_date + timedelta(days=400),
                                                   is_supported=bool(extra["supported"]),
                                                   support_note="Trợ cấp xã hội hằng tháng" if extra["supported"]
                                                   else ""))
    Residence.objects.bulk_create(residences, batch_size=CHUNK)
    saved_guardians = Guardian.objects.bulk_create(guardians, batch_size=CHUNK)
    SpecialCircumstance.objects.bulk_create(memberships, batch_size=CHUNK)
    for child, extra, guardian in zip(created, extras, saved_guardians, strict=True):
        if child.legal_basis == LegalBasis.CONSENT:
            given_on = min(today, max(child.birth_date, today - timedelta(days=365)))
            consents.append(Consent(child=child, given_by=ConsentGiver.GUARDIAN, guardian=guardian,
                                    purpose=ConsentPurpose.REGISTRY, given_on=given_on))
            if extra["own_consent"]:
                consents.append(Consent(child=child, given_by=ConsentGiver.CHILD, purpose=ConsentPurpose.REGISTRY,
                                        given_on=given_on))
    Consent.objects.bulk_create(consents, batch_size=CHUNK)
    records_changed(Child, Residence, SpecialCircumstance)  # bulk writes send no signal
    return len(created)


def seed_demo_children(*, size: str, stdout: Callable[[str], None]) -> None:
    """Fill the registries of the communes valid today with demo children (see the module notes)."""
    seed_children(size=size, stdout=stdout)


def seed_children(*, size: str, stdout: Callable[[str], None], find_duplicates: bool = True) -> None:
    """The seeder; ``find_duplicates`` runs duplicate detection afterwards so the review queue has its pairs."""
    today = timezone.localdate()
    total = SIZES.get(size, SIZES["small"])
    communes = list(OrgUnit.objects.valid_on(today).of_level(Level.COMMUNE).order_by("code"))
    if not communes:
        stdout("  chưa có đơn vị cấp xã: chạy load_reference trước")
        return
    ethnic_ids = {name: pk for name, pk in EthnicGroup.objects.filter(
        code_system=CodeSystem.ETHNIC_121_1979).values_list("name", "pk")}
    weights = [_rng("weight", commune.code).uniform(0.5, 1.5) for commune in communes]
    scale = total / sum(weights)
    targets = [round(weight * scale) for weight in weights]
    created = 0
    for commune, target in zip(communes, targets, strict=True):
        have = Child.objects.filter(is_demo=True, commune=commune).count()
        if have >= target:
            continue
        created += _seed_commune(commune, start=have, stop=target, historical_share=HISTORICAL_SHARE.get(size, 0.03),
                                 ethnic_ids=ethnic_ids, today=today)
    if created:
        record_event(actor=None, verb=AuditEvent.Verb.IMPORT, object_type="registry.child", action="seed_demo_children",
                     object_repr="Dữ liệu trình diễn: trẻ em", after={"created": created, "size": size})
        pairs = detect_duplicates().created if find_duplicates else 0
        stdout(f"  {created:,} hồ sơ trẻ em trình diễn mới; {pairs:,} cặp nghi trùng để xem xét".replace(",", "."))
    else:
        stdout("  đã có đủ hồ sơ trẻ em trình diễn")
