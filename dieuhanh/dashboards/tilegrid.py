"""The default map: one equal tile per province of the 2025 structure, in its approximate
geographic place (row from north to south, column from west to east), so that small
provinces stay as visible as large ones. The product ships no boundary geometry: an
administrator may load the official boundary file, which maps then draw instead.

The two archipelagos are marked beside the provinces they belong to (Hoàng Sa: Đà Nẵng;
Trường Sa: Khánh Hòa); they carry no figures of their own.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

# province code -> (row, column)
TILES: dict[str, tuple[int, int]] = {
    "12": (0, 1),  # Lai Châu
    "15": (0, 2),  # Lào Cai
    "08": (0, 3),  # Tuyên Quang
    "04": (0, 4),  # Cao Bằng
    "11": (1, 0),  # Điện Biên
    "14": (1, 1),  # Sơn La
    "25": (1, 2),  # Phú Thọ
    "19": (1, 3),  # Thái Nguyên
    "20": (1, 4),  # Lạng Sơn
    "01": (2, 2),  # Hà Nội
    "24": (2, 3),  # Bắc Ninh
    "22": (2, 4),  # Quảng Ninh
    "37": (3, 2),  # Ninh Bình
    "33": (3, 3),  # Hưng Yên
    "31": (3, 4),  # Hải Phòng
    "38": (4, 2),  # Thanh Hóa
    "40": (5, 2),  # Nghệ An
    "42": (6, 3),  # Hà Tĩnh
    "44": (7, 3),  # Quảng Trị
    "46": (8, 4),  # Huế
    "48": (9, 4),  # Đà Nẵng
    "51": (10, 4),  # Quảng Ngãi
    "52": (11, 4),  # Gia Lai
    "66": (12, 4),  # Đắk Lắk
    "68": (13, 3),  # Lâm Đồng
    "56": (13, 4),  # Khánh Hòa
    "80": (14, 1),  # Tây Ninh
    "79": (14, 2),  # Hồ Chí Minh
    "75": (14, 3),  # Đồng Nai
    "91": (15, 0),  # An Giang
    "82": (15, 1),  # Đồng Tháp
    "86": (15, 2),  # Vĩnh Long
    "96": (16, 0),  # Cà Mau
    "92": (16, 1),  # Cần Thơ
}
ROWS = 1 + max(row for row, _column in TILES.values())
COLUMNS = 1 + max(column for _row, column in TILES.values()) + 1  # room for the islands


class Archipelago(NamedTuple):
    name: str
    province_code: str
    row: int
    column: int


ARCHIPELAGOS = (
    Archipelago("Quần đảo Hoàng Sa", "48", 9, 5),
    Archipelago("Quần đảo Trường Sa", "56", 14, 5),
)


def classes(values: list[float], count: int = 5) -> list[tuple[float, float]]:
    """Class limits for a choropleth: equal numbers of units per class (quantiles), so one
    very large province does not paint every other one the same colour."""
    ordered = sorted(values)
    if not ordered:
        return []
    limits = [ordered[0]]
    for step in range(1, count):
        limits.append(ordered[min(len(ordered) - 1, round(step * len(ordered) / count))])
    limits.append(ordered[-1])
    unique = list(dict.fromkeys(limits))
    if len(unique) == 1:
        return [(unique[0], unique[0])]
    return list(itertools.pairwise(unique))
