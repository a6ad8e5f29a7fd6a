"""Organisation units: every write and every rule, and the queries other modules use.

Writes run in a transaction, are checked against the rules below and leave a AuditRecord.
Rules (each refused with a ValidationError whose ``code`` names it):
- ``invalid_interval``: a validity that ends before it starts;
- ``duplicate_code``: two units with one code in overlapping validity intervals;
- ``overlapping_parents``: a unit with two parents on the same day;
- ``parent_outside_validity``: a parent link outside the validity of the child or parent;
- ``cycle``: a unit that would become its own ancestor;
- ``successor_starts_before_predecessor_ends``, ``predecessor_still_valid``,
  ``successor_not_valid``, ``invalid_share``, ``shares_exceed_whole``: successions;
- ``unit_has_children``: a unit ended while units still sit under it.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dieuhanh.core.audit import record_change, snapshot
from dieuhanh.orgunits.models import (
    DATE_MAX,
    DATE_MIN,
    UNIT_EDITABLE_FIELDS,
    OrgUnit,
    OrgUnitClosure,
    OrgUnitKind,
    OrgUnitParent,
    Succession,
    SuccessionKind,
    valid_on_q,
)
from dieuhanh.orgunits.signals import structure_changed, structure_changing

ONE_DAY = datetime.timedelta(days=1)
EDITABLE_FIELDS = UNIT_EDITABLE_FIELDS


# --- text ---------------------------------------------------------------------------------
def normalize(text: str) -> str:
    """Lower case, without Vietnamese diacritics: "Thành phố Hồ Chí Minh" -> "thanh pho ho
    chi minh". Used for search, so that "ninh binh" finds "Ninh Bình"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    cleaned = "".join(ch if ch.isalnum() else " " for ch in stripped.lower())
    return " ".join(cleaned.split())


def search_text_for(unit: OrgUnit) -> str:
    parts = [unit.name, unit.short_name, unit.name_en, unit.code]
    return " | ".join(normalize(part) for part in parts if part)


def fill_derived_fields(unit: OrgUnit) -> None:
    if not unit.short_name:
        unit.short_name = unit.name
    unit.search_text = search_text_for(unit)


# --- intervals ----------------------------------------------------------------------------
def lo(day: datetime.date | None) -> datetime.date:
    return day or DATE_MIN


def hi(day: datetime.date | None) -> datetime.date:
    return day or DATE_MAX


def overlaps(a_from, a_to, b_from, b_to) -> bool:
    return lo(a_from) <= hi(b_to) and lo(b_from) <= hi(a_to)


def overlap_q(valid_from, valid_to, prefix: str = "") -> Q:
    """Rows whose nullable interval overlaps [valid_from, valid_to] (None: open end)."""
    condition = Q()
    if valid_to is not None:  # the row must start by then
        condition &= Q(**{f"{prefix}valid_from__isnull": True}) | Q(
            **{f"{prefix}valid_from__lte": valid_to}
        )
    if valid_from is not None:  # and end no earlier
        condition &= Q(**{f"{prefix}valid_to__isnull": True}) | Q(
            **{f"{prefix}valid_to__gte": valid_from}
        )
    return condition


def show_date(day: datetime.date | None) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else "…"


def show_interval(valid_from, valid_to) -> str:
    return f"{show_date(valid_from)} - {show_date(valid_to)}"


def refuse(code: str, message: str) -> None:
    raise ValidationError(message, code=code)


# --- rules --------------------------------------------------------------------------------
def check_unit(unit: OrgUnit) -> None:
    if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
        refuse(
            "invalid_interval",
            _("%(unit)s: the validity ends (%(end)s) before it starts (%(start)s).")
            % {
                "unit": unit,
                "end": show_date(unit.valid_to),
                "start": show_date(unit.valid_from),
            },
        )
    clash = (
        OrgUnit.objects.filter(code=unit.code)
        .filter(overlap_q(unit.valid_from, unit.valid_to))
        .exclude(pk=unit.pk)
        .first()
    )
    if clash is not None:
        refuse(
            "duplicate_code",
            _(
                "%(unit)s: code %(code)s is already used by %(other)s (%(other_uid)s) "
                "valid %(interval)s; a code is unique within one validity interval."
            )
            % {
                "unit": unit,
                "code": unit.code,
                "other": clash,
                "other_uid": clash.uid,
                "interval": show_interval(clash.valid_from, clash.valid_to),
            },
        )
    if unit.pk:
        for edge in unit.parent_edges.select_related("parent"):
            if not (
                lo(unit.valid_from) <= lo(edge.valid_from)
                and hi(edge.valid_to) <= hi(unit.valid_to)
            ):
                refuse(
                    "parent_outside_validity",
                    _(
                        "%(unit)s: its link to %(parent)s (%(interval)s) would lie outside "
                        "the unit's validity; end or move the link first."
                    )
                    % {
                        "unit": unit,
                        "parent": edge.parent,
                        "interval": show_interval(edge.valid_from, edge.valid_to),
                    },
                )


def check_parent_edge(edge: OrgUnitParent) -> None:
    child, parent = edge.child, edge.parent
    if edge.valid_from and edge.valid_to and edge.valid_to < edge.valid_from:
        refuse(
            "invalid_interval",
            _("%(unit)s: the link to %(parent)s ends before it starts.")
            % {"unit": child, "parent": parent},
        )
    if child.pk == parent.pk:
        refuse("cycle", _("%(unit)s cannot be its own parent.") % {"unit": child})
    for unit in (child, parent):
        if not (
            lo(unit.valid_from) <= lo(edge.valid_from) and hi(edge.valid_to) <= hi(unit.valid_to)
        ):
            refuse(
                "parent_outside_validity",
                _(
                    "%(unit)s: the link to %(parent)s (%(interval)s) lies outside the validity "
                    "of %(outside)s (%(validity)s)."
                )
                % {
                    "unit": child,
                    "parent": parent,
                    "interval": show_interval(edge.valid_from, edge.valid_to),
                    "outside": unit,
                    "validity": show_interval(unit.valid_from, unit.valid_to),
                },
            )
    other = (
        OrgUnitParent.objects.filter(child=child)
        .filter(overlap_q(edge.valid_from, edge.valid_to))
        .exclude(pk=edge.pk)
        .select_related("parent")
        .first()
    )
    if other is not None:
        refuse(
            "overlapping_parents",
            _(
                "%(unit)s already sits under %(other)s for %(interval)s; a unit has one "
                "parent on any day (end that link first)."
            )
            % {
                "unit": child,
                "other": other.parent,
                "interval": show_interval(other.valid_from, other.valid_to),
            },
        )
    if OrgUnitClosure.objects.filter(
        descendant=parent,
        ancestor=child,
        valid_from__lte=hi(edge.valid_to),
        valid_to__gte=lo(edge.valid_from),
    ).exists():
        refuse(
            "cycle",
            _("%(parent)s sits under %(unit)s: %(unit)s cannot also sit under it (a cycle).")
            % {"unit": child, "parent": parent},
        )


def check_succession(succession: Succession) -> None:
    predecessor, successor = succession.predecessor, succession.successor
    effective = succession.effective_date
    names = {"predecessor": predecessor, "successor": successor, "date": show_date(effective)}
    if predecessor.pk == successor.pk:
        refuse("cycle", _("%(predecessor)s cannot succeed itself.") % names)
    if predecessor.valid_to is not None and effective <= predecessor.valid_to:
        refuse(
            "successor_starts_before_predecessor_ends",
            _(
                "%(successor)s would take over %(predecessor)s on %(date)s, before "
                "%(predecessor)s ends (%(end)s); the effective date is the day after it ends."
            )
            % {**names, "end": show_date(predecessor.valid_to)},
        )
    if predecessor.valid_to is None and succession.kind != SuccessionKind.TRANSFER:
        refuse(
            "predecessor_still_valid",
            _(
                "%(predecessor)s is still valid: end it the day before %(date)s, or record "
                "a transfer of part of it."
            )
            % names,
        )
    if not successor.is_valid_on(effective):
        refuse(
            "successor_not_valid",
            _("%(successor)s is not valid on %(date)s, the effective date.") % names,
        )
    if succession.share is not None:
        share = Decimal(succession.share)
        if not (Decimal(0) < share <= Decimal(1)):
            refuse("invalid_share", _("A share is more than 0 and at most 1."))
        others = (
            Succession.objects.filter(predecessor=predecessor, effective_date=effective)
            .exclude(pk=succession.pk)
            .exclude(share__isnull=True)
            .values_list("share", flat=True)
        )
        if sum(others, Decimal(0)) + share > Decimal("1.000001"):
            refuse(
                "shares_exceed_whole",
                _("The shares of %(predecessor)s given on %(date)s add up to more than 1.") % names,
            )


# --- the closure table --------------------------------------------------------------------
def _merge_intervals(rows: list[tuple[int, int, datetime.date, datetime.date]]):
    """Join intervals of one (ancestor, depth) that touch or overlap."""
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    merged: list[list] = []
    for ancestor, depth, start, end in rows:
        last = merged[-1] if merged else None
        if last and last[0] == ancestor and last[1] == depth and start <= last[3] + ONE_DAY:
            last[3] = max(last[3], end)
        else:
            merged.append([ancestor, depth, start, end])
    return [tuple(row) for row in merged]


def compute_closure(units, edges, known: dict[int, list] | None = None):
    """Ancestor rows for ``units`` ({id: (from, to)}) from ``edges`` ({child: [(parent, from,
    to)]}); ``known`` holds the rows of parents outside the set. Returns {id: rows}."""
    paths: dict[int, list] = dict(known or {})
    visiting: set[int] = set()

    def rows_for(unit_id: int) -> list:
        if unit_id in paths:
            return paths[unit_id]
        if unit_id in visiting:
            raise ValidationError(_("The hierarchy has a cycle."), code="cycle")
        visiting.add(unit_id)
        unit_from, unit_to = units[unit_id]
        rows = [(unit_id, 0, unit_from, unit_to)]
        for parent_id, edge_from, edge_to in edges.get(unit_id, ()):
            for ancestor, depth, start, end in rows_for(parent_id):
                new_start = max(start, edge_from, unit_from)
                new_end = min(end, edge_to, unit_to)
                if new_start <= new_end:
                    rows.append((ancestor, depth + 1, new_start, new_end))
        visiting.discard(unit_id)
        paths[unit_id] = _merge_intervals(rows)
        return paths[unit_id]

    return {unit_id: rows_for(unit_id) for unit_id in units}


def rebuild_closure(roots: Iterable[OrgUnit] | None = None) -> int:
    """Recompute the closure rows of ``roots`` and everything ever below them (or of every
    unit when ``roots`` is None). Returns the number of rows written."""
    if roots is None:
        affected = set(OrgUnit.objects.values_list("id", flat=True))
        OrgUnitClosure.objects.all().delete()
    else:
        root_ids = {unit.pk for unit in roots}
        affected = set(root_ids) | set(
            OrgUnitClosure.objects.filter(ancestor_id__in=root_ids).values_list(
                "descendant_id", flat=True
            )
        )
        # Units attached since the last rebuild have no rows yet: follow the edges too.
        frontier = set(root_ids)
        while frontier:
            children = set(
                OrgUnitParent.objects.filter(parent_id__in=frontier).values_list(
                    "child_id", flat=True
                )
            )
            frontier = children - affected
            affected |= children
        structure_changing.send(sender=OrgUnitClosure, unit_ids=affected)
        OrgUnitClosure.objects.filter(descendant_id__in=affected).delete()
    units = {
        pk: (lo(start), hi(end))
        for pk, start, end in OrgUnit.objects.filter(id__in=affected).values_list(
            "id", "valid_from", "valid_to"
        )
    }
    edges: dict[int, list] = defaultdict(list)
    outside_parents = set()
    for child, parent, start, end in OrgUnitParent.objects.filter(
        child_id__in=affected
    ).values_list("child_id", "parent_id", "valid_from", "valid_to"):
        edges[child].append((parent, lo(start), hi(end)))
        if parent not in affected:
            outside_parents.add(parent)
    known: dict[int, list] = defaultdict(list)
    for row in OrgUnitClosure.objects.filter(descendant_id__in=outside_parents).values_list(
        "descendant_id", "ancestor_id", "depth", "valid_from", "valid_to"
    ):
        known[row[0]].append(row[1:])
    paths = compute_closure(units, edges, known)
    closure = [
        OrgUnitClosure(
            ancestor_id=ancestor, descendant_id=unit_id, depth=depth, valid_from=s, valid_to=e
        )
        for unit_id in units
        for ancestor, depth, s, e in paths[unit_id]
    ]
    OrgUnitClosure.objects.bulk_create(closure, batch_size=5000)
    structure_changed.send(sender=OrgUnitClosure, unit_ids=None if roots is None else affected)
    return len(closure)


def find_unit(value, name: str, *, required: bool = True) -> OrgUnit | None:
    """An organisation unit by uid, the code or name of a current unit, or the unit itself;
    a ``ValidationError`` naming ``name`` when there is none or more than one."""
    if isinstance(value, OrgUnit):
        return value
    if value in (None, ""):
        if required:
            raise ValidationError(
                _("%(field)s: choose a unit.") % {"field": name},
                code="required",
                params={"field": name},
            )
        return None
    found = OrgUnit.objects.filter(uid=value).first()
    if found is None:  # a current unit's code, else its name (as a spreadsheet writes it)
        current = OrgUnit.objects.valid_on(timezone.localdate())
        for lookup in ({"code": value}, {"name__iexact": str(value).strip()}):
            matches = list(current.filter(**lookup)[:2])
            if len(matches) > 1:
                raise ValidationError(
                    _("%(field)s: %(value)s names more than one unit; give its uid.")
                    % {"field": name, "value": value},
                    code="ambiguous_unit",
                    params={"field": name},
                )
            if matches:
                found = matches[0]
                break
    if found is None:
        raise ValidationError(
            _("%(field)s: no unit %(value)s.") % {"field": name, "value": value},
            code="unknown_unit",
            params={"field": name},
        )
    return found


# --- queries ------------------------------------------------------------------------------
# The units that receive tasks and run programmes: the Government, ministries and agencies,
# provinces, state-owned groups.
AGENCY_KINDS = (
    OrgUnitKind.GOVERNMENT,
    OrgUnitKind.MINISTRY,
    OrgUnitKind.MINISTRY_LEVEL,
    OrgUnitKind.GOVERNMENT_AGENCY,
    OrgUnitKind.PROVINCE,
    OrgUnitKind.STATE_GROUP,
)
# The administrative areas: where a place is, a project runs, a figure is counted.
AREA_KINDS = (OrgUnitKind.PROVINCE, OrgUnitKind.COMMUNE, OrgUnitKind.DISTRICT)


def unit_choices(user, kinds, day: datetime.date | None = None) -> list[tuple[str, str]]:
    """(uid, name) of the units of ``kinds`` valid on ``day`` (today) that ``user`` sees,
    for a form's list."""
    units = (
        OrgUnit.objects.restrict(user, "view")
        .valid_on(day or timezone.localdate())
        .filter(kind__in=kinds)
        .order_by("kind", "name")
    )
    return [(unit.uid, unit.name) for unit in units]


def units_on(day: datetime.date, kind: str | None = None):
    queryset = OrgUnit.objects.valid_on(day)
    return queryset.filter(kind=kind) if kind else queryset


def root_unit(day: datetime.date | None = None) -> OrgUnit | None:
    queryset = OrgUnit.objects.filter(kind=OrgUnitKind.GOVERNMENT)
    if day:
        queryset = queryset.valid_on(day)
    return queryset.order_by("valid_from").first()


def parent_on(unit: OrgUnit, day: datetime.date) -> OrgUnit | None:
    edge = unit.parent_edges.filter(valid_on_q(day)).select_related("parent").first()
    return edge.parent if edge else None


def children_on(unit: OrgUnit, day: datetime.date):
    return OrgUnit.objects.valid_on(day).filter(
        Q(parent_edges__parent=unit) & valid_on_q(day, "parent_edges__")
    )


def child_counts(parents, day: datetime.date) -> dict[int, int]:
    """How many units sit directly under each of ``parents`` on ``day`` (one query)."""
    rows = (
        OrgUnitParent.objects.filter(valid_on_q(day), parent__in=parents)
        .filter(valid_on_q(day, "child__"))
        .values("parent_id")
        .annotate(n=Count("id"))
        .values_list("parent_id", "n")
    )
    return dict(rows)


def _closure_on(day: datetime.date):
    return OrgUnitClosure.objects.filter(valid_from__lte=day, valid_to__gte=day)


def ancestors(unit: OrgUnit, day: datetime.date) -> list[OrgUnit]:
    """From the root down to the parent of ``unit``, as of ``day`` (one indexed query)."""
    rows = (
        _closure_on(day)
        .filter(descendant=unit, depth__gt=0)
        .select_related("ancestor")
        .order_by("-depth")
    )
    return [row.ancestor for row in rows]


def descendants(unit: OrgUnit, day: datetime.date, kind: str | None = None, max_depth=None):
    """Every unit below ``unit`` on ``day`` (one indexed query, as a queryset)."""
    rows = _closure_on(day).filter(ancestor=unit, depth__gt=0)
    if max_depth is not None:
        rows = rows.filter(depth__lte=max_depth)
    queryset = OrgUnit.objects.filter(id__in=rows.values("descendant_id"))
    return queryset.filter(kind=kind) if kind else queryset


def level_on(day: datetime.date, level: int):
    """Units at ``level`` on ``day``: the root is level 1, its children level 2..."""
    root = root_unit(day)
    if root is None:
        return OrgUnit.objects.none()
    if level == 1:
        return OrgUnit.objects.filter(pk=root.pk)
    rows = _closure_on(day).filter(ancestor=root, depth=level - 1)
    return OrgUnit.objects.filter(id__in=rows.values("descendant_id"))


def depth_on(unit: OrgUnit, day: datetime.date) -> int | None:
    row = _closure_on(day).filter(descendant=unit).order_by("-depth").first()
    return row.depth + 1 if row else None


@dataclass(frozen=True)
class Lineage:
    """A unit reached through successions, with the share carried along the way."""

    unit: OrgUnit
    effective_date: datetime.date
    kind: str
    share: Decimal | None
    approximate: bool
    steps: int


def _walk(unit: OrgUnit, direction: str, transitive: bool) -> list[Lineage]:
    forward = direction == "successors"
    found: dict[int, Lineage] = {}
    queue = deque([(unit.pk, Decimal(1), False, 0)])
    seen = {unit.pk}
    while queue:
        current, share, approximate, steps = queue.popleft()
        links = (
            Succession.objects.filter(predecessor_id=current).select_related("successor")
            if forward
            else Succession.objects.filter(successor_id=current).select_related("predecessor")
        )
        for link in links:
            other = link.successor if forward else link.predecessor
            if other.pk in seen:
                continue
            seen.add(other.pk)
            step_share = None if (share is None or link.share is None) else share * link.share
            lineage = Lineage(
                unit=other,
                effective_date=link.effective_date,
                kind=link.kind,
                share=step_share,
                approximate=approximate or link.approximate,
                steps=steps + 1,
            )
            found[other.pk] = lineage
            if transitive:
                queue.append((other.pk, step_share, lineage.approximate, steps + 1))
    return sorted(found.values(), key=lambda x: (x.steps, x.effective_date, x.unit.code))


def predecessors(unit: OrgUnit, transitive: bool = True) -> list[Lineage]:
    return _walk(unit, "predecessors", transitive)


def successors(unit: OrgUnit, transitive: bool = True) -> list[Lineage]:
    return _walk(unit, "successors", transitive)


@dataclass
class StructureTarget:
    """Where (a share of) a unit's data belongs in the structure of a given date."""

    unit: OrgUnit
    share: Decimal
    approximate: bool = False
    via_parent: bool = False
    reasons: list[str] = field(default_factory=list)


class SuccessionGraph:
    """Every succession and every unit's validity in memory (two queries), for mapping many
    units at once."""

    def __init__(self):
        self.units = {unit.pk: unit for unit in OrgUnit.objects.all()}
        self.forward: dict[int, list[Succession]] = defaultdict(list)
        self.backward: dict[int, list[Succession]] = defaultdict(list)
        for link in Succession.objects.all():
            self.forward[link.predecessor_id].append(link)
            self.backward[link.successor_id].append(link)
        self._parents: dict[int, list[OrgUnitParent]] = defaultdict(list)
        for edge in OrgUnitParent.objects.all():
            self._parents[edge.child_id].append(edge)

    def parent_on(self, unit_id: int, day: datetime.date) -> int | None:
        for edge in self._parents.get(unit_id, ()):
            if lo(edge.valid_from) <= day <= hi(edge.valid_to):
                return edge.parent_id
        return None


def _shares(links: list[Succession], inverse: bool) -> list[tuple[Succession, Decimal, bool]]:
    """Each link's share of the whole; unknown shares split the rest equally (approximate)."""
    if inverse:
        known = [link.share for link in links if link.share is not None]
        total = sum(known, Decimal(0)) if len(known) == len(links) and known else None
        return [
            (link, (link.share / total) if total else Decimal(1) / len(links), True)
            for link in links
        ]
    known_total = sum((link.share for link in links if link.share is not None), Decimal(0))
    unknown = [link for link in links if link.share is None]
    rest = max(Decimal(1) - known_total, Decimal(0))
    result = []
    for link in links:
        if link.share is not None:
            result.append((link, link.share, link.approximate))
        else:
            result.append((link, rest / len(unknown), True))
    return result


def map_to_structure(
    units: Iterable[OrgUnit], day: datetime.date, graph: SuccessionGraph | None = None
) -> dict[int, list[StructureTarget]]:
    """For each unit, the units valid on ``day`` that its data belongs to, with shares.

    A unit valid on ``day`` maps to itself. An ended unit follows its successions forward,
    multiplying shares; one without successor falls back to its last parent (flagged
    ``via_parent``). A unit that did not exist yet on ``day`` maps back onto its
    predecessors, in proportion to what each gave it (always approximate).
    """
    graph = graph or SuccessionGraph()
    result: dict[int, list[StructureTarget]] = {}
    for unit in units:
        targets: dict[int, StructureTarget] = {}
        _map_one(graph, unit.pk, day, Decimal(1), False, False, targets, set())
        result[unit.pk] = sorted(targets.values(), key=lambda t: (-t.share, t.unit.code))
    return result


def _map_one(graph, unit_id, day, share, approximate, via_parent, targets, seen) -> None:
    if unit_id in seen:
        return
    seen = seen | {unit_id}
    unit = graph.units[unit_id]
    if unit.is_valid_on(day):
        target = targets.get(unit_id)
        if target is None:
            targets[unit_id] = StructureTarget(unit, share, approximate, via_parent)
        else:
            target.share += share
            target.approximate = target.approximate or approximate
            target.via_parent = target.via_parent or via_parent
        return
    if unit.valid_to is not None and unit.valid_to < day:
        links = [link for link in graph.forward.get(unit_id, ()) if link.effective_date <= day]
        if links:
            for link, part, approx in _shares(links, inverse=False):
                _map_one(
                    graph,
                    link.successor_id,
                    day,
                    share * part,
                    approximate or approx,
                    via_parent,
                    targets,
                    seen,
                )
            return
        parent = graph.parent_on(unit_id, unit.valid_to)
        if parent is not None:
            _map_one(graph, parent, day, share, approximate, True, targets, seen)
        return
    links = [link for link in graph.backward.get(unit_id, ()) if link.effective_date > day]
    for link, part, _approx in _shares(links, inverse=True):
        _map_one(graph, link.predecessor_id, day, share * part, True, via_parent, targets, seen)


def search(q: str, day: datetime.date | None = None, kind: str | None = None):
    """Units matching ``q`` by name (with or without diacritics), code or former name.

    A former name finds the units that succeeded it and are valid on ``day``: on
    01/07/2025 "Hà Nam" finds Ninh Bình.
    """
    terms = normalize(q).split()
    if not terms:
        return OrgUnit.objects.none()
    matches = Q()
    for term in terms:
        matches &= Q(search_text__contains=term)
    direct = OrgUnit.objects.filter(matches)
    if day is None:
        return direct.filter(kind=kind) if kind else direct
    successor_ids = set()
    former = direct.exclude(valid_on_q(day)).filter(valid_to__lt=day)
    if kind:
        former = former.filter(kind=kind)
    for unit in former[:200]:
        successor_ids.update(
            lineage.unit.pk for lineage in successors(unit) if lineage.unit.is_valid_on(day)
        )
    queryset = OrgUnit.objects.valid_on(day).filter(
        Q(id__in=direct.values("id")) | Q(id__in=successor_ids)
    )
    return queryset.filter(kind=kind) if kind else queryset


def parent_links(unit: OrgUnit) -> list[OrgUnitParent]:
    """Where the unit sat in the hierarchy, period by period."""
    return list(unit.parent_edges.select_related("parent").order_by("valid_from"))


def change_records(unit: OrgUnit):
    """Every audited change of the unit and of what belongs to its history (its parent
    links and successions)."""
    from django.contrib.contenttypes.models import ContentType

    from dieuhanh.core.models import AuditRecord

    unit_type = ContentType.objects.get_for_model(OrgUnit)
    return AuditRecord.objects.filter(
        Q(content_type=unit_type, object_id=str(unit.pk))
        | Q(related_content_type=unit_type, related_object_id=str(unit.pk))
    ).order_by("-time", "-id")


def join_names(names: list[str]) -> str:
    """ "A, B and C" in the active language."""
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _kind_label(kinds: set[str]) -> str:
    return ", ".join(str(SuccessionKind(kind).label).lower() for kind in sorted(kinds))


def history_sentences(unit: OrgUnit) -> list[str]:
    """The unit's story in plain words: when and from what it was formed, what it became."""
    sentences = []
    incoming = defaultdict(list)
    for link in unit.successions_in.select_related("predecessor"):
        incoming[link.effective_date].append(link)
    outgoing = defaultdict(list)
    for link in unit.successions_out.select_related("successor"):
        outgoing[link.effective_date].append(link)
    for day, links in sorted(incoming.items()):
        # The predecessor that gave its code comes first, then by code.
        links.sort(key=lambda link: (link.predecessor.code != unit.code, link.predecessor.code))
        sentences.append(
            _("Formed on %(date)s from %(names)s (%(kind)s).")
            % {
                "date": show_date(day),
                "names": join_names([link.predecessor.short_name for link in links]),
                "kind": _kind_label({link.kind for link in links}),
            }
        )
    if unit.valid_from and unit.valid_from not in incoming:
        sentences.append(_("Valid from %(date)s.") % {"date": show_date(unit.valid_from)})
    for day, links in sorted(outgoing.items()):
        links.sort(key=lambda link: link.successor.code)
        sentences.append(
            _("From %(date)s its data belongs to %(names)s (%(kind)s).")
            % {
                "date": show_date(day),
                "names": join_names([link.successor.short_name for link in links]),
                "kind": _kind_label({link.kind for link in links}),
            }
        )
    if unit.valid_to:
        sentences.append(_("Valid until %(date)s.") % {"date": show_date(unit.valid_to)})
    if not sentences:
        sentences.append(_("In force; no reorganisation recorded."))
    return sentences


# --- writes -------------------------------------------------------------------------------
def _fresh(unit: OrgUnit) -> OrgUnit:
    """The unit as stored now, locked until the transaction ends: rules are checked against
    the database, not against an object the caller may have kept."""
    return OrgUnit.objects.select_for_update().get(pk=unit.pk)


@transaction.atomic
def create_unit(actor, *, parent: OrgUnit | None = None, **fields) -> OrgUnit:
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"uid", "source"}
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    unit = OrgUnit(**fields)
    fill_derived_fields(unit)
    check_unit(unit)
    unit.save()
    record_change("create", unit, before=None, after=snapshot(unit), actor=actor)
    if parent is not None:
        add_parent(actor, unit, parent, valid_from=unit.valid_from, valid_to=unit.valid_to)
    else:
        rebuild_closure([unit])
    return unit


@transaction.atomic
def update_unit(actor, unit: OrgUnit, **changes) -> OrgUnit:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit)
    validity_changed = any(
        key in changes and changes[key] != getattr(unit, key) for key in ("valid_from", "valid_to")
    )
    for key, value in changes.items():
        setattr(unit, key, value)
    fill_derived_fields(unit)
    check_unit(unit)
    after = snapshot(unit)
    if after == before:
        return unit
    unit.save()
    record_change("update", unit, before=before, after=after, actor=actor)
    if validity_changed:
        rebuild_closure([unit])
    return unit


@transaction.atomic
def end_unit(actor, unit: OrgUnit, last_day: datetime.date) -> OrgUnit:
    """Close a unit on ``last_day``, with its open parent link. Units under it after that
    day must be moved or ended first."""
    unit = _fresh(unit)
    still_under = (
        OrgUnitParent.objects.filter(parent=unit)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=last_day))
        .select_related("child")
        .first()
    )
    if still_under is not None:
        refuse(
            "unit_has_children",
            _("%(unit)s still has %(child)s under it after %(date)s: move or end it first.")
            % {"unit": unit, "child": still_under.child, "date": show_date(last_day)},
        )
    for edge in OrgUnitParent.objects.filter(child=unit).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=last_day)
    ):
        if lo(edge.valid_from) > last_day:
            refuse(
                "parent_outside_validity",
                _("%(unit)s has a parent link starting after %(date)s.")
                % {"unit": unit, "date": show_date(last_day)},
            )
        _change_edge(actor, edge, valid_to=last_day)
    return update_unit(actor, unit, valid_to=last_day)


def _change_edge(actor, edge: OrgUnitParent, **changes) -> OrgUnitParent:
    before = snapshot(edge)
    for key, value in changes.items():
        setattr(edge, key, value)
    edge.save()
    record_change(
        "update", edge, before=before, after=snapshot(edge), actor=actor, related=edge.child
    )
    return edge


@transaction.atomic
def add_parent(
    actor, child: OrgUnit, parent: OrgUnit, valid_from=None, valid_to=None
) -> OrgUnitParent:
    child, parent = _fresh(child), _fresh(parent)
    edge = OrgUnitParent(child=child, parent=parent, valid_from=valid_from, valid_to=valid_to)
    check_parent_edge(edge)
    edge.save()
    record_change("create", edge, before=None, after=snapshot(edge), actor=actor, related=child)
    rebuild_closure([child])
    return edge


@transaction.atomic
def move_unit(actor, child: OrgUnit, new_parent: OrgUnit, from_day: datetime.date):
    """From ``from_day`` on, ``child`` sits under ``new_parent``."""
    child = _fresh(child)
    current = child.parent_edges.filter(valid_on_q(from_day - ONE_DAY)).first()
    if current is not None and hi(current.valid_to) >= from_day:
        _change_edge(actor, current, valid_to=from_day - ONE_DAY)
    return add_parent(actor, child, new_parent, valid_from=from_day, valid_to=child.valid_to)


@transaction.atomic
def record_succession(
    actor,
    predecessor: OrgUnit,
    successor: OrgUnit,
    effective_date: datetime.date,
    kind: str,
    share: Decimal | None = None,
    approximate: bool = False,
    notes: str = "",
) -> Succession:
    predecessor, successor = _fresh(predecessor), _fresh(successor)
    existing = Succession.objects.filter(
        predecessor=predecessor, successor=successor, effective_date=effective_date
    ).first()
    if existing is not None:
        return existing  # a repeated request changes nothing
    succession = Succession(
        predecessor=predecessor,
        successor=successor,
        effective_date=effective_date,
        kind=kind,
        share=share,
        approximate=approximate,
        notes=notes,
    )
    check_succession(succession)
    succession.save()
    record_change(
        "create",
        succession,
        before=None,
        after=snapshot(succession),
        actor=actor,
        related=successor,
    )
    return succession


@dataclass
class NewUnitSpec:
    key: str
    code: str
    name: str
    kind: str
    parent: str  # uid of an existing unit or key of a new one
    short_name: str = ""
    name_en: str = ""
    division_type: str = ""


@dataclass
class MoveSpec:
    unit: str  # uid
    parent: str  # uid or key of a new unit


@dataclass
class SuccessionSpec:
    predecessor: str  # uid
    successor: str  # uid or key
    kind: str
    share: Decimal | None = None
    approximate: bool = False


@transaction.atomic
def record_reform(
    actor,
    effective_date: datetime.date,
    new_units: list[NewUnitSpec] = (),
    moves: list[MoveSpec] = (),
    ended: list[str] = (),
    successions: list[SuccessionSpec] = (),
) -> dict[str, OrgUnit]:
    """A whole reorganisation in one transaction: new units from ``effective_date``, units
    moved under new parents, units ended the day before, and the successions between them.
    Any broken rule refuses the whole reform."""
    created: dict[str, OrgUnit] = {}

    def resolve(reference: str) -> OrgUnit:
        if reference in created:
            return created[reference]
        unit = OrgUnit.objects.filter(uid=reference).first()
        if unit is None:
            refuse("unknown_unit", _("No unit or new-unit key %(ref)s.") % {"ref": reference})
        return unit

    for spec in new_units:
        created[spec.key] = create_unit(
            actor,
            code=spec.code,
            name=spec.name,
            short_name=spec.short_name,
            name_en=spec.name_en,
            kind=spec.kind,
            division_type=spec.division_type,
            valid_from=effective_date,
        )
    for spec in new_units:
        add_parent(actor, created[spec.key], resolve(spec.parent), valid_from=effective_date)
    for spec in moves:
        move_unit(actor, resolve(spec.unit), resolve(spec.parent), effective_date)
    last_day = effective_date - ONE_DAY
    for uid in ended:
        end_unit(actor, resolve(uid), last_day)
    for spec in successions:
        record_succession(
            actor,
            resolve(spec.predecessor),
            resolve(spec.successor),
            effective_date,
            spec.kind,
            share=spec.share,
            approximate=spec.approximate,
        )
    return created
