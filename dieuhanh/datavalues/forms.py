"""Forms of the data pages: the upload of a file to import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.datavalues.ingest import ImportOptions, Scheme, Strategy
from dieuhanh.datavalues.models import ImportFormat, JobStatus
from dieuhanh.datavalues.sources import MAX_UPLOAD_BYTES

FORMAT_CHOICES = [
    ("", _("Recognise from the file")),
    (ImportFormat.CSV, ImportFormat.CSV.label),
    (ImportFormat.XLSX, _("Excel: long format or the report's form")),
    (ImportFormat.JSON, ImportFormat.JSON.label),
    (ImportFormat.DHIS2_JSON, ImportFormat.DHIS2_JSON.label),
    (ImportFormat.DHIS2_CSV, ImportFormat.DHIS2_CSV.label),
]
STRATEGY_CHOICES = [
    (Strategy.CREATE_AND_UPDATE, _("Add new values and update existing ones")),
    (Strategy.CREATE, _("Add new values only")),
    (Strategy.UPDATE, _("Update existing values only")),
    (Strategy.DELETE, _("Delete the values listed")),
]
ENCODING_CHOICES = [
    ("", _("Detect")),
    ("utf-8", "UTF-8"),
    ("cp1258", "Windows-1258"),
    ("tcvn3", "TCVN3 (ABC)"),
    ("vni", "VNI"),
    ("utf-16", "UTF-16"),
]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or Excel in long format (indicator, unit, period, disaggregation, value, "
            "comment; Vietnamese headers are recognised), a report's Excel form filled in, "
            "JSON, or DHIS2 JSON/CSV. At most %(size)d MB."
        )
        % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, required=False)
    strategy = forms.ChoiceField(
        label=_("What to do"), choices=STRATEGY_CHOICES, initial=Strategy.CREATE_AND_UPDATE
    )
    encoding = forms.ChoiceField(
        label=_("Encoding of a CSV file"),
        choices=ENCODING_CHOICES,
        required=False,
        help_text=_("Legacy TCVN3 and VNI files are recognised and converted to Unicode."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run first: show what would change, write nothing"),
        required=False,
        initial=True,
    )
    atomic = forms.BooleanField(
        label=_("All or nothing: import nothing if any row is refused"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."), code="file_too_large")
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        return upload

    def options(self) -> ImportOptions:
        data = self.cleaned_data
        return ImportOptions(
            strategy=data["strategy"],
            dry_run=data["dry_run"],
            atomic=data["atomic"],
            indicator_scheme=Scheme.AUTO,
            orgunit_scheme=Scheme.AUTO,
            combination_scheme=Scheme.AUTO,
        )


class JobFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *JobStatus.choices]
    )
    mine = forms.BooleanField(label=_("Mine only"), required=False)
