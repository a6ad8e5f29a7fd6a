from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.targets.models import Comparison, ProjectKind


class ProjectForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Short, without spaces: CTMTQG-NTM.")
    )
    name = forms.CharField(label=_("Name"), max_length=300)
    short_name = forms.CharField(label=_("Short name"), max_length=120, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectKind.choices)
    owner = forms.ChoiceField(label=_("Agency in charge"), required=False)
    start_year = forms.IntegerField(label=_("From year"), min_value=1945, max_value=2100)
    end_year = forms.IntegerField(
        label=_("To year"), min_value=1945, max_value=2100, required=False
    )
    legal_basis = forms.CharField(
        label=_("Approved by"),
        max_length=300,
        required=False,
        help_text=_("The resolution or decision that approved it (number and date)."),
    )
    investment = forms.DecimalField(
        label=_("Total investment (billion VND)"),
        max_digits=14,
        decimal_places=1,
        min_value=0,
        required=False,
        localize=True,
    )
    locations = forms.MultipleChoiceField(
        label=_("Provinces where it is"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, agencies=(), provinces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *agencies]
        self.fields["locations"].choices = list(provinces)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class PlanTargetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1945, max_value=2100)
    indicator = forms.ChoiceField(label=_("Indicator"))
    orgunit = forms.ChoiceField(label=_("For"), help_text=_("The country, or a province."))
    comparison = forms.ChoiceField(label=_("Comparison"), choices=Comparison.choices)
    value = forms.DecimalField(label=_("Target"), max_digits=20, decimal_places=4, localize=True)
    upper = forms.DecimalField(
        label=_("Up to"),
        max_digits=20,
        decimal_places=4,
        required=False,
        localize=True,
        help_text=_("Only for a range: from the target up to this."),
    )
    wording = forms.CharField(
        label=_("Wording"),
        max_length=300,
        required=False,
        help_text=_("The target as the resolution words it."),
    )
    legal_basis = forms.CharField(
        label=_("Set by"),
        max_length=300,
        required=False,
        help_text=_("The resolution or decision that set it (number and date)."),
    )
    owner = forms.ChoiceField(label=_("Agency that follows it"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, indicators=(), units=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "—"), *indicators]
        self.fields["orgunit"].choices = [("", "—"), *units]
        self.fields["owner"].choices = [("", "—"), *agencies]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
    )
    commit = forms.BooleanField(
        label=_("Record the targets (otherwise only check the file)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
