"""Excel import of the plan's targets: a row per target, as the annex of a resolution lists
them (year, indicator, for whom, how it is compared, the figure). A dry run checks every
row and lists each error by row and column; recording writes all of them in one
transaction, or nothing when any row is wrong. A target the plan holds already (the same
year, indicator and unit) is corrected when the row differs and left alone when it does not,
so a file imported again changes nothing and an adjusted annex corrects the plan."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.catalog.models import Indicator
from dieuhanh.core.audit import snapshot
from dieuhanh.datavalues import sheets
from dieuhanh.datavalues.sheets import ImportResult, Layout, RowError, run_import
from dieuhanh.orgunits.services import root_unit
from dieuhanh.targets import services
from dieuhanh.targets.models import Comparison

COLUMNS = {
    "Năm": "year",
    "Mã chỉ tiêu": "indicator",
    "Đơn vị": "orgunit",
    "Cách so sánh": "comparison",
    "Mức chỉ tiêu": "value",
    "Đến mức": "upper",
    "Cách ghi trong văn bản": "wording",
    "Văn bản giao": "legal_basis",
    "Cơ quan theo dõi": "owner",
    "Ghi chú": "note",
}
ALIASES = {
    "chỉ tiêu": "indicator",
    "mã": "indicator",
    "so sánh": "comparison",
    "mục tiêu": "value",
    "chỉ tiêu kế hoạch": "value",
    "giá trị": "value",
    "nghị quyết": "legal_basis",
    "văn bản": "legal_basis",
    "cơ quan chủ trì": "owner",
    "nội dung": "wording",
}
LAYOUT = Layout(COLUMNS, ALIASES, ("year", "indicator", "orgunit", "comparison", "value"))
COUNTRY_WORDS = {"cả nước", "toàn quốc", "quốc gia"}
COMPARISON_WORDS = {
    "≥": Comparison.AT_LEAST,
    ">=": Comparison.AT_LEAST,
    "tối thiểu": Comparison.AT_LEAST,
    "đạt tối thiểu": Comparison.AT_LEAST,
    "ít nhất": Comparison.AT_LEAST,
    "trở lên": Comparison.AT_LEAST,
    "trên": Comparison.AT_LEAST,
    "≤": Comparison.AT_MOST,
    "<=": Comparison.AT_MOST,
    "tối đa": Comparison.AT_MOST,
    "không quá": Comparison.AT_MOST,
    "không vượt quá": Comparison.AT_MOST,
    "dưới": Comparison.AT_MOST,
    "≈": Comparison.ABOUT,
    "khoảng": Comparison.ABOUT,
    "từ - đến": Comparison.BETWEEN,
    "từ đến": Comparison.BETWEEN,
    "trong khoảng": Comparison.BETWEEN,
}


def _comparison(text: str) -> str:
    lowered = " ".join(text.lower().split())
    if lowered in Comparison.values:
        return lowered
    for choice in Comparison:
        if str(choice.label).lower() == lowered:
            return choice.value
    if lowered in COMPARISON_WORDS:
        return COMPARISON_WORDS[lowered]
    raise ValidationError(
        _("unknown comparison %(value)s (tối thiểu, không quá, khoảng, trong khoảng)")
        % {"value": text},
        code="invalid_choice",
    )


def _unit(text: str, today):
    if text.lower() in COUNTRY_WORDS:
        return root_unit(today)
    return text


def _indicator(user, text: str) -> str:
    """The code, as the row gives it or by the indicator's name."""
    readable = Indicator.objects.restrict(user)
    if readable.filter(code=text).exists():
        return text
    named = readable.filter(name__iexact=text).values_list("code", flat=True).first()
    return named or text


def import_targets(user, upload, *, commit: bool) -> ImportResult:
    return run_import(upload, LAYOUT, lambda rows, result: _run(user, rows, result), commit=commit)


def _run(user, rows, result: ImportResult) -> None:
    labels = LAYOUT.labels
    headers = {_("Indicator"): labels["indicator"], _("Target"): labels["value"]}
    today = timezone.localdate()
    for number, values in rows:
        column = "comparison"
        try:
            with transaction.atomic():
                data = services.PlanTargetInput(
                    year=values.get("year", ""),
                    indicator=_indicator(user, values.get("indicator", "")),
                    orgunit=_unit(values.get("orgunit", ""), today),
                    comparison=_comparison(values.get("comparison", "")),
                    value=values.get("value", ""),
                    upper=values.get("upper") or None,
                    wording=values.get("wording", ""),
                    legal_basis=values.get("legal_basis", ""),
                    owner=values.get("owner") or None,
                    note=values.get("note", ""),
                )
                column = ""
                target, created = services.create_plan_target(user, data)
                if not created:
                    before = snapshot(target)
                    target = services.update_plan_target(user, target, data)
                    changed = snapshot(target) != before
        except ValidationError as error:
            named = str((getattr(error, "params", None) or {}).get("field") or "")
            # The column as the sheet heads it, where the service names the field otherwise.
            field = headers.get(named) or named or labels.get(column, "")
            result.errors.append(RowError(number, field, " ".join(error.messages)))
            continue
        result.valid += 1
        if created:
            result.created += 1
        elif changed:
            result.updated += 1
        else:
            result.skipped += 1


def template():
    """The import template: the header and one example row."""
    return sheets.template(
        "Chỉ tiêu",
        LAYOUT,
        [
            timezone.localdate().year,
            "GDP_GROWTH",
            "Cả nước",
            "Tối thiểu",
            10,
            None,
            "Tốc độ tăng tổng sản phẩm trong nước (GDP) đạt 10% trở lên",
            "Nghị quyết số 01/NQ-CP",
            "BTC",
            "",
        ],
    )
