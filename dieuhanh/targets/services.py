"""Every write on the register of programmes and projects, with its checks; every read a
user makes goes through ``restrict()``. Views, the API and the demo loader call these.

The center (``targets.add_project`` / ``change_project``) keeps the register; everybody
signed in reads it (it is reference data, like the indicator catalog).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from dieuhanh.core.audit import record_change, snapshot
from dieuhanh.core.inputs import clean_choice, clean_text
from dieuhanh.core.querysets import denied, permits
from dieuhanh.orgunits.services import AGENCY_KINDS, AREA_KINDS, find_unit
from dieuhanh.targets.models import Project, ProjectKind

FIRST_YEAR, LAST_YEAR = 1945, 2100


def projects(user, action: str = "view"):
    """The register as ``user`` may see it (``None``: the system, every row)."""
    queryset = Project.objects.all() if user is None else Project.objects.restrict(user, action)
    return queryset.select_related("owner")


def search(queryset, words: str):
    """Programmes and projects whose code, name or legal basis hold every word."""
    for word in words.split()[:8]:
        queryset = queryset.filter(
            Q(code__icontains=word)
            | Q(name__icontains=word)
            | Q(short_name__icontains=word)
            | Q(legal_basis__icontains=word)
        )
    return queryset


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
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(" ", "").replace(",", "."))
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e13"):
        raise ValidationError(
            _("%(field)s: a positive number of billion dong.") % {"field": name},
            code="invalid_amount",
            params={"field": name},
        )
    return amount.quantize(Decimal("0.1"))


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
