"""The facts the synthetic nation is built from: the 2019 census's children by age and sex, the 2025 reform's
counts of units, each province's Kinh share and main minority groups, names, weighing days and the plan's entered
elements with the shares they are drawn from."""

from __future__ import annotations

from datetime import date

CHILDREN_UNDER_16 = 24_800_000  # 2019 census
REFORM_ON = date(2025, 7, 1)
OLD_LAST_DAY = date(2025, 6, 30)
TODAY = date(2026, 12, 2)
NEW_COMMUNES = 3_321
OLD_COMMUNES = 10_035
OLD_DISTRICTS = 696
# Children by single year of age 0…15 in the 2019 census (millions, rounded); 16 and 17 continue the slope.
AGE_WEIGHTS = [1.42, 1.48, 1.55, 1.60, 1.61, 1.60, 1.62, 1.65, 1.68, 1.62, 1.55, 1.50, 1.48, 1.45, 1.45, 1.49,
               1.52, 1.55]
BOY_SHARE = 0.52
PROVINCE_CODES = ["01", "02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "22", "24", "25",
                  "26", "27", "30", "31", "33", "34", "35", "36", "37", "38", "40", "42", "44", "45", "46", "48",
                  "49", "51", "52", "54", "56", "58", "60", "62", "64", "66", "67", "68", "70", "72", "74", "75",
                  "77", "79", "80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"]
UNCHANGED = {"01", "04", "11", "12", "14", "20", "22", "38", "40", "42", "46"}
POPULATION = {"01": 8.3, "79": 9.2, "38": 3.7, "40": 3.4, "12": 0.48, "36": 1.8, "27": 1.4, "26": 1.2}
# Kinh share and the four main minority groups (statistics codes of Decision 121) of each province.
NORTH_WEST = ("03", "08", "09", "06")
NORTH_EAST = ("02", "07", "09", "08")
MUONG = ("06", "03", "09", "08")
CENTRAL = ("23", "26", "19", "13")
HIGHLANDS = ("10", "12", "13", "14")
CHAM = ("17", "21", "16", "04")
SOUTH_EAST = ("04", "05", "22", "32")
MEKONG = ("05", "04", "17", "02")
PEOPLES: dict[str, tuple[float, tuple[str, ...]]] = {
    "02": (0.13, ("08", "02", "09", "07")), "04": (0.05, NORTH_EAST), "06": (0.12, NORTH_EAST),
    "08": (0.45, NORTH_EAST), "10": (0.35, ("08", "02", "09", "25")), "11": (0.19, NORTH_WEST),
    "12": (0.15, ("03", "08", "09", "35")), "14": (0.17, NORTH_WEST), "15": (0.50, NORTH_WEST),
    "17": (0.27, MUONG), "19": (0.72, NORTH_EAST), "20": (0.16, NORTH_EAST), "22": (0.88, NORTH_EAST),
    "24": (0.87, NORTH_EAST), "25": (0.85, MUONG), "38": (0.82, MUONG), "40": (0.86, ("03", "29", "08", "24")),
    "44": (0.97, CENTRAL), "45": (0.97, CENTRAL), "46": (0.96, CENTRAL), "49": (0.91, CENTRAL),
    "51": (0.88, CENTRAL), "62": (0.45, HIGHLANDS), "64": (0.53, HIGHLANDS), "66": (0.65, HIGHLANDS),
    "67": (0.65, HIGHLANDS), "68": (0.77, ("16", "28", "20", "02")), "58": (0.76, CHAM), "60": (0.94, CHAM),
    "84": (0.68, MEKONG), "94": (0.64, MEKONG), "95": (0.90, MEKONG), "93": (0.95, MEKONG), "91": (0.86, MEKONG),
}
DEFAULT_PEOPLES = (0.98, SOUTH_EAST)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Lò",
          "Vàng", "Sùng", "Giàng", "Lường", "Quàng", "Tòng"]
MIDDLE = {"M": ["Văn", "Đức", "Minh", "Quang", "Hữu", "A", "Seo", "Thành"],
          "F": ["Thị", "Ngọc", "Thu", "Thanh", "Bảo", "Mai", "Kim", "Diệu"]}
GIVEN = {"M": ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân", "Sơn",
               "Tài", "Thắng", "Tuấn", "Việt", "Sình", "Páo", "Chứ", "Dìn"],
         "F": ["Anh", "Chi", "Dung", "Giang", "Hà", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung", "Phương",
               "Quỳnh", "Thảo", "Trang", "Vân", "Yến", "Mỷ", "Dở"]}
WEIGHING_DAYS = ((6, 1), (12, 1))
ENTERED_SCALARS = ("DE_COMMUNE_CHILD_FRIENDLY", "DE_COMMUNE_PLAY_SPACE", "DE_EDU_FACILITY_TOTAL",
                   "DE_EDU_FACILITY_STANDARD_SANITATION", "DE_SCHOOL_TOTAL", "DE_SCHOOL_PSYCH_SUPPORT")
# (element, its base: a share of the commune's children under 16, or an element it is a rate of)
ENTERED_CELLS = (("DE_GRADE5_TOTAL", 0.058), ("DE_PRIMARY_COMPLETED", ("DE_GRADE5_TOTAL", 0.97, 0.015)),
                 ("DE_GRADE9_TOTAL", 0.052), ("DE_LOWER_SECONDARY_GRADUATED", ("DE_GRADE9_TOTAL", 0.86, 0.06)),
                 ("DE_AGE5_IN_KINDERGARTEN", (0.062, 0.97, 0.02)),
                 ("DE_CHILD_PARTICIPATION_AWARE", (1.0, 0.68, 0.06)),
                 ("DE_CHILD_11_15_PARTICIPATING", (0.30, 0.22, 0.05)),
                 ("DE_DISASTER_AFFECTED_CHILDREN", 0.004), ("DE_DISASTER_RELIEVED_CHILDREN",
                                                             ("DE_DISASTER_AFFECTED_CHILDREN", 0.95, 0.0)))
