"""One filter for the audit page, its export and the API."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.models import AuditAction

DATE_INPUT = forms.DateInput(
    format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}
)


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    unit = forms.CharField(
        label=_("Organisation unit (uid)"),
        required=False,
        max_length=11,
        help_text=_("Actions of the users of this unit and of the units under it."),
    )
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *AuditAction.choices]
    )
    object = forms.CharField(label=_("Object"), required=False, max_length=255)
    since = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    until = forms.DateField(label=_("Until"), required=False, widget=DATE_INPUT)


@dataclass
class AuditFilter:
    user: str = ""
    unit: str = ""
    action: str = ""
    object: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None

    def apply(self, queryset):
        if self.user:
            queryset = queryset.filter(user_name__icontains=self.user)
        if self.unit:
            from dieuhanh.orgunits.models import OrgUnitClosure

            below = OrgUnitClosure.objects.filter(ancestor__uid=self.unit).values("descendant_id")
            queryset = queryset.filter(user__orgunit__in=below)
        if self.action:
            queryset = queryset.filter(action=self.action)
        if self.object:
            queryset = queryset.filter(
                Q(object_repr__icontains=self.object) | Q(object_id=self.object)
            )
        if self.since:
            queryset = queryset.filter(time__date__gte=self.since)
        if self.until:
            queryset = queryset.filter(time__date__lte=self.until)
        return queryset.select_related("content_type").order_by("-time", "-id")
