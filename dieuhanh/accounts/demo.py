"""The demo accounts that `make run` creates and prints: one per role, in several
organisations (no Django imports: the set-up script reads this module before Django starts).
"""

from __future__ import annotations

from dataclasses import dataclass

# Published in the README and printed by `make run`; the demo loader refuses to run unless
# the server is in demo mode (DIEUHANH_DEMO=1), so it never lands on a production database.
DEMO_PASSWORD = "Dieuhanh@2026"  # noqa: S105 - a published demo password


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    job_title: str
    orgunit_key: str  # natural key of a reference unit (see orgunits.loader.stable_uid)
    organisation: str
    role: str
    is_staff: bool = False
    is_superuser: bool = False


DEMO_USERS = (
    DemoUser(
        "quantri",
        "Nguyễn Minh Quân",
        "Quản trị hệ thống",
        "agency:VPCP",
        "Văn phòng Chính phủ",
        "center_admin",
        is_staff=True,
        is_superuser=True,
    ),
    DemoUser(
        "chuyenvien",
        "Trần Thị Thu Hà",
        "Chuyên viên",
        "agency:VPCP",
        "Văn phòng Chính phủ",
        "center_analyst",
    ),
    DemoUser(
        "lanhdao", "Lê Văn Hùng", "Phó Thủ tướng Chính phủ", "government", "Chính phủ", "leader"
    ),
    DemoUser(
        "botaichinh",
        "Phạm Quốc Bảo",
        "Chuyên viên Cục Thống kê",
        "agency:BTC",
        "Bộ Tài chính",
        "agency_data_officer",
    ),
    DemoUser(
        "ninhbinh",
        "Đinh Thị Mai",
        "Chuyên viên Văn phòng UBND tỉnh",
        "vn:2025:province:37",
        "Tỉnh Ninh Bình",
        "agency_data_officer",
    ),
    DemoUser(
        "ninhbinh.duyet",
        "Vũ Văn Thành",
        "Phó Chánh Văn phòng UBND tỉnh",
        "vn:2025:province:37",
        "Tỉnh Ninh Bình",
        "agency_approver",
    ),
    DemoUser(
        "ninhbinh.quantri",
        "Hoàng Thị Lan",
        "Quản trị hệ thống cấp tỉnh",
        "vn:2025:province:37",
        "Tỉnh Ninh Bình",
        "agency_admin",
    ),
    DemoUser(
        "hanoi",
        "Ngô Thanh Tùng",
        "Chuyên viên Văn phòng UBND Thành phố",
        "vn:province:01",
        "Thành phố Hà Nội",
        "agency_data_officer",
    ),
    DemoUser(
        "badinh",
        "Trịnh Thu Trang",
        "Công chức văn phòng",
        "vn:2025:commune:00004",
        "Phường Ba Đình, Hà Nội",
        "agency_data_officer",
    ),
    DemoUser(
        "tichhop.btc",
        "Hệ thống báo cáo Bộ Tài chính",
        "Hệ thống tích hợp",
        "agency:BTC",
        "Bộ Tài chính",
        "integration_client",
    ),
    DemoUser(
        "khaithac",
        "Cổng dữ liệu quốc gia",
        "Khai thác dữ liệu",
        "agency:VPCP",
        "Văn phòng Chính phủ",
        "data_consumer",
    ),
)


def demo_logins_text() -> str:
    lines = [f"  Demo logins (password for all: {DEMO_PASSWORD})"]
    lines += [
        f"    {u.username:<17} {u.role:<20} {u.full_name} — {u.organisation}" for u in DEMO_USERS
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(demo_logins_text())
