"""/api/v1/orgunits/: the hierarchy as of any date, lineage, mapping, export and edits."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dieuhanh.core.api_auth import permitted, public_api_auth
from dieuhanh.core.api_errors import ApiError
from dieuhanh.core.api_pagination import paginate
from dieuhanh.core.exports import audit_export, csv_response, plain
from dieuhanh.orgunits import services
from dieuhanh.orgunits.filters import UnitFilter, with_parent_on
from dieuhanh.orgunits.models import (
    UNIT_EDITABLE_FIELDS,
    OrgUnit,
    OrgUnitGroup,
    OrgUnitKind,
    OrgUnitParent,
    Succession,
    SuccessionKind,
)

router = Router(tags=["orgunits"])


class UnitOut(Schema):
    uid: str
    code: str
    name: str
    short_name: str
    name_en: str
    kind: OrgUnitKind
    division_type: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    parent_uid: str | None = None
    parent_name: str | None = None


class UnitList(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[UnitOut]


class ParentLinkOut(Schema):
    parent_uid: str
    parent_name: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


class GroupRef(Schema):
    code: str
    name: str
    group_set: str | None


class UnitDetail(UnitOut):
    level: int | None
    children: int
    parents: list[ParentLinkOut]
    groups: list[GroupRef]
    notes: str
    source: str


class LineageOut(Schema):
    uid: str
    code: str
    name: str
    short_name: str
    kind: OrgUnitKind
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    effective_date: datetime.date
    succession: SuccessionKind
    share: Decimal | None
    approximate: bool
    steps: int


class TargetOut(Schema):
    uid: str
    name: str
    share: Decimal
    approximate: bool
    via_parent: bool


class MappingOut(Schema):
    uid: str
    name: str
    date: datetime.date
    targets: list[TargetOut]


class GroupOut(Schema):
    code: str
    name: str
    name_en: str
    group_set: str | None
    exclusive: bool
    members: int


class ChangeOut(Schema):
    time: datetime.datetime
    user: str
    channel: str
    action: str
    object: str
    changes: dict


class ListParams(Schema):
    as_of: datetime.date | None = Field(None, description="Structure valid on this day (today).")
    kind: OrgUnitKind | None = None
    parent: str | None = Field(None, description="uid: the units directly under it.")
    ancestor: str | None = Field(None, description="uid: every unit below it.")
    level: int | None = Field(None, ge=1, le=10, description="1 is the Government.")
    q: str | None = Field(None, description="Name (diacritics optional), code or former name.")
    group: str | None = Field(None, description="Group code, e.g. REGION_RRD or COASTAL.")
    limit: int = Field(100, ge=1, le=5000)
    offset: int = Field(0, ge=0)


def unit_out(unit: OrgUnit) -> dict:
    return {
        "uid": unit.uid,
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "name_en": unit.name_en,
        "kind": unit.kind,
        "division_type": unit.division_type,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
        "parent_uid": getattr(unit, "parent_uid", None),
        "parent_name": getattr(unit, "parent_name", None),
    }


def lineage_out(lineage: services.Lineage) -> dict:
    unit = lineage.unit
    return {
        **unit_out(unit),
        "effective_date": lineage.effective_date,
        "succession": lineage.kind,
        "share": lineage.share,
        "approximate": lineage.approximate,
        "steps": lineage.steps,
    }


def visible_unit(request, uid: str) -> OrgUnit:
    return get_object_or_404(OrgUnit.objects.restrict(request.auth, "view"), uid=uid)


def writable(request, action: str, model=OrgUnit):
    """The rows the caller may ``action`` (the model permission was checked by the auth)."""
    return model.objects.restrict(request.auth, action)


# --- schemas for writes -----------------------------------------------------------------
class UnitIn(Schema):
    code: str = Field(..., min_length=1, max_length=50)
    name: str = Field(..., min_length=1, max_length=255)
    kind: OrgUnitKind
    short_name: str = ""
    name_en: str = ""
    division_type: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    parent: str | None = Field(None, description="uid of the parent from valid_from on")
    notes: str = ""


class UnitPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=50)
    name: str | None = Field(None, min_length=1, max_length=255)
    short_name: str | None = None
    name_en: str | None = None
    division_type: str | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    notes: str | None = None


class EndIn(Schema):
    last_day: datetime.date


class ParentIn(Schema):
    parent: str
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None


class MoveIn(Schema):
    parent: str
    from_day: datetime.date


class SuccessionIn(Schema):
    predecessor: str
    successor: str
    effective_date: datetime.date
    kind: SuccessionKind
    share: Decimal | None = Field(None, gt=0, le=1)
    approximate: bool = False
    notes: str = ""


class SuccessionOut(Schema):
    predecessor: str
    successor: str
    effective_date: datetime.date
    kind: SuccessionKind
    share: Decimal | None
    approximate: bool


class ReformUnitIn(Schema):
    key: str
    code: str
    name: str
    kind: OrgUnitKind
    parent: str
    short_name: str = ""
    name_en: str = ""
    division_type: str = ""


class ReformMoveIn(Schema):
    unit: str
    parent: str


class ReformSuccessionIn(Schema):
    predecessor: str
    successor: str
    kind: SuccessionKind
    share: Decimal | None = Field(None, gt=0, le=1)
    approximate: bool = False


class ReformIn(Schema):
    effective_date: datetime.date
    new_units: list[ReformUnitIn] = []
    moves: list[ReformMoveIn] = []
    ended: list[str] = []
    successions: list[ReformSuccessionIn] = []


class ReformOut(Schema):
    created: dict[str, str]


def succession_out(s: Succession) -> dict:
    return {
        "predecessor": s.predecessor.uid,
        "successor": s.successor.uid,
        "effective_date": s.effective_date,
        "kind": s.kind,
        "share": s.share,
        "approximate": s.approximate,
    }


# --- reading ------------------------------------------------------------------------------
@router.get("/", response=UnitList, auth=public_api_auth, operation_id="orgunits_list")
def list_units(request, params: Query[ListParams]):
    """Units valid on ``as_of`` (default today), filtered; ``count`` and ``results``."""
    unit_filter = UnitFilter(**params.dict(exclude={"limit", "offset"}))
    queryset = unit_filter.apply(OrgUnit.objects.restrict(request.auth, "view"))
    return paginate(request, queryset, params.limit, params.offset, unit_out)


@router.get(
    "/export", auth=public_api_auth, operation_id="orgunits_export", url_name="orgunits_export"
)
def export_units(request, format: str = "json", as_of: datetime.date | None = None):
    """The whole hierarchy. With ``as_of``: the units of that day with their parent and
    level. Without: every version of every unit, one row per parent link (full history)."""
    if format not in {"json", "csv"}:
        raise ApiError(
            422,
            "invalid_format",
            _("The format is json or csv, not %(format)s.") % {"format": format},
        )
    units = OrgUnit.objects.restrict(request.auth, "view")
    if as_of is not None:
        rows = _rows_as_of(units, as_of)
        columns = [*EXPORT_COLUMNS, "parent_uid", "level"]
    else:
        rows = _rows_all_versions(units)
        columns = [*EXPORT_COLUMNS, "parent_uid", "parent_valid_from", "parent_valid_to"]
    audit_export(request.auth, "organisation units", {"format": format, "as_of": str(as_of)})
    stamp = (as_of or timezone.localdate()).isoformat()
    name = f"orgunits-{'as-of-' + stamp if as_of else 'all-versions'}"
    if format == "csv":
        return csv_response(f"{name}.csv", columns, rows)
    response = StreamingHttpResponse(_json_stream(columns, rows), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


EXPORT_COLUMNS = ("uid", *(name for name in UNIT_EDITABLE_FIELDS if name != "notes"))


def _unit_row(unit) -> list:
    return [getattr(unit, column) for column in EXPORT_COLUMNS]


def _rows_as_of(units, day):
    root = services.root_unit(day)
    levels = {}
    if root is not None:
        levels = dict(
            services._closure_on(day).filter(ancestor=root).values_list("descendant_id", "depth")
        )
    for unit in with_parent_on(units.valid_on(day), day).order_by("kind", "code").iterator(2000):
        depth = levels.get(unit.pk)
        yield [*_unit_row(unit), unit.parent_uid, depth + 1 if depth is not None else None]


def _rows_all_versions(units):
    edges = {}
    for child_id, parent_uid, start, end in OrgUnitParent.objects.values_list(
        "child_id", "parent__uid", "valid_from", "valid_to"
    ).order_by("valid_from"):
        edges.setdefault(child_id, []).append((parent_uid, start, end))
    for unit in units.order_by("kind", "code", "valid_from").iterator(2000):
        base = _unit_row(unit)
        for parent_uid, start, end in edges.get(unit.pk, [(None, None, None)]):
            yield [*base, parent_uid, start, end]


def _json_stream(columns, rows):
    yield '{"columns": ' + json.dumps(columns) + ', "rows": ['
    first = True
    for row in rows:
        yield ("" if first else ",") + json.dumps([plain(v) for v in row], ensure_ascii=False)
        first = False
    yield "]}"


@router.get("/map", response=list[MappingOut], auth=public_api_auth, operation_id="orgunits_map")
def map_units(request, units: str, date: datetime.date | None = None):
    """Where the data of each unit (comma-separated uids) belongs in the structure of
    ``date``, with shares; ``approximate`` marks numbers that rely on an estimated split."""
    day = date or timezone.localdate()
    uids = [uid.strip() for uid in units.split(",") if uid.strip()][:500]
    found = {u.uid: u for u in OrgUnit.objects.restrict(request.auth, "view").filter(uid__in=uids)}
    missing = [uid for uid in uids if uid not in found]
    if missing:
        raise ApiError(
            404, "not_found", _("Unknown units: %(uids)s.") % {"uids": ", ".join(missing)}
        )
    mapping = services.map_to_structure(found.values(), day)
    return [
        {
            "uid": unit.uid,
            "name": unit.short_name,
            "date": day,
            "targets": [
                {
                    "uid": t.unit.uid,
                    "name": t.unit.short_name,
                    "share": round(t.share, 6),
                    "approximate": t.approximate,
                    "via_parent": t.via_parent,
                }
                for t in mapping[unit.pk]
            ],
        }
        for unit in (found[uid] for uid in uids)
    ]


@router.get(
    "/groups/", response=list[GroupOut], auth=public_api_auth, operation_id="orgunits_groups"
)
def list_groups(request):
    groups = OrgUnitGroup.objects.restrict(request.auth, "view").select_related("group_set")
    return [
        {
            "code": g.code,
            "name": g.name,
            "name_en": g.name_en,
            "group_set": g.group_set.code if g.group_set else None,
            "exclusive": bool(g.group_set and g.group_set.exclusive),
            "members": g.members.count(),
        }
        for g in groups
    ]


@router.post(
    "/successions/",
    response={201: SuccessionOut},
    auth=permitted(Succession, "add"),
    operation_id="orgunits_succession",
)
def record_succession(request, payload: SuccessionIn):
    predecessor = get_object_or_404(
        OrgUnit.objects.restrict(request.auth, "view"), uid=payload.predecessor
    )
    successor = get_object_or_404(
        OrgUnit.objects.restrict(request.auth, "view"), uid=payload.successor
    )
    succession = services.record_succession(
        request.auth,
        predecessor,
        successor,
        payload.effective_date,
        payload.kind,
        payload.share,
        payload.approximate,
        payload.notes,
    )
    return Status(201, succession_out(succession))


@router.post(
    "/reforms/",
    response={201: ReformOut},
    auth=permitted(OrgUnit, "add"),
    operation_id="orgunits_reform",
)
def record_reform(request, payload: ReformIn):
    """A whole reorganisation in one transaction; any broken rule refuses all of it."""
    created = services.record_reform(
        request.auth,
        payload.effective_date,
        new_units=[services.NewUnitSpec(**u.dict()) for u in payload.new_units],
        moves=[services.MoveSpec(**m.dict()) for m in payload.moves],
        ended=payload.ended,
        successions=[services.SuccessionSpec(**s.dict()) for s in payload.successions],
    )
    return Status(201, {"created": {key: unit.uid for key, unit in created.items()}})


@router.get("/{uid}/", response=UnitDetail, auth=public_api_auth, operation_id="orgunits_get")
def get_unit(request, uid: str, as_of: datetime.date | None = None):
    day = as_of or timezone.localdate()
    unit = with_parent_on(OrgUnit.objects.restrict(request.auth, "view"), day)
    unit = get_object_or_404(unit, uid=uid)
    return {
        **unit_out(unit),
        "level": services.depth_on(unit, day),
        "children": services.children_on(unit, day).count(),
        "parents": [
            {
                "parent_uid": edge.parent.uid,
                "parent_name": edge.parent.short_name,
                "valid_from": edge.valid_from,
                "valid_to": edge.valid_to,
            }
            for edge in unit.parent_edges.select_related("parent").order_by("valid_from")
        ],
        "groups": [
            {"code": g.code, "name": g.name, "group_set": g.group_set.code if g.group_set else None}
            for g in unit.groups.select_related("group_set")
        ],
        "notes": unit.notes,
        "source": unit.source,
    }


@router.get(
    "/{uid}/ancestors/",
    response=list[UnitOut],
    auth=public_api_auth,
    operation_id="orgunits_ancestors",
)
def unit_ancestors(request, uid: str, as_of: datetime.date | None = None):
    unit = visible_unit(request, uid)
    return [unit_out(a) for a in services.ancestors(unit, as_of or timezone.localdate())]


@router.get(
    "/{uid}/predecessors/",
    response=list[LineageOut],
    auth=public_api_auth,
    operation_id="orgunits_predecessors",
)
def unit_predecessors(request, uid: str, transitive: bool = True):
    """The units this one was formed from, across every reform when ``transitive``."""
    return [lineage_out(x) for x in services.predecessors(visible_unit(request, uid), transitive)]


@router.get(
    "/{uid}/successors/",
    response=list[LineageOut],
    auth=public_api_auth,
    operation_id="orgunits_successors",
)
def unit_successors(request, uid: str, transitive: bool = True):
    return [lineage_out(x) for x in services.successors(visible_unit(request, uid), transitive)]


@router.get("/{uid}/history/", response=list[ChangeOut], operation_id="orgunits_history")
def unit_history(request, uid: str):
    """Every recorded change of the unit and of its parent links and successions."""
    unit = visible_unit(request, uid)
    return [
        {
            "time": record.time,
            "user": record.user_name,
            "channel": record.channel,
            "action": record.action,
            "object": record.object_repr,
            "changes": {k: list(v) for k, v in record.changes.items()},
        }
        for record in services.change_records(unit)[:500]
    ]


# --- writing ------------------------------------------------------------------------------
@router.post(
    "/", response={201: UnitOut}, auth=permitted(OrgUnit, "add"), operation_id="orgunits_create"
)
def create_unit(request, payload: UnitIn):
    data = payload.dict()
    parent_uid = data.pop("parent")
    parent = (
        get_object_or_404(OrgUnit.objects.restrict(request.auth, "view"), uid=parent_uid)
        if parent_uid
        else None
    )
    unit = services.create_unit(request.auth, parent=parent, **data)
    return Status(201, unit_out(unit))


@router.patch(
    "/{uid}/", response=UnitOut, auth=permitted(OrgUnit, "change"), operation_id="orgunits_update"
)
def update_unit(request, uid: str, payload: UnitPatch):
    unit = get_object_or_404(writable(request, "change"), uid=uid)
    changes = payload.dict(exclude_unset=True)
    return unit_out(services.update_unit(request.auth, unit, **changes))


@router.post(
    "/{uid}/end", response=UnitOut, auth=permitted(OrgUnit, "change"), operation_id="orgunits_end"
)
def end_unit(request, uid: str, payload: EndIn):
    unit = get_object_or_404(writable(request, "change"), uid=uid)
    return unit_out(services.end_unit(request.auth, unit, payload.last_day))


@router.post(
    "/{uid}/parents",
    response={201: ParentLinkOut},
    auth=permitted(OrgUnit, "change"),
    operation_id="orgunits_link",
)
def add_parent(request, uid: str, payload: ParentIn):
    child = get_object_or_404(writable(request, "change"), uid=uid)
    parent = get_object_or_404(OrgUnit.objects.restrict(request.auth, "view"), uid=payload.parent)
    edge = services.add_parent(request.auth, child, parent, payload.valid_from, payload.valid_to)
    link = {
        "parent_uid": parent.uid,
        "parent_name": parent.short_name,
        "valid_from": edge.valid_from,
        "valid_to": edge.valid_to,
    }
    return Status(201, link)


@router.post(
    "/{uid}/move", response=UnitOut, auth=permitted(OrgUnit, "change"), operation_id="orgunits_move"
)
def move_unit(request, uid: str, payload: MoveIn):
    child = get_object_or_404(writable(request, "change"), uid=uid)
    parent = get_object_or_404(OrgUnit.objects.restrict(request.auth, "view"), uid=payload.parent)
    services.move_unit(request.auth, child, parent, payload.from_day)
    return unit_out(child)
