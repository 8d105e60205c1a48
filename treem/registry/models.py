"""The commune child registry: children, their guardians, residences, special circumstances and consents.

A child record is never hard-deleted: it is soft-deleted (``deleted_at``) or merged into another record
(``merged_into``), and every change is an audit event written by a service. Where a child lives is a list of
residences over time, so that a move to another commune keeps the record and its history and yearly counts place
each child in the commune where it lived on the counting day.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core.models import BaseModel, EthnicGroup
from treem.hierarchy.models import OrgUnit, Village

ADULT_AGE = 16
"""A child is a person under 16 (Law on Children 2016, Article 1)."""

OWN_CONSENT_AGE = 7
"""From age 7 the child's own consent is needed as well as the guardian's (Decree 13/2023/NĐ-CP, Article 20)."""


def age_on(birth_date: date, on: date) -> int:
    """Age in completed years on ``on``."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def born_after_for_age(on: date, years: int) -> date:
    """The latest birth date of a child who is at least ``years`` old on ``on`` (29 February → 28 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Đủ ngày, tháng, năm")
    MONTH = "month", _("Chỉ tháng và năm")
    YEAR = "year", _("Chỉ năm")


class ChildStatus(models.TextChoices):
    LIVING = "living", _("Đang sinh sống tại xã")
    MOVED_AWAY = "moved_away", _("Đã chuyển đi nơi khác")
    TURNED_16 = "turned_16", _("Đã đủ 16 tuổi")
    DECEASED = "deceased", _("Đã mất")


class SchoolLevel(models.TextChoices):
    NOT_YET = "not_yet", _("Chưa đi học")
    NURSERY = "nursery", _("Nhà trẻ")
    KINDERGARTEN = "kindergarten", _("Mẫu giáo")
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")
    OTHER = "other", _("Khác (giáo dục thường xuyên, học nghề)")


class LegalBasis(models.TextChoices):
    """Why a child's data is processed when the required consent is missing (Decree 13/2023/NĐ-CP, Article 17)."""

    CONSENT = "consent", _("Sự đồng ý của cha, mẹ, người giám hộ và của trẻ từ đủ 7 tuổi")
    PROTECTION = "protection", _("Bảo vệ tính mạng, sức khỏe của trẻ em trong tình huống khẩn cấp")
    STATE_DUTY = "state_duty", _("Thực hiện nhiệm vụ của cơ quan nhà nước theo Luật Trẻ em 2016")
    LEGAL_OBLIGATION = "legal_obligation", _("Thực hiện nghĩa vụ khác theo quy định của pháp luật")


class ChildQuerySet(models.QuerySet["Child"]):
    def active(self) -> ChildQuerySet:
        """Records not deleted and not merged into another record."""
        return self.filter(deleted_at__isnull=True, merged_into__isnull=True)

    def under_age_on(self, on: date, years: int = ADULT_AGE) -> ChildQuerySet:
        """Children born on or before ``on`` and younger than ``years`` on that day."""
        return self.filter(birth_date__lte=on, birth_date__gt=born_after_for_age(on, years))

    def present_on(self, on: date) -> ChildQuerySet:
        """Children neither deceased nor moved away by ``on``, born by then and under 16 on that day."""
        gone = Q(status__in=[ChildStatus.DECEASED, ChildStatus.MOVED_AWAY]) & Q(status_on__lte=on)
        return self.under_age_on(on).exclude(gone)


class Child(BaseModel):
    """A child known to a commune: identity, residence, guardians, schooling, disability, special circumstances.

    ``full_name`` keeps its accents (Sình and Sinh are different names); ``name_folded`` is the accent-insensitive
    key used by search and duplicate detection only. ``birth_date_precision`` says whether the day or the month
    of ``birth_date`` are known. ``commune`` and ``village`` are where the child lives now; earlier places are in
    the residences.
    """

    full_name = models.CharField(_("họ và tên"), max_length=150)
    name_folded = models.CharField(_("họ tên không dấu"), max_length=150, db_index=True, editable=False)
    birth_date = models.DateField(_("ngày sinh"), db_index=True)
    birth_date_precision = models.CharField(_("độ chính xác ngày sinh"), max_length=8, choices=DatePrecision.choices,
                                            default=DatePrecision.DAY)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    ethnic_group = models.ForeignKey(EthnicGroup, verbose_name=_("dân tộc"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    personal_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True, db_index=True)
    is_birth_registered = models.BooleanField(_("đã đăng ký khai sinh"), null=True, blank=True)
    birth_registered_on = models.DateField(_("ngày đăng ký khai sinh"), null=True, blank=True)
    has_health_insurance = models.BooleanField(_("có thẻ bảo hiểm y tế"), null=True, blank=True)
    health_insurance_number = models.CharField(_("số thẻ bảo hiểm y tế"), max_length=20, blank=True)
    commune = models.ForeignKey(OrgUnit, verbose_name=_("xã đang sinh sống"), on_delete=models.PROTECT,
                                related_name="+")
    village = models.ForeignKey(Village, verbose_name=_("thôn/bản"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    school_level = models.CharField(_("cấp học"), max_length=16, choices=SchoolLevel.choices, blank=True)
    school_name = models.CharField(_("trường"), max_length=150, blank=True)
    is_out_of_school = models.BooleanField(_("không đi học, bỏ học"), null=True, blank=True)
    has_disability = models.BooleanField(_("khuyết tật"), null=True, blank=True)
    disability_note = models.CharField(_("dạng khuyết tật"), max_length=150, blank=True)
    status = models.CharField(_("tình trạng"), max_length=16, choices=ChildStatus.choices, default=ChildStatus.LIVING)
    status_on = models.DateField(_("tình trạng từ ngày"), null=True, blank=True)
    legal_basis = models.CharField(_("căn cứ xử lý dữ liệu"), max_length=20, choices=LegalBasis.choices,
                                   default=LegalBasis.CONSENT,
                                   help_text=_("Căn cứ dùng khi thiếu sự đồng ý bắt buộc."))
    legal_basis_note = models.CharField(_("ghi chú về căn cứ"), max_length=255, blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    extra = models.JSONField(_("thông tin khác từ tệp nhập"), default=dict, blank=True,
                             help_text=_("Giá trị các cột không thuộc mẫu của tệp đã nhập, theo tên cột."))
    is_demo = models.BooleanField(_("dữ liệu trình diễn"), default=False)
    deleted_at = models.DateTimeField(_("xoá lúc"), null=True, blank=True)
    deletion_reason = models.CharField(_("lý do xoá"), max_length=255, blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("đã gộp vào"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_records")

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = "trẻ em"
        verbose_name_plural = "trẻ em"
        ordering = ["name_folded", "birth_date", "id"]
        indexes = [
            models.Index(fields=["commune", "name_folded"], name="child_commune_name_idx"),
            models.Index(fields=["commune", "birth_date"], name="child_commune_birth_idx"),
            models.Index(fields=["commune", "full_name", "birth_date"], name="child_commune_identity_idx"),
            models.Index(fields=["updated_at"], name="child_updated_idx"),  # the latest change, for stored counts
        ]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["M", "F"]), name="child_sex_valid"),
            models.CheckConstraint(condition=Q(birth_date_precision__in=["day", "month", "year"]),
                                   name="child_birth_date_precision_valid"),
            models.CheckConstraint(condition=Q(personal_id="") | Q(personal_id__regex=r"^[0-9]{12}$"),
                                   name="child_personal_id_12_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.birth_date:%d/%m/%Y})"

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None and self.merged_into_id is None

    @property
    def birth_date_label(self) -> str:
        """The date of birth as precise as it is known: dd/mm/yyyy, mm/yyyy or yyyy."""
        if self.birth_date_precision == DatePrecision.YEAR:
            return f"{self.birth_date:%Y}"
        if self.birth_date_precision == DatePrecision.MONTH:
            return f"{self.birth_date:%m/%Y}"
        return f"{self.birth_date:%d/%m/%Y}"

    @property
    def version(self) -> str:
        """A token that changes with every save of the record: the API's ETag, sent back to edit it."""
        return hashlib.sha256(f"{self.pk}:{self.updated_at.isoformat()}".encode()).hexdigest()[:16]

    @property
    def masked_personal_id(self) -> str:
        """The ID number with its middle digits hidden (the province code and the last three stay)."""
        return mask_personal_id(self.personal_id)

    def age_on(self, on: date) -> int:
        return age_on(self.birth_date, on)


def mask_personal_id(personal_id: str) -> str:
    if not personal_id:
        return ""
    return personal_id[:3] + "•" * (len(personal_id) - 6) + personal_id[-3:]


class Residence(BaseModel):
    """A period during which a child lived in a commune (and village). Open ends mean "since birth" / "until now".

    The commune is the unit valid when the child lived there; a reorganisation does not rewrite residences (the
    indicator engine follows the lineage).
    """

    child = models.ForeignKey(Child, verbose_name=_("trẻ em"), on_delete=models.PROTECT, related_name="residences")
    commune = models.ForeignKey(OrgUnit, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, verbose_name=_("thôn/bản"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    moved_in_on = models.DateField(_("đến ở từ ngày"), null=True, blank=True)
    moved_out_on = models.DateField(_("chuyển đi ngày"), null=True, blank=True,
                                    help_text=_("Ngày đầu tiên không còn ở xã này."))

    class Meta:
        verbose_name = "nơi cư trú"
        verbose_name_plural = "nơi cư trú"
        ordering = ["child", "moved_in_on"]
        indexes = [models.Index(fields=["commune", "moved_in_on", "moved_out_on"], name="residence_commune_idx"),
                   models.Index(fields=["updated_at"], name="residence_updated_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(moved_in_on__isnull=True) | Q(moved_out_on__isnull=True)
                | Q(moved_out_on__gt=models.F("moved_in_on")),
                name="residence_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        start = f"{self.moved_in_on:%d/%m/%Y}" if self.moved_in_on else "…"
        end = f"{self.moved_out_on:%d/%m/%Y}" if self.moved_out_on else "nay"
        return f"{self.commune.name}: {start} – {end}"


class GuardianRelationship(models.TextChoices):
    FATHER = "father", _("Cha")
    MOTHER = "mother", _("Mẹ")
    GRANDPARENT = "grandparent", _("Ông, bà")
    SIBLING = "sibling", _("Anh, chị")
    RELATIVE = "relative", _("Họ hàng khác")
    GUARDIAN = "guardian", _("Người giám hộ")
    CARER = "carer", _("Người chăm sóc")


class Guardian(BaseModel):
    """A parent, guardian or carer of a child."""

    child = models.ForeignKey(Child, verbose_name=_("trẻ em"), on_delete=models.PROTECT, related_name="guardians")
    full_name = models.CharField(_("họ và tên"), max_length=150)
    name_folded = models.CharField(_("họ tên không dấu"), max_length=150, db_index=True, editable=False)
    relationship = models.CharField(_("quan hệ với trẻ"), max_length=16, choices=GuardianRelationship.choices,
                                    default=GuardianRelationship.CARER)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    personal_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)

    class Meta:
        verbose_name = "cha, mẹ, người chăm sóc"
        verbose_name_plural = "cha, mẹ, người chăm sóc"
        ordering = ["child", "id"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_relationship_display()})"


class SpecialCircumstanceGroup(models.TextChoices):
    """The 14 groups of children in special circumstances, Article 10(1) of the Law on Children 2016."""

    A = "a", _("a) Trẻ em mồ côi cả cha và mẹ")
    B = "b", _("b) Trẻ em bị bỏ rơi")
    C = "c", _("c) Trẻ em không nơi nương tựa")
    D = "d", _("d) Trẻ em khuyết tật")
    DD = "đ", _("đ) Trẻ em nhiễm HIV/AIDS")
    E = "e", _("e) Trẻ em vi phạm pháp luật")
    G = "g", _("g) Trẻ em nghiện ma túy")
    H = "h", _("h) Trẻ em phải bỏ học kiếm sống chưa hoàn thành phổ cập giáo dục trung học cơ sở")
    I = "i", _("i) Trẻ em bị tổn hại nghiêm trọng về thể chất và tinh thần do bị bạo lực")  # noqa: E741
    K = "k", _("k) Trẻ em bị bóc lột")
    L = "l", _("l) Trẻ em bị xâm hại tình dục")
    M = "m", _("m) Trẻ em bị mua bán")
    N = "n", _("n) Trẻ em mắc bệnh hiểm nghèo hoặc bệnh phải điều trị dài ngày thuộc hộ nghèo hoặc hộ cận nghèo")
    O = "o", _("o) Trẻ em di cư, trẻ em lánh nạn, tị nạn chưa xác định được cha mẹ hoặc không có người chăm sóc")  # noqa: E741


class SpecialCircumstanceQuerySet(models.QuerySet["SpecialCircumstance"]):
    def current_on(self, on: date) -> SpecialCircumstanceQuerySet:
        """Memberships in force on ``on`` (identified by then, not ended)."""
        return self.filter(Q(identified_on__isnull=True) | Q(identified_on__lte=on)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=on))


class SpecialCircumstance(BaseModel):
    """A child's membership of one group of Article 10, with the sub-group of Decree 56/2017/NĐ-CP where given."""

    child = models.ForeignKey(Child, verbose_name=_("trẻ em"), on_delete=models.PROTECT,
                              related_name="special_circumstances")
    group = models.CharField(_("nhóm"), max_length=1, choices=SpecialCircumstanceGroup.choices)
    subgroup = models.CharField(_("phân nhóm theo Nghị định 56/2017/NĐ-CP"), max_length=255, blank=True)
    identified_on = models.DateField(_("xác định từ ngày"), null=True, blank=True)
    ended_on = models.DateField(_("không còn thuộc nhóm từ ngày"), null=True, blank=True)
    is_supported = models.BooleanField(_("đã được trợ giúp"), default=False)
    support_note = models.CharField(_("hình thức trợ giúp"), max_length=255, blank=True)

    objects = SpecialCircumstanceQuerySet.as_manager()

    class Meta:
        verbose_name = "nhóm hoàn cảnh đặc biệt của trẻ"
        verbose_name_plural = "nhóm hoàn cảnh đặc biệt của trẻ"
        ordering = ["child", "group"]
        indexes = [models.Index(fields=["group", "ended_on"], name="special_group_idx"),
                   models.Index(fields=["updated_at"], name="special_updated_idx")]

    def __str__(self) -> str:
        return self.get_group_display()


class ConsentGiver(models.TextChoices):
    GUARDIAN = "guardian", _("Cha, mẹ hoặc người giám hộ")
    CHILD = "child", _("Trẻ em (từ đủ 7 tuổi)")


class ConsentPurpose(models.TextChoices):
    REGISTRY = "registry", _("Quản lý hồ sơ trẻ em tại xã")
    SUPPORT = "support", _("Trợ giúp trẻ em có hoàn cảnh đặc biệt")
    HEALTH = "health", _("Chăm sóc sức khỏe, dinh dưỡng")
    PROTECTION = "protection", _("Bảo vệ trẻ em")
    SHARING = "sharing", _("Chia sẻ với cơ quan, tổ chức liên quan")


class Consent(BaseModel):
    """Consent to process a child's personal data, given by a guardian or, from age 7, by the child."""

    child = models.ForeignKey(Child, verbose_name=_("trẻ em"), on_delete=models.PROTECT, related_name="consents")
    given_by = models.CharField(_("người đồng ý"), max_length=16, choices=ConsentGiver.choices)
    guardian = models.ForeignKey(Guardian, verbose_name=_("cha, mẹ, người giám hộ"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("mục đích"), max_length=16, choices=ConsentPurpose.choices,
                               default=ConsentPurpose.REGISTRY)
    given_on = models.DateField(_("ngày đồng ý"))
    withdrawn_on = models.DateField(_("ngày rút lại"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = "sự đồng ý"
        verbose_name_plural = "sự đồng ý"
        ordering = ["child", "given_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_given_by_display()} – {self.get_purpose_display()} ({self.given_on:%d/%m/%Y})"

    def is_in_force_on(self, on: date) -> bool:
        return self.given_on <= on and (self.withdrawn_on is None or self.withdrawn_on > on)


@dataclass(frozen=True)
class ConsentState:
    """Whether a child's record has the consents it needs on a day, and the legal basis used instead if not."""

    needs_own_consent: bool
    has_guardian_consent: bool
    has_own_consent: bool
    legal_basis: str

    @property
    def is_complete(self) -> bool:
        return self.has_guardian_consent and (self.has_own_consent or not self.needs_own_consent)

    @property
    def missing(self) -> list[str]:
        missing = [] if self.has_guardian_consent else ["sự đồng ý của cha, mẹ hoặc người giám hộ"]
        if self.needs_own_consent and not self.has_own_consent:
            missing.append("sự đồng ý của trẻ (từ đủ 7 tuổi)")
        return missing

    @property
    def has_basis_without_consent(self) -> bool:
        return self.legal_basis != LegalBasis.CONSENT


def consent_state(child: Child, consents: list[Consent], *, on: date) -> ConsentState:
    """The consent state of ``child`` on ``on`` from its consents for managing the record (purpose registry)."""
    in_force = [c for c in consents if c.purpose == ConsentPurpose.REGISTRY and c.is_in_force_on(on)]
    return ConsentState(
        needs_own_consent=child.age_on(on) >= OWN_CONSENT_AGE,
        has_guardian_consent=any(c.given_by == ConsentGiver.GUARDIAN for c in in_force),
        has_own_consent=any(c.given_by == ConsentGiver.CHILD for c in in_force),
        legal_basis=child.legal_basis,
    )


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("Chờ xem xét")
    MERGED = "merged", _("Đã gộp")
    NOT_SAME = "not_same", _("Không phải cùng một trẻ")


class DuplicateCandidate(BaseModel):
    """A pair of records that may be the same child, with a score (0–1) and the reasons, for an officer to decide.

    ``child_a`` has the smaller id. A pair marked "not the same child" is never proposed again.
    """

    child_a = models.ForeignKey(Child, verbose_name=_("hồ sơ thứ nhất"), on_delete=models.PROTECT, related_name="+")
    child_b = models.ForeignKey(Child, verbose_name=_("hồ sơ thứ hai"), on_delete=models.PROTECT, related_name="+")
    score = models.FloatField(_("mức giống nhau"))
    reasons = models.JSONField(_("lý do"), default=list)
    status = models.CharField(_("trạng thái"), max_length=16, choices=DuplicateStatus.choices,
                              default=DuplicateStatus.OPEN, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người quyết định"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)

    class Meta:
        verbose_name = "cặp hồ sơ nghi trùng"
        verbose_name_plural = "các cặp hồ sơ nghi trùng"
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["child_a", "child_b"], name="duplicate_pair_unique"),
            models.CheckConstraint(condition=Q(child_a__lt=models.F("child_b")), name="duplicate_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"#{self.child_a_id} ~ #{self.child_b_id} ({self.score:.2f})"
