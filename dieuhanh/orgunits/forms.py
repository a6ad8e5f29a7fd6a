from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.orgunits.models import UNIT_EDITABLE_FIELDS, OrgUnit, OrgUnitKind, SuccessionKind

# dd/mm/yyyy whatever the browser's locale (a native date input follows the OS instead).
DATE_WIDGET = forms.DateInput(
    format="%d/%m/%Y",
    attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
)


class BrowseForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE_WIDGET)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrgUnitKind.choices]
    )


class UnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = list(UNIT_EDITABLE_FIELDS)
        widgets = {
            "valid_from": DATE_WIDGET,
            "valid_to": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class ChildUnitForm(UnitForm):
    pass


class UnitPicker(forms.CharField):
    """A unit by uid. Org units are public reference data (``public_read``), so any unit
    may be named; the view checks the right to change the unit being edited."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        unit = OrgUnit.objects.filter(uid=value.strip()).first()
        if unit is None:
            raise forms.ValidationError(
                _("No organisation unit has the uid %(uid)s."), params={"uid": value}
            )
        return unit


class EndForm(forms.Form):
    last_day = forms.DateField(label=_("Last valid day"), widget=DATE_WIDGET)


class MoveForm(forms.Form):
    parent = UnitPicker(label=_("New parent (uid)"))
    from_day = forms.DateField(label=_("From"), widget=DATE_WIDGET)


class SuccessionForm(forms.Form):
    successor = UnitPicker(label=_("Successor (uid)"))
    effective_date = forms.DateField(label=_("Effective date"), widget=DATE_WIDGET)
    kind = forms.ChoiceField(label=_("Kind"), choices=SuccessionKind.choices)
    share = forms.DecimalField(
        label=_("Share"),
        required=False,
        min_value=0,
        max_value=1,
        decimal_places=6,
        help_text=_("From 0 to 1; leave empty when unknown."),
    )
    approximate = forms.BooleanField(label=_("Share only approximately known"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
