"""Every write on the register of programmes and projects and on the plan targets, with
its checks; every read a user makes goes through ``restrict()``. Views, the API and the demo
loaders call these.

The center (``targets.add_project`` / ``change_project``, ``targets.*_plantarget``) keeps
both; everybody signed in reads them (reference data, like the indicator catalog). A plan
target is written only inside the writer's scope; how far it is met is ``progress``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from dieuhanh.accounts.scopes import scope_unit_ids
from dieuhanh.catalog.models import Indicator
from dieuhanh.core.audit import record_change, snapshot
from dieuhanh.core.inputs import clean_choice, clean_text, parse_number
from dieuhanh.core.querysets import denied, permits, with_every_word
from dieuhanh.orgunits.services import AGENCY_KINDS, AREA_KINDS, find_unit
from dieuhanh.targets.models import Comparison, PlanTarget, Project, ProjectKind, place_name

FIRST_YEAR, LAST_YEAR = 1945, 2100
PLAN_GROUP = "PLAN_PLAN"  # the catalog's group of annual plan indicators


def projects(user, action: str = "view"):
    """The register as ``user`` may see it (``None``: the system, every row)."""
    queryset = Project.objects.all() if user is None else Project.objects.restrict(user, action)
    return queryset.select_related("owner")


def search(queryset, words: str):
    """Programmes and projects whose code, name or legal basis hold every word."""
    return with_every_word(queryset, words, ("code", "name", "short_name", "legal_basis"))


def get_project(user, code: str) -> Project:
    found = projects(user).filter(code=code).first()
    if found is None:
        raise Project.DoesNotExist(_("No programme or project %(code)s.") % {"code": code})
    return found


def find_projects(codes) -> list[Project]:
    """The programmes and projects named by ``codes`` (a list, or text separated by commas
    or semicolons), in that order; a ``ValidationError`` naming those not in the register."""
    if isinstance(codes, str):
        codes = codes.replace(";", ",").split(",")
    codes = [str(code).strip() for code in codes or () if str(code).strip()]
    found = {project.code: project for project in Project.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationError(
            _("Programmes and projects: no %(codes)s in the register.")
            % {"codes": ", ".join(missing)},
            code="unknown_project",
            params={"field": _("Programmes and projects")},
        )
    return list(dict.fromkeys(found[code] for code in codes))


@dataclass
class ProjectInput:
    code: str
    name: str
    kind: str
    start_year: int | str
    end_year: int | str | None = None
    short_name: str = ""
    owner: object = None  # a unit, its uid or the code of a current unit
    legal_basis: str = ""
    investment: Decimal | str | None = None
    locations: list = field(default_factory=list)
    description: str = ""


def _year(value, name: str, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationError(
                _("%(field)s: give a year.") % {"field": name},
                code="required",
                params={"field": name},
            )
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("%(field)s: a year from %(first)d to %(last)d.")
            % {"field": name, "first": FIRST_YEAR, "last": LAST_YEAR},
            code="invalid_year",
            params={"field": name},
        )
    return year


def _amount(value, name: str) -> Decimal | None:
    amount = parse_number(value, name, required=False, limit=Decimal("1e13"))
    if amount is not None and amount < 0:
        raise ValidationError(
            _("%(field)s: a positive number of billion dong.") % {"field": name},
            code="invalid_amount",
            params={"field": name},
        )
    return None if amount is None else amount.quantize(Decimal("0.1"))


def _fields(data: ProjectInput) -> tuple[dict, list]:
    code = clean_text(data.code, _("Code"), limit=40).upper()
    if any(char.isspace() for char in code):
        raise ValidationError(
            _("Code: no spaces (use - or _)."), code="invalid_code", params={"field": _("Code")}
        )
    fields = {
        "code": code,
        "name": clean_text(data.name, _("Name"), limit=300),
        "short_name": clean_text(data.short_name, _("Short name"), required=False, limit=120),
        "kind": clean_choice(data.kind, ProjectKind, _("Kind")),
        "owner": find_unit(data.owner, _("Agency in charge"), required=False),
        "start_year": _year(data.start_year, _("From year"), required=True),
        "end_year": _year(data.end_year, _("To year"), required=False),
        "legal_basis": clean_text(data.legal_basis, _("Approved by"), required=False, limit=300),
        "investment": _amount(data.investment, _("Total investment (billion VND)")),
        "description": clean_text(data.description, _("Description"), required=False),
    }
    if fields["end_year"] is not None and fields["end_year"] < fields["start_year"]:
        raise ValidationError(
            _("To year: not before the year it starts."),
            code="invalid_years",
            params={"field": _("To year")},
        )
    owner = fields["owner"]
    if owner is not None and owner.kind not in AGENCY_KINDS:
        raise ValidationError(
            _("Agency in charge: %(unit)s is not a ministry, agency, province or group.")
            % {"unit": owner.name},
            code="not_an_agency",
            params={"field": _("Agency in charge")},
        )
    locations = [find_unit(value, _("Provinces where it is")) for value in data.locations or ()]
    for unit in locations:
        if unit.kind not in AREA_KINDS:
            raise ValidationError(
                _("Provinces where it is: %(unit)s is not a province or commune.")
                % {"unit": unit.name},
                code="not_a_place",
                params={"field": _("Provinces where it is")},
            )
    return fields, list(dict.fromkeys(locations))


def _snapshot(project: Project) -> dict:
    data = snapshot(project)
    data["locations"] = sorted(project.locations.values_list("uid", flat=True))
    return data


def _must(user, action: str) -> None:
    if user is not None and not permits(user, Project, action):
        raise denied(Project, action)


@transaction.atomic
def create_project(user, data: ProjectInput) -> tuple[Project, bool]:
    """A programme or project, or the one the register holds under that code already:
    ``(project, created)``. Sending it twice records it once."""
    _must(user, "add")
    fields, locations = _fields(data)
    existing = Project.objects.filter(code=fields["code"]).first()
    if existing is not None:
        return existing, False
    actor = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():  # two requests at once: the second finds the first's
            project = Project.objects.create(**fields, created_by=actor)
    except IntegrityError:
        return Project.objects.get(code=fields["code"]), False
    project.locations.set(locations)
    record_change("create", project, before=None, after=_snapshot(project), actor=user)
    return project, True


@transaction.atomic
def delete_project(user, project: Project) -> None:
    """Remove an entry recorded by mistake; one that tasks name stays (unlink them first),
    so that no task loses what it concerned without a trace in its own history."""
    _must(user, "delete")
    project = Project.objects.select_for_update().get(pk=project.pk)
    named = project.tasks.count()
    if named:
        raise ValidationError(
            _("%(code)s is named by %(n)d tasks; remove it from them first.")
            % {"code": project.code, "n": named},
            code="project_in_use",
        )
    record_change("delete", project, before=_snapshot(project), after=None, actor=user)
    project.delete()


@transaction.atomic
def update_project(user, project: Project, data: ProjectInput) -> Project:
    _must(user, "change")
    project = Project.objects.select_for_update().get(pk=project.pk)
    fields, locations = _fields(data)
    if Project.objects.filter(code=fields["code"]).exclude(pk=project.pk).exists():
        raise ValidationError(
            _("Code: %(code)s belongs to another programme or project.") % fields,
            code="duplicate_code",
            params={"field": _("Code")},
        )
    before = _snapshot(project)
    for name, value in fields.items():
        setattr(project, name, value)
    project.save()
    project.locations.set(locations)
    after = _snapshot(project)
    if after != before:
        record_change("update", project, before=before, after=after, actor=user)
    return project


# --- plan targets ---------------------------------------------------------------------------
def plan_targets(user, action: str = "view"):
    """The plan targets as ``user`` may see them (``None``: the system, every row)."""
    queryset = (
        PlanTarget.objects.all() if user is None else PlanTarget.objects.restrict(user, action)
    )
    # Prefetched, not joined: a few indicators and units shared by hundreds of targets are
    # made once each, not once per target.
    return queryset.prefetch_related("indicator__unit", "orgunit", "owner")


def get_plan_target(user, pk) -> PlanTarget:
    found = plan_targets(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise PlanTarget.DoesNotExist(_("No plan target %(id)s.") % {"id": pk})
    return found


def target_for(user, indicator: Indicator, unit, year: int) -> PlanTarget | None:
    """The target of ``year`` for ``indicator`` and ``unit``, if the plan sets one."""
    if unit is None:
        return None
    return plan_targets(user).filter(year=year, indicator=indicator, orgunit=unit).first()


def units_with_targets(queryset) -> list[tuple[str, str]]:
    """(uid, how a reader says it) of the units ``queryset``'s targets are for, by name."""
    found = queryset.values_list("orgunit__uid", "orgunit__name", "orgunit__kind").distinct()
    return sorted(
        ((uid, place_name(kind, name)) for uid, name, kind in found),
        key=lambda unit: unit[1],
    )  # fmt: skip


def target_years(user) -> list[int]:
    """The years that have targets, the latest first."""
    return sorted(set(plan_targets(user).values_list("year", flat=True)), reverse=True)


@dataclass
class PlanTargetInput:
    year: int | str
    indicator: object  # an indicator or its code
    orgunit: object  # a unit, its uid or the code of a current unit
    comparison: str
    value: Decimal | str | float
    upper: Decimal | str | float | None = None
    wording: str = ""
    legal_basis: str = ""
    owner: object = None
    note: str = ""


def _number(value, name: str, *, required: bool = True) -> Decimal | None:
    number = parse_number(value, name, required=required)
    return None if number is None else number.quantize(Decimal("0.0001"))


def _indicator(user, value) -> Indicator:
    name = _("Indicator")
    if isinstance(value, Indicator):
        value = value.code
    code = clean_text(value, name, limit=50)
    readable = Indicator.objects.all() if user is None else Indicator.objects.restrict(user)
    found = readable.filter(code=code).first()
    if found is None:
        raise ValidationError(
            _("Indicator: no %(code)s in the catalog.") % {"code": code},
            code="unknown_indicator",
            params={"field": name},
        )
    return found


def _target_fields(user, data: PlanTargetInput) -> dict:
    comparison = clean_choice(data.comparison, Comparison, _("Comparison"))
    value = _number(data.value, _("Target"))
    upper = None
    if comparison == Comparison.BETWEEN:
        upper = _number(data.upper, _("Up to"))
        if upper < value:
            raise ValidationError(
                _("Up to: not below the target."),
                code="invalid_range",
                params={"field": _("Up to")},
            )
    unit = find_unit(data.orgunit, _("For"))
    owner = find_unit(data.owner, _("Agency that follows it"), required=False)
    if owner is not None and owner.kind not in AGENCY_KINDS:
        raise ValidationError(
            _("Agency that follows it: %(unit)s is not a ministry, agency, province or group.")
            % {"unit": owner.name},
            code="not_an_agency",
            params={"field": _("Agency that follows it")},
        )
    return {
        "year": _year(data.year, _("Year"), required=True),
        "indicator": _indicator(user, data.indicator),
        "orgunit": unit,
        "comparison": comparison,
        "value": value,
        "upper": upper,
        "wording": clean_text(data.wording, _("Wording"), required=False, limit=300),
        "legal_basis": clean_text(data.legal_basis, _("Set by"), required=False, limit=300),
        "owner": owner,
        "note": clean_text(data.note, _("Note"), required=False),
    }


def _must_target(user, action: str, unit=None) -> None:
    """The permission, and for a unit, the writer's scope."""
    if user is None:
        return
    if not permits(user, PlanTarget, action):
        raise denied(PlanTarget, action)
    allowed = scope_unit_ids(user, action)
    if unit is not None and allowed is not None and unit.pk not in allowed:
        raise PermissionDenied(
            _("%(unit)s is outside the units you may keep targets for.") % {"unit": unit.name}
        )


@transaction.atomic
def create_plan_target(user, data: PlanTargetInput) -> tuple[PlanTarget, bool]:
    """A target, or the one the plan holds for that year, indicator and unit already:
    ``(target, created)``. Sending it twice records it once."""
    _must_target(user, "add")
    fields = _target_fields(user, data)
    _must_target(user, "add", fields["orgunit"])
    key = {name: fields[name] for name in ("year", "indicator", "orgunit")}
    existing = PlanTarget.objects.filter(**key).first()
    if existing is not None:
        return existing, False
    actor = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():  # two requests at once: the second finds the first's
            target = PlanTarget.objects.create(**fields, created_by=actor)
    except IntegrityError:
        return PlanTarget.objects.get(**key), False
    record_change("create", target, before=None, after=snapshot(target), actor=user)
    return target, True


@transaction.atomic
def update_plan_target(user, target: PlanTarget, data: PlanTargetInput) -> PlanTarget:
    _must_target(user, "change", target.orgunit)
    target = PlanTarget.objects.select_for_update().get(pk=target.pk)
    fields = _target_fields(user, data)
    _must_target(user, "change", fields["orgunit"])
    key = {name: fields[name] for name in ("year", "indicator", "orgunit")}
    if PlanTarget.objects.filter(**key).exclude(pk=target.pk).exists():
        raise ValidationError(
            _("The plan has a target of %(year)s for this indicator and unit already.")
            % {"year": fields["year"]},
            code="duplicate_target",
            params={"field": _("Indicator")},
        )
    before = snapshot(target)
    for name, value in fields.items():
        setattr(target, name, value)
    target.save()
    after = snapshot(target)
    if after != before:
        record_change("update", target, before=before, after=after, actor=user)
    return target


@transaction.atomic
def delete_plan_target(user, target: PlanTarget) -> None:
    _must_target(user, "delete", target.orgunit)
    target = PlanTarget.objects.select_for_update().get(pk=target.pk)
    record_change("delete", target, before=snapshot(target), after=None, actor=user)
    target.delete()


def search_targets(queryset, words: str):
    """Targets whose indicator, wording or resolution hold every word."""
    return with_every_word(
        queryset, words, ("indicator__code", "indicator__name", "wording", "legal_basis")
    )


def indicators_for_targets(user):
    """The indicators a target may be set on, as ``user`` reads the catalog: the annual
    plan's group (Annex II of the 2024 action plan) first, then the others, by code."""
    readable = Indicator.objects.restrict(user) if user is not None else Indicator.objects.all()
    in_plan = Exists(
        Indicator.groups.through.objects.filter(
            indicator=OuterRef("pk"), indicatorgroup__code=PLAN_GROUP
        )
    )
    return readable.active().annotate(in_plan=in_plan).order_by("-in_plan", "code")
