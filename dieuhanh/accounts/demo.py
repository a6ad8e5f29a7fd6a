"""The demo accounts that `make run` creates and prints (no Django imports: the set-up
script reads this module before Django starts)."""

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
    organisation_name: str
    role: str
    is_staff: bool = False
    is_superuser: bool = False


DEMO_USERS = (
    DemoUser(
        "quantri",
        "Nguyễn Minh Quân",
        "Quản trị hệ thống",
        "Văn phòng Chính phủ",
        "administrator",
        is_staff=True,
        is_superuser=True,
    ),
    DemoUser(
        "chuyenvien", "Trần Thị Thu Hà", "Chuyên viên", "Văn phòng Chính phủ", "center analyst"
    ),
    DemoUser("lanhdao", "Lê Văn Hùng", "Phó Thủ tướng Chính phủ", "Chính phủ", "leader"),
)


def demo_logins_text() -> str:
    lines = [f"  Demo logins (password for all: {DEMO_PASSWORD})"]
    lines += [f"    {u.username:<12} {u.role} — {u.full_name}, {u.job_title}" for u in DEMO_USERS]
    return "\n".join(lines)


if __name__ == "__main__":
    print(demo_logins_text())
