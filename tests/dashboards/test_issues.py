"""The hot-issues feed: figures beyond the center's alert thresholds, provinces far from the
others, reports missing or late; each entry links to its detail; a failing source never
breaks the feed."""

import datetime
from decimal import Decimal

from django.apps import apps

from dieuhanh.catalog.models import Indicator
from dieuhanh.core import periods
from dieuhanh.dashboards import issues
from dieuhanh.dashboards.models import AlertThreshold, Comparison, Measure, Severity
from tests.catalog.conftest import user_with_role
from tests.dashboards.conftest import country, months_ago, province, store

TODAY = datetime.date.today()


def test_a_national_figure_beyond_its_alert_level_is_a_hot_issue(leader):
    store([("CPI_YOY", country(), months_ago(1).code, "104.9")])
    cpi = Indicator.objects.get(code="CPI_YOY")
    AlertThreshold.objects.create(
        indicator=cpi, comparison=Comparison.ABOVE, level=Decimal("104.5"),
        severity=Severity.HIGH, note="Mục tiêu kiểm soát lạm phát.",
    )  # fmt: skip
    AlertThreshold.objects.create(indicator=cpi, comparison=Comparison.ABOVE, level=106)
    found = issues.threshold_issues(leader, TODAY)
    assert len(found) == 1  # 104.9 is above 104.5, not above 106
    issue = found[0]
    assert issue.kind == "threshold" and issue.severity == Severity.HIGH
    assert "104,9" in issue.detail and "104,5" in issue.detail
    assert "Mục tiêu kiểm soát lạm phát." in issue.detail
    assert issue.url == "/dashboards/indicators/CPI_YOY/"


def test_each_province_beyond_its_alert_level_on_last_year_is_an_issue(leader):
    now, before = months_ago(1), months_ago(13)
    rows = []
    for code, then, value in (("01", "100", "80"), ("79", "100", "120"), ("37", "100", "95")):
        rows += [("RETAIL_SALES", province(code), before.code, then)]
        rows += [("RETAIL_SALES", province(code), now.code, value)]
    store(rows)
    AlertThreshold.objects.create(
        indicator=Indicator.objects.get(code="RETAIL_SALES"),
        for_provinces=True,
        measure=Measure.YOY,
        comparison=Comparison.BELOW,
        level=-10,
    )
    found = issues.threshold_issues(leader, TODAY)
    assert [issue.title.split(":")[0] for issue in found] == ["Hà Nội"]  # -20 %, below -10 %
    assert found[0].url == f"/dashboards/units/{province('01').uid}/"
    assert "-20,0%" in found[0].detail
    # Several provinces beyond the level: one issue naming them, the furthest first.
    store([("RETAIL_SALES", province("37"), now.code, "70")])
    found = issues.threshold_issues(leader, TODAY)
    assert len(found) == 1 and found[0].title.endswith("2 tỉnh, thành phố")
    assert "Ninh Bình -30,0%, Hà Nội -20,0%" in found[0].detail
    assert found[0].url == "/dashboards/indicators/RETAIL_SALES/"


def test_indicators_above_the_clearance_raise_no_issue(catalog, db):
    reader = user_with_role("leader", "lanh_dao_thuong")
    cpi = Indicator.objects.get(code="CPI_YOY")
    cpi.sensitivity = "secret"
    cpi.save(update_fields=["sensitivity"])
    store([("CPI_YOY", country(), months_ago(1).code, "110")])
    AlertThreshold.objects.create(indicator=cpi, comparison=Comparison.ABOVE, level=100)
    assert issues.threshold_issues(reader, TODAY) == []


def test_missing_reports_of_the_latest_period_past_its_deadline(leader):
    found = [i for i in issues.report_issues(leader, TODAY) if i.kind == "report"]
    monthly = [i for i in found if "kinh tế - xã hội hằng tháng" in i.title]
    assert len(monthly) == 1
    issue = monthly[0]
    assert issue.severity == Severity.HIGH
    assert "34" in issue.detail  # none of the 34 provinces sent it
    assert issue.url == "/quality/?regime=KTXH_TINH_THANG"
    # A daily report nobody sent is no event (no storm): not an issue.
    assert not [i for i in found if "hằng ngày" in i.title]


def test_reports_are_no_issue_for_who_may_not_see_them(catalog, db):
    consumer = user_with_role("data_consumer", "khai_thac")
    assert issues.report_issues(consumer, TODAY) == []
    assert issues.threshold_issues(consumer, TODAY) == []


def test_a_province_far_from_the_others_is_an_outlier(leader):
    now, before = months_ago(1), months_ago(13)
    rows = []
    for number, unit in enumerate(["01", "79", "37", "31", "48", "22", "24", "38"]):
        rows.append(("EXPORTS", province(unit), before.code, "1000"))
        rows.append(("EXPORTS", province(unit), now.code, str(1050 + number * 5)))
    rows[-1] = ("EXPORTS", province("38"), now.code, "4000")  # Thanh Hóa: +300 %
    store(rows)
    found = issues.outlier_issues(leader, TODAY)
    assert [issue.title for issue in found if issue.kind == "outlier"] == [
        "Thanh Hóa: "
        + (Indicator.objects.get(code="EXPORTS").short_name or "Kim ngạch xuất khẩu hàng hóa")
    ]


def test_a_failing_source_is_skipped(leader, monkeypatch, caplog):
    config = apps.get_app_config("dashboards")
    monkeypatch.setattr(
        config,
        "hot_issues",
        ("tests.dashboards.test_issues.broken_source", "tests.dashboards.test_issues.one_issue"),
    )
    found = issues.hot_issues(leader, TODAY)
    assert [issue.title for issue in found] == ["Một việc"]
    assert "broken_source failed" in caplog.text


def broken_source(user, today):
    raise RuntimeError("the source is down")


def one_issue(user, today):
    return [issues.HotIssue("task", Severity.HIGH, "Một việc", "", "/", "list", today)]


def test_the_most_severe_and_most_recent_come_first():
    day = datetime.date(2026, 11, 1)
    ordered = sorted(
        [
            issues.HotIssue("a", Severity.MEDIUM, "medium new", "", "/", "x", day),
            issues.HotIssue(
                "b", Severity.HIGH, "high old", "", "/", "x", day.replace(day=1, month=1)
            ),
            issues.HotIssue("c", Severity.HIGH, "high new", "", "/", "x", day),
        ],
        key=issues.order,
    )
    assert [issue.title for issue in ordered] == ["high new", "high old", "medium new"]


def test_periods_label_the_issues():
    assert periods.parse(months_ago(1).code).label().startswith("Tháng")
