from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from dieuhanh.catalog.models import Indicator, Status
from dieuhanh.dashboards.models import ChartType, Dashboard, DashboardItem, Height, ItemKind


class DashboardForm(forms.ModelForm):
    class Meta:
        model = Dashboard
        fields = (
            "title",
            "description",
            "refresh_seconds",
            "shared_with_all",
            "shared_roles",
            "shared_users",
        )
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "shared_roles": forms.CheckboxSelectMultiple,
            "shared_users": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, roles=None, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_roles"].queryset = roles
        self.fields["shared_users"].queryset = users
        self.fields["shared_users"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )


class ItemForm(forms.ModelForm):
    indicators = forms.MultipleChoiceField(
        label=_("Indicators"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    # Written the Vietnamese way (42.000,5 or 42000,5): the service reads it.
    target = forms.CharField(label=_("Target"), required=False, max_length=40)

    class Meta:
        model = DashboardItem
        fields = (
            "kind",
            "title",
            "indicators",
            "orgunits",
            "periods",
            "period_type",
            "chart_type",
            "width",
            "height",
            "target_label",
            "text",
        )
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Indicator.objects.restrict(user, "view").filter(status=Status.ACTIVE)
        self.fields["indicators"].choices = [
            (code, f"{code} · {name}") for code, name in visible.values_list("code", "name")
        ]
        self.fields["kind"].choices = ItemKind.choices
        self.fields["chart_type"].choices = ChartType.choices
        self.fields["chart_type"].required = False
        if self.instance.pk and self.instance.target is not None:
            self.initial["target"] = f"{self.instance.target.normalize():f}".replace(".", ",")
        self.order_fields(
            [
                "kind",
                "title",
                "indicators",
                "orgunits",
                "periods",
                "period_type",
                "chart_type",
                "width",
                "height",
                "target",
                "target_label",
                "text",
            ]
        )
        self.fields["height"].choices = Height.choices
        self.fields["period_type"] = forms.ChoiceField(
            label=capfirst(_("shown as")),
            required=False,
            choices=[
                ("", _("As chosen")),
                ("monthly", _("Months")),
                ("quarterly", _("Quarters")),
                ("yearly", _("Years")),
            ],
        )
        self.fields["width"].widget = forms.NumberInput(attrs={"min": 1, "max": 12})


class BoundaryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_("The issuing body and the document that publishes the boundaries."),
    )
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_(
            "A FeatureCollection with one polygon per province; each feature's property "
            "“code” is the province code (01 Hà Nội, 79 Hồ Chí Minh...)."
        ),
    )
