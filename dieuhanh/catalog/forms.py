from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dieuhanh.catalog.models import (
    LEVEL_UNIT_KINDS,
    Indicator,
    IndicatorGroup,
    ReportingLevel,
    ReportingRegime,
    Status,
)
from dieuhanh.catalog.services import INDICATOR_FIELDS, REGIME_FIELDS
from dieuhanh.core.periods import PeriodType
from dieuhanh.orgunits.forms import DATE_WIDGET
from dieuhanh.orgunits.models import OrgUnit, OrgUnitKind, valid_on_q

AGENCY_KINDS = (
    OrgUnitKind.GOVERNMENT,
    OrgUnitKind.MINISTRY,
    OrgUnitKind.MINISTRY_LEVEL,
    OrgUnitKind.GOVERNMENT_AGENCY,
)


def agencies(user, current=None):
    """The Government and the ministry-level bodies that exist today (and the current
    choice, even if it has since been merged away)."""
    units = OrgUnit.objects.restrict(user, "view")
    today = units.filter(kind__in=AGENCY_KINDS).filter(valid_on_q(timezone.localdate()))
    if current is not None:
        return units.filter(Q(pk__in=today.values("pk")) | Q(pk=current.pk)).order_by(
            "kind", "name"
        )
    return today.order_by("kind", "name")


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class CatalogFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    group = forms.ChoiceField(label=_("Group"), required=False)
    owner = forms.ChoiceField(label=_("Responsible agency"), required=False)
    period_type = forms.ChoiceField(
        label=_("Period type"), required=False, choices=[("", _("All")), *PeriodType.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        groups = IndicatorGroup.objects.restrict(user, "view").select_related("group_set")
        self.fields["group"].choices = [("", _("All groups"))] + [(g.code, g.name) for g in groups]
        indicators = Indicator.objects.restrict(user, "view")
        owners = OrgUnit.objects.filter(pk__in=indicators.values("owner")).order_by("name")
        self.fields["owner"].choices = [("", _("All agencies"))] + [
            (o.code, o.short_name or o.name) for o in owners
        ]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class IndicatorForm(forms.ModelForm):
    levels = forms.MultipleChoiceField(
        label=_("Reporting levels"),
        choices=ReportingLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups"),
        queryset=IndicatorGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    reason = forms.CharField(
        label=_("Reason for a change of definition"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the new version when the method, unit, formula or rules change."),
    )
    effective_from = forms.DateField(
        label=_("New definition valid from"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Today if empty."),
    )

    class Meta:
        model = Indicator
        fields = [f for f in INDICATOR_FIELDS if f not in ("levels", "tags")]
        widgets = {
            "valid_from": DATE_WIDGET,
            "valid_to": DATE_WIDGET,
            "definition": forms.Textarea(attrs={"rows": 3}),
            "method": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "formula": forms.Textarea(
                attrs={"rows": 2, "class": "font-monospace", "spellcheck": "false"}
            ),
        }
        field_classes = {"owner": AgencyChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance if self.instance.pk else None
        self.fields["owner"].queryset = agencies(user, instance.owner if instance else None)
        self.fields["groups"].queryset = IndicatorGroup.objects.restrict(
            user, "view"
        ).select_related("group_set")
        self.fields["weight"].queryset = (
            Indicator.objects.restrict(user, "view")
            .filter(value_type__in=("number", "integer"))
            .exclude(pk=getattr(instance, "pk", None))
        )
        if instance is not None:
            self.fields["code"].disabled = True
            self.initial["levels"] = instance.levels
            self.initial["tags"] = ", ".join(instance.tags)
            self.initial["groups"] = list(instance.groups.all())
        else:
            del self.fields["reason"], self.fields["effective_from"]
            self.fields["status"].initial = Status.DRAFT
        self.order_fields(["code", "name", "name_en", "short_name", "groups"])

    def clean_tags(self):
        return _split(self.cleaned_data.get("tags", ""))

    def service_arguments(self) -> dict:
        """The cleaned data as the service takes it: fields, ``groups`` and, on a change,
        ``reason`` and ``effective_from``."""
        data = dict(self.cleaned_data)
        data["levels"] = [level for level in data.get("levels", []) if level in LEVEL_UNIT_KINDS]
        if self.instance.pk:
            data.pop("code", None)
        return data


class RegimeForm(forms.ModelForm):
    reporter_kinds = forms.MultipleChoiceField(
        label=_("Every unit of these kinds reports"),
        choices=OrgUnitKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ReportingRegime
        fields = [f for f in REGIME_FIELDS if f != "reporter_kinds"]
        widgets = {
            "legal_basis_date": DATE_WIDGET,
            "valid_from": DATE_WIDGET,
            "valid_to": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"issuer": AgencyChoiceField, "receiver": AgencyChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance if self.instance.pk else None
        for name in ("issuer", "receiver"):
            self.fields[name].queryset = agencies(user, getattr(instance, name, None))
        self.fields["period_type"].choices = [
            c for c in self.fields["period_type"].choices if c[0] != PeriodType.HOURLY
        ]
        if instance is not None:
            self.fields["code"].disabled = True
            self.initial["reporter_kinds"] = instance.reporter_kinds

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("code", None)
        return data


class RegimeContentForm(forms.Form):
    """The data form and the narrative outline of a regime as plain text, one line each:
    ``[A] A. Kinh tế`` opens a section, the lines under it are indicator codes (``CODE?``
    for an optional one); the outline is ``number | title | guidance``."""

    sections = forms.CharField(
        label=_("Sections and indicators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace", "spellcheck": "false"}),
        help_text=_(
            "[A] A. Economy opens section A; each line under it is an indicator code, "
            "followed by ? when it is optional."
        ),
    )
    narrative = forms.CharField(
        label=_("Outline of the report's text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One heading per line: number | title | guidance (optional)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    @staticmethod
    def initial_for(regime) -> dict:
        lines = []
        for section in regime.sections.prefetch_related("items__indicator"):
            lines.append(f"[{section.code}] {section.name}")
            lines += [
                f"{item.indicator.code}{'' if item.required else '?'}"
                for item in section.items.all()
            ]
        narrative = [
            " | ".join(part for part in (n.number, n.title, n.guidance) if part)
            for n in regime.narrative_sections.all()
        ]
        return {"sections": "\n".join(lines), "narrative": "\n".join(narrative)}

    def clean_sections(self):
        from dieuhanh.catalog.services import SectionSpec

        specs = []
        known = {i.code: i for i in Indicator.objects.restrict(self.user, "view")}
        for number, raw in enumerate(self.cleaned_data["sections"].splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("["):
                code, _sep, name = line[1:].partition("]")
                if not code.strip() or not name.strip():
                    raise forms.ValidationError(
                        _("Line %(line)s: a section is written [CODE] Name."),
                        params={"line": number},
                    )
                specs.append(SectionSpec(code.strip(), name.strip(), []))
                continue
            code = line.rstrip("?").strip().upper()
            if not specs:
                raise forms.ValidationError(
                    _("Line %(line)s: open a section with [CODE] Name first."),
                    params={"line": number},
                )
            if code not in known:
                raise forms.ValidationError(
                    _("Line %(line)s: there is no indicator %(code)s."),
                    params={"line": number, "code": code},
                )
            specs[-1].items.append((known[code], None, not line.endswith("?")))
        return specs

    def clean_narrative(self):
        from dieuhanh.catalog.services import NarrativeSpec

        specs = []
        for number, raw in enumerate(self.cleaned_data["narrative"].splitlines(), start=1):
            if not raw.strip():
                continue
            parts = [part.strip() for part in raw.split("|")]
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise forms.ValidationError(
                    _("Line %(line)s: write number | title | guidance."), params={"line": number}
                )
            specs.append(NarrativeSpec(parts[0], parts[1], " | ".join(parts[2:])))
        return specs

    def service_arguments(self) -> dict:
        return dict(self.cleaned_data)
