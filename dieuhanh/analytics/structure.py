"""Which units' values make a unit's value in a chosen structure.

Values are stored against the units that reported them, as they were. A question asked in
the structure of a day ``D`` (today by default) wants them on the units valid on ``D``: the
old Ninh Bình, Hà Nam and Nam Định add up to today's Ninh Bình for 2024. The orgunits
module maps any unit onto the units of a day through the successions, with shares for
splits and a flag where a share is only approximately known (``map_to_structure``).

For a target unit ``T`` of ``D`` and a period whose hierarchy is that of its last day
``d``, the contributors are the units valid on ``d`` whose data maps (wholly or in part)
onto ``T`` while their parent's does not: each contributes its effective value (its own
report, or the aggregate of its units, from the rollups), so a province's figure comes from
the provinces it was formed from, never twice through their communes.

The maps depend only on the structure; they are computed once per process for each
structure version (``analytics.RollupState``, bumped by every change of units, parent links
and successions) and each interval of days in which nothing changed.
"""

from __future__ import annotations

import bisect
import datetime
import gc
import threading
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from dieuhanh.orgunits.services import SuccessionGraph, map_to_structure


@dataclass(frozen=True)
class Contributor:
    unit_id: int
    share: float
    approximate: bool


class StructureMaps:
    """The structure of one version: units, successions, parents and change days."""

    def __init__(self, version: int):
        self.version = version
        self.graph = SuccessionGraph()
        days: set[datetime.date] = set()
        for unit in self.graph.units.values():
            if unit.valid_from:
                days.add(unit.valid_from)
            if unit.valid_to:
                days.add(unit.valid_to + datetime.timedelta(days=1))
        for links in self.graph.forward.values():
            days.update(link.effective_date for link in links)
        for edges in self.graph._parents.values():
            for edge in edges:
                if edge.valid_from:
                    days.add(edge.valid_from)
                if edge.valid_to:
                    days.add(edge.valid_to + datetime.timedelta(days=1))
        self.change_days = sorted(days)
        self._targets: dict[datetime.date, dict[int, list]] = {}
        self._contributors: dict[tuple, dict[int, tuple[Contributor, ...]]] = {}
        self._lock = threading.Lock()

    def epoch(self, day: datetime.date) -> datetime.date:
        """The first day of the interval without changes that holds ``day``."""
        index = bisect.bisect_right(self.change_days, day)
        return self.change_days[index - 1] if index else datetime.date.min

    def targets(self, structure_day: datetime.date) -> dict[int, list]:
        """For every unit, the units of ``structure_day`` its data belongs to."""
        key = self.epoch(structure_day)
        found = self._targets.get(key)
        if found is None:
            found = map_to_structure(self.graph.units.values(), structure_day, self.graph)
            self._targets[key] = found
        return found

    def contributors(
        self, structure_day: datetime.date, day: datetime.date
    ) -> dict[int, tuple[Contributor, ...]]:
        """For every unit of ``structure_day``: the units valid on ``day`` whose effective
        values make its value, with their shares."""
        key = (self.epoch(structure_day), self.epoch(day))
        found = self._contributors.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._contributors.get(key)
            if found is None:
                found = self._compute(structure_day, day)
                self._contributors[key] = found
                _settle()
        return found

    def _compute(self, structure_day, day) -> dict[int, tuple[Contributor, ...]]:
        targets = self.targets(structure_day)
        result: dict[int, list[Contributor]] = defaultdict(list)
        for unit_id, unit in self.graph.units.items():
            if not unit.is_valid_on(day):
                continue
            mine = targets.get(unit_id) or ()
            if not mine:
                continue
            parent = self.graph.parent_on(unit_id, day)
            covered = (
                {t.unit.pk for t in targets.get(parent, ())}
                if parent is not None and self.graph.units[parent].is_valid_on(day)
                else set()
            )
            for target in mine:
                if target.unit.pk in covered or target.share <= Decimal(0):
                    continue
                result[target.unit.pk].append(
                    Contributor(unit_id, float(target.share), bool(target.approximate))
                )
        return {pk: tuple(found) for pk, found in result.items()}


_cache: dict[int, StructureMaps] = {}
_cache_lock = threading.Lock()


def _settle(release: bool = False) -> None:
    """The maps live as long as the structure does (tens of thousands of objects): take
    them out of the garbage collector's sight, as ``core.startup.settle`` does for what a
    process loads at start, so that its full collections do not walk them on every
    answer. Garbage is collected first, so that nothing dead is kept; ``release``: the
    maps of a former version were just dropped, let the collector have them."""
    if release:
        gc.unfreeze()
    gc.collect()
    gc.freeze()


def maps(version: int) -> StructureMaps:
    found = _cache.get(version)
    if found is None:
        with _cache_lock:
            found = _cache.get(version)
            if found is None:
                release = bool(_cache)
                _cache.clear()
                found = StructureMaps(version)
                _cache[version] = found
                _settle(release)
    return found
