"""Every write of the dashboards app: dashboards and their items (the builder), sharing,
favourites, the official boundary file; each checked, in a transaction, audited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.analytics import services as analytics
from dieuhanh.core.audit import record_change, snapshot
from dieuhanh.core.inputs import plain_number
from dieuhanh.core.querysets import denied, ensure_permitted, permits
from dieuhanh.dashboards.models import (
    BoundaryMap,
    ChartType,
    Dashboard,
    DashboardItem,
    Favourite,
    Height,
    ItemKind,
)
from dieuhanh.orgunits.models import OrgUnit, OrgUnitKind

MAX_ITEMS = 40
MAX_BOUNDARY_BYTES = 30 * 1024 * 1024
CODE_PROPERTIES = ("code", "ma_tinh", "province_code", "matinh", "id")


# --- the home page --------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemDefinition:
    kind: str
    indicators: tuple[str, ...] = ()
    width: int = 2
    height: str = Height.SMALL
    title: str = ""
    target: str | None = None
    target_label: str = ""
    chart_type: str = ChartType.LINE


MAP_INDICATORS = (
    "RETAIL_SALES",
    "EXPORTS",
    "BUDGET_REVENUE",
    "PUBLIC_INVEST_DISBURSED",
    "CPI_YOY",
    "GRDP_GROWTH",
    "NEW_ENTERPRISES",
    "UNEMPLOYMENT_RATE",
    "POVERTY_RATE",
    "TRAFFIC_DEATHS",
)
HOME_ITEMS = (
    # Their targets come from the plan of the year (targets.PlanTarget), not from here.
    ItemDefinition(ItemKind.KPI, ("GDP_GROWTH",)),
    ItemDefinition(ItemKind.KPI, ("CPI_AVG_YTD",)),
    ItemDefinition(ItemKind.KPI, ("IIP_YOY",)),
    ItemDefinition(ItemKind.KPI, ("RETAIL_SALES",)),
    ItemDefinition(ItemKind.KPI, ("EXPORTS",)),
    ItemDefinition(ItemKind.KPI, ("TRADE_BALANCE",)),
    ItemDefinition(ItemKind.KPI, ("BUDGET_REVENUE",)),
    ItemDefinition(ItemKind.KPI, ("PUBLIC_INVEST_DISBURSED",)),
    ItemDefinition(ItemKind.KPI, ("FDI_DISBURSED",)),
    ItemDefinition(ItemKind.KPI, ("NEW_ENTERPRISES",)),
    ItemDefinition(ItemKind.KPI, ("UNEMPLOYMENT_RATE",)),
    ItemDefinition(ItemKind.KPI, ("INTL_ARRIVALS",)),
    ItemDefinition(
        ItemKind.MAP,
        MAP_INDICATORS,
        width=5,
        height=Height.LARGE,
        title="Bản đồ các tỉnh, thành phố",
    ),
    ItemDefinition(
        ItemKind.RANKING,
        MAP_INDICATORS,
        width=4,
        height=Height.LARGE,
        title="Xếp hạng tỉnh, thành phố",
    ),
    ItemDefinition(ItemKind.HOT_ISSUES, (), width=3, height=Height.LARGE, title="Vấn đề nóng"),
)
TASKS_ITEM = ItemDefinition(
    ItemKind.TASKS, (), width=12, title="Nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao"
)
# The task tile comes right after the key figures: a row of its own above the map.
HOME_ITEMS = (*HOME_ITEMS[:12], TASKS_ITEM, *HOME_ITEMS[12:])


def home_dashboard() -> Dashboard:
    """The dashboard of the home page; made from ``HOME_ITEMS`` the first time."""
    found = Dashboard.objects.filter(is_home=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            home = Dashboard.objects.create(
                title="Toàn cảnh đất nước",
                description="Các chỉ tiêu chủ yếu, bản đồ, xếp hạng và vấn đề nóng.",
                is_home=True,
                shared_with_all=True,
            )
            for position, definition in enumerate(HOME_ITEMS):
                DashboardItem.objects.create(
                    dashboard=home,
                    kind=definition.kind,
                    title=definition.title,
                    position=position,
                    width=definition.width,
                    height=definition.height,
                    indicators=list(definition.indicators),
                    target=Decimal(definition.target) if definition.target else None,
                    target_label=definition.target_label,
                    chart_type=definition.chart_type,
                )
            record_change("add", home, before=None, after=snapshot(home))
    except IntegrityError:  # made by a concurrent request meanwhile
        return Dashboard.objects.get(is_home=True)
    return home


# --- dashboards -----------------------------------------------------------------------------
def dashboards_for(user):
    """The dashboards the user may open: the home page, pinned ones, then the others."""
    home_dashboard()
    pinned = set(Favourite.objects.restrict(user).values_list("dashboard_id", flat=True))
    found = list(Dashboard.objects.restrict(user, "view").select_related("owner"))
    for dashboard in found:
        dashboard.pinned = dashboard.pk in pinned
        dashboard.editable = dashboard.editable_by(user)
    found.sort(key=lambda d: (not d.is_home, not d.pinned, d.title.lower()))
    return found


def viewable(user, uid: str) -> Dashboard:
    dashboard = Dashboard.objects.restrict(user, "view").filter(uid=uid).first()
    if dashboard is None:
        if Dashboard.objects.filter(uid=uid).exists():
            raise denied(Dashboard, "view")
        raise Dashboard.DoesNotExist(uid)
    return dashboard


def _editable(user, dashboard: Dashboard) -> None:
    if not dashboard.editable_by(user):
        raise denied(Dashboard, "change", dashboard)


def save_dashboard(
    user,
    dashboard: Dashboard | None,
    *,
    title: str,
    description: str = "",
    shared_with_all: bool = False,
    shared_roles=(),
    shared_users=(),
    refresh_seconds: int = 300,
) -> Dashboard:
    """Create a dashboard (the user owns it) or change one they may change."""
    action = "change" if dashboard else "add"
    if not permits(user, Dashboard, action):
        raise denied(Dashboard, action)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Give the dashboard a title."), code="title_required")
    if not 30 <= int(refresh_seconds) <= 86400:
        raise ValidationError(_("Refresh every 30 seconds to 24 hours."), code="invalid_refresh")
    with transaction.atomic():
        if dashboard is not None:
            dashboard = Dashboard.objects.select_for_update().get(pk=dashboard.pk)
            _editable(user, dashboard)
            before = _with_sharing(dashboard)
        else:
            before = None
            dashboard = Dashboard(owner=user)
        dashboard.title = title
        dashboard.description = description or ""
        dashboard.shared_with_all = bool(shared_with_all)
        dashboard.refresh_seconds = int(refresh_seconds)
        dashboard.save()
        dashboard.shared_roles.set(list(shared_roles))
        dashboard.shared_users.set(list(shared_users))
        after = _with_sharing(dashboard)
        if before != after:
            record_change(action, dashboard, before=before, after=after, actor=user)
    return dashboard


def _with_sharing(dashboard: Dashboard) -> dict:
    data = snapshot(dashboard)
    data["shared_roles"] = sorted(dashboard.shared_roles.values_list("code", flat=True))
    data["shared_users"] = sorted(dashboard.shared_users.values_list("username", flat=True))
    return data


def delete_dashboard(user, dashboard: Dashboard) -> None:
    if not permits(user, Dashboard, "delete") or not dashboard.editable_by(user):
        raise denied(Dashboard, "delete", dashboard)
    if dashboard.is_home:
        raise ValidationError(_("The home page cannot be deleted."), code="home_page")
    with transaction.atomic():
        record_change("delete", dashboard, before=_with_sharing(dashboard), after=None, actor=user)
        dashboard.delete()


# --- items ----------------------------------------------------------------------------------
ITEM_FIELDS = (
    "kind",
    "title",
    "width",
    "height",
    "indicators",
    "orgunits",
    "periods",
    "period_type",
    "chart_type",
    "target",
    "target_label",
    "text",
)
NEEDS_INDICATORS = (ItemKind.KPI, ItemKind.CHART, ItemKind.MAP, ItemKind.RANKING, ItemKind.TABLE)


def check_item(user, fields: dict) -> dict:
    """The item's fields, cleaned; a ValidationError names the field and the reason."""
    cleaned = {name: fields.get(name) for name in ITEM_FIELDS if name in fields}
    kind = cleaned.get("kind")
    if kind not in ItemKind.values:
        raise ValidationError({"kind": _("Choose the kind of item.")}, code="invalid_kind")
    codes = cleaned.get("indicators") or []
    if isinstance(codes, str):
        codes = [c.strip() for c in codes.replace(";", ",").split(",") if c.strip()]
    cleaned["indicators"] = list(dict.fromkeys(codes))
    if kind in NEEDS_INDICATORS:
        if not codes:
            raise ValidationError(
                {"indicators": _("Choose at least one indicator.")}, code="indicators_required"
            )
        try:
            analytics.read_indicators(user, codes)
        except analytics.AnalyticsError as error:
            raise ValidationError({"indicators": error.message}, code=error.code) from error
    try:
        width = int(cleaned.get("width") or 4)
    except (TypeError, ValueError):
        width = 0
    if not 1 <= width <= 12:
        raise ValidationError({"width": _("The width is 1 to 12 columns.")}, code="invalid_width")
    cleaned["width"] = width
    cleaned["height"] = cleaned.get("height") or Height.MEDIUM
    if cleaned["height"] not in Height.values:
        raise ValidationError({"height": _("Choose a height.")}, code="invalid_height")
    cleaned["chart_type"] = cleaned.get("chart_type") or ChartType.LINE
    if cleaned["chart_type"] not in ChartType.values:
        raise ValidationError({"chart_type": _("Choose a chart type.")}, code="invalid_chart")
    period_text = (cleaned.get("periods") or "").strip()
    cleaned["periods"] = period_text
    cleaned["period_type"] = (cleaned.get("period_type") or "").strip()
    if period_text or cleaned["period_type"]:
        ask = analytics.AnalyticsRequest.from_text(indicators=[], periods=period_text)
        try:
            if ask.periods:
                analytics.read_periods(
                    ask.periods, cleaned["period_type"] or None, timezone.localdate()
                )
        except analytics.AnalyticsError as error:
            raise ValidationError({"periods": error.message}, code=error.code) from error
    cleaned["orgunits"] = (cleaned.get("orgunits") or "").strip()
    target = cleaned.get("target")
    if target in (None, ""):
        cleaned["target"] = None
    else:
        try:
            cleaned["target"] = Decimal(plain_number(str(target)))
        except InvalidOperation as error:
            raise ValidationError(
                {"target": _("The target is a number.")}, code="invalid_target"
            ) from error
    for name in ("title", "target_label", "text"):
        cleaned[name] = (cleaned.get(name) or "").strip()
    if kind == ItemKind.TEXT and not cleaned["text"]:
        raise ValidationError({"text": _("Write the text.")}, code="text_required")
    return cleaned


def save_item(user, dashboard: Dashboard, item: DashboardItem | None, fields: dict):
    cleaned = check_item(user, fields)
    with transaction.atomic():
        dashboard = Dashboard.objects.select_for_update().get(pk=dashboard.pk)
        _editable(user, dashboard)
        if item is None:
            if dashboard.items.count() >= MAX_ITEMS:
                raise ValidationError(
                    _("A dashboard holds at most %(n)s items.") % {"n": MAX_ITEMS},
                    code="too_many_items",
                )
            last = dashboard.items.aggregate(last=Max("position"))["last"]
            item = DashboardItem(dashboard=dashboard, position=0 if last is None else last + 1)
            before = None
        else:
            if item.dashboard_id != dashboard.pk:
                raise PermissionDenied
            before = snapshot(item)
        for name, value in cleaned.items():
            setattr(item, name, value)
        item.save()
        after = snapshot(item)
        if before != after:
            record_change(
                "change" if before else "add",
                item,
                before=before,
                after=after,
                actor=user,
                related=dashboard,
            )
    return item


def delete_item(user, item: DashboardItem) -> None:
    with transaction.atomic():
        _editable(user, item.dashboard)
        record_change(
            "delete", item, before=snapshot(item), after=None, actor=user, related=item.dashboard
        )
        item.delete()


def move_item(user, item: DashboardItem, step: int) -> None:
    """Move an item one place earlier (-1) or later (+1) in its dashboard."""
    with transaction.atomic():
        dashboard = Dashboard.objects.select_for_update().get(pk=item.dashboard_id)
        _editable(user, dashboard)
        items = list(dashboard.items.order_by("position", "pk"))
        index = next(i for i, found in enumerate(items) if found.pk == item.pk)
        other = index + (1 if step > 0 else -1)
        if not 0 <= other < len(items):
            return
        items[index], items[other] = items[other], items[index]
        for position, found in enumerate(items):
            if found.position != position:
                before = snapshot(found)
                found.position = position
                found.save(update_fields=["position"])
                record_change(
                    "change",
                    found,
                    before=before,
                    after=snapshot(found),
                    actor=user,
                    related=dashboard,
                )


# --- favourites -----------------------------------------------------------------------------
def pin(user, dashboard: Dashboard, pinned: bool = True) -> None:
    """Pin (or unpin) a dashboard the user may open; repeated, it changes nothing."""
    ensure_permitted(user, "view", dashboard)
    with transaction.atomic():
        existing = Favourite.objects.restrict(user).filter(dashboard=dashboard).first()
        if pinned and existing is None:
            favourite = Favourite.objects.create(user=user, dashboard=dashboard)
            record_change("add", favourite, before=None, after=snapshot(favourite), actor=user)
        elif not pinned and existing is not None:
            record_change("delete", existing, before=snapshot(existing), after=None, actor=user)
            existing.delete()


# --- the official boundary file -------------------------------------------------------------
def active_boundaries() -> BoundaryMap | None:
    return BoundaryMap.objects.filter(active=True).order_by("-created_at").first()


def read_boundaries(text: str) -> tuple[dict, list[str], list[str]]:
    """The GeoJSON keyed by today's province codes: (collection with each feature's
    ``properties.code`` set, the codes matched, the features not matched)."""
    if len(text.encode()) > MAX_BOUNDARY_BYTES:
        raise ValidationError(
            _("The file is larger than %(n)s MB.") % {"n": MAX_BOUNDARY_BYTES // 1024 // 1024},
            code="too_large",
        )
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as error:
        raise ValidationError(
            _("The file is not JSON: %(reason)s") % {"reason": error}, code="invalid_json"
        ) from error
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValidationError(
            _("The file must be a GeoJSON FeatureCollection."), code="not_feature_collection"
        )
    today = timezone.localdate()
    provinces = dict(
        OrgUnit.objects.filter(kind=OrgUnitKind.PROVINCE)
        .valid_on(today)
        .values_list("code", "name")
    )
    matched, unmatched, features = [], [], []
    for number, feature in enumerate(data.get("features") or [], start=1):
        geometry = (feature or {}).get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValidationError(
                _("Feature %(n)s is not a polygon.") % {"n": number}, code="not_polygon"
            )
        properties = feature.get("properties") or {}
        code = next(
            (str(properties[key]).strip() for key in CODE_PROPERTIES if properties.get(key)),
            "",
        )
        if code.isdigit() and len(code) == 1:
            code = "0" + code
        if code not in provinces:
            unmatched.append(str(properties.get("name") or code or number))
            continue
        matched.append(code)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": provinces[code]},
                "geometry": geometry,
            }
        )
    if not matched:
        raise ValidationError(
            _("No feature carries the code of one of today's provinces (property code)."),
            code="no_province",
        )
    return {"type": "FeatureCollection", "features": features}, matched, unmatched


def upload_boundaries(user, *, name: str, source: str, text: str) -> tuple[BoundaryMap, list]:
    """Load the official boundary file; maps draw it from then on instead of tiles."""
    if not permits(user, BoundaryMap, "add"):
        raise denied(BoundaryMap, "add")
    collection, matched, unmatched = read_boundaries(text)
    with transaction.atomic():
        for previous in BoundaryMap.objects.select_for_update().filter(active=True):
            _retire(user, previous)
        boundary = BoundaryMap.objects.create(
            name=(name or "").strip() or _("Boundary map"),
            source=(source or "").strip(),
            geojson=json.dumps(collection, ensure_ascii=False, separators=(",", ":")),
            provinces=sorted(matched),
            uploaded_by=user,
        )
        record_change(
            "add", boundary, before=None, after=snapshot(boundary, exclude=("geojson",)), actor=user
        )
    return boundary, unmatched


def retire_boundaries(user, boundary: BoundaryMap) -> None:
    """Stop drawing a boundary file: maps go back to tiles."""
    if not permits(user, BoundaryMap, "change"):
        raise denied(BoundaryMap, "change")
    with transaction.atomic():
        _retire(user, boundary)


def _retire(user, boundary: BoundaryMap) -> None:
    before = snapshot(boundary, exclude=("geojson",))
    boundary.active = False
    boundary.save(update_fields=["active", "updated_at"])
    after = snapshot(boundary, exclude=("geojson",))
    record_change("change", boundary, before=before, after=after, actor=user)
