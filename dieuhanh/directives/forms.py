"""Forms of the task pages; they only collect input: the rules are in ``services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dieuhanh.core.filters import DATE_INPUT
from dieuhanh.core.models import Sensitivity
from dieuhanh.directives.filters import ORDERINGS
from dieuhanh.directives.models import DocumentType, Recurrence, TaskKind, Withdrawal
from dieuhanh.directives.status import Bucket, TaskStatus

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _date_field(label, required=False, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_INPUT,
        input_formats=DATE_FORMATS,
        help_text=help_text,
    )


def _select(attrs=None):
    return forms.Select(attrs={"class": "form-select", **(attrs or {})})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the services check each one's type and size)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return super().clean(data, initial)


class DocumentForm(forms.Form):
    number = forms.CharField(label=_("Number and symbol"), max_length=100)
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    issued_on = _date_field(_("Date issued"), required=True)
    signer = forms.CharField(label=_("Signer"), max_length=200, required=False)
    issuer = forms.ChoiceField(label=_("Issuing body"), required=False)
    issuer_name = forms.CharField(
        label=_("Issuing body (as written)"), max_length=255, required=False
    )
    sensitivity = forms.ChoiceField(
        label=_("Classification"), choices=Sensitivity.choices, initial=Sensitivity.INTERNAL
    )
    excerpt = forms.CharField(label=_("Excerpt"), widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].choices = [("", "—"), *agencies]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class TaskForm(forms.Form):
    clause = forms.CharField(label=_("Clause"), max_length=50, required=False)
    content = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 4}))
    kind = forms.ChoiceField(label=_("Kind of task"), choices=TaskKind.choices)
    lead = forms.ChoiceField(label=_("Lead agency"))
    coordinators = forms.MultipleChoiceField(
        label=_("Co-ordinating agencies"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    deadline = _date_field(pgettext_lazy("task", "Deadline"), help_text=_("Empty: no deadline."))
    recurrence = forms.ChoiceField(
        label=_("Recurrence"), choices=Recurrence.choices, required=False
    )
    recurrence_until = _date_field(_("Recurring until"))
    monitor = forms.ChoiceField(label=_("Monitoring officer"), required=False)
    supervisor = forms.ChoiceField(label=_("Supervising leader"), required=False)
    expected_product = forms.CharField(label=_("Expected product"), max_length=500, required=False)
    indicators = forms.CharField(
        label=_("Indicators concerned"),
        required=False,
        help_text=_("Indicator codes, separated by commas."),
    )
    projects = forms.MultipleChoiceField(
        label=_("Programmes and projects concerned"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    sensitivity = forms.ChoiceField(
        label=_("Classification"),
        choices=[("", _("As the document")), *Sensitivity.choices],
        required=False,
    )
    is_key = forms.BooleanField(label=_("Key task"), required=False)
    open_to_agencies = forms.BooleanField(label=_("Open to every agency"), required=False)
    note = forms.CharField(
        label=_("Reason for a new deadline"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args, agencies=(), monitors=(), leaders=(), projects=(), editing=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [("", "—"), *agencies]
        self.fields["projects"].choices = list(projects)
        self.fields["coordinators"].choices = list(agencies)
        self.fields["monitor"].choices = [("", "—"), *monitors]
        self.fields["supervisor"].choices = [("", "—"), *leaders]
        if not editing:
            del self.fields["note"]
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select | forms.SelectMultiple):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")


class TaskFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    lead = forms.ChoiceField(label=_("Lead agency"), required=False)
    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=TaskStatus.choices,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    bucket = forms.ChoiceField(
        label=_("Count"), required=False, choices=[("", _("All")), *Bucket.choices]
    )
    key = forms.NullBooleanField(
        label=_("Key tasks"),
        required=False,
        widget=forms.Select(
            choices=[("", _("All")), ("1", _("Key tasks only")), ("0", _("Other tasks"))]
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind of task"), required=False, choices=[("", _("All")), *TaskKind.choices]
    )
    document = forms.IntegerField(required=False, widget=forms.HiddenInput)
    project = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    supervisor = forms.IntegerField(required=False, widget=forms.HiddenInput)
    assigned_from = _date_field(_("Assigned from"))
    assigned_to = _date_field(_("Assigned until"))
    deadline_from = _date_field(_("Deadline from"))
    deadline_to = _date_field(_("Deadline until"))
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("deadline", _("Deadline, earliest first")),
            ("-deadline", _("Deadline, latest first")),
            ("-assigned", _("Newest first")),
            ("assigned", _("Oldest first")),
        ],
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [("", _("All")), *agencies]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select | forms.SelectMultiple):
                field.widget.attrs.setdefault("class", "form-select form-select-sm")
            elif not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def filter_values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        values = {name: data.get(name) for name in self.fields}
        values["status"] = list(values.get("status") or [])
        values["order"] = values.get("order") if values.get("order") in ORDERINGS else "deadline"
        return {
            name: value
            for name, value in values.items()
            if value not in (None, "", []) or name == "status"
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls"}),
    )
    commit = forms.BooleanField(
        label=_("Record the tasks (otherwise only check the file)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


WITHDRAWAL_CHOICES = Withdrawal.choices
