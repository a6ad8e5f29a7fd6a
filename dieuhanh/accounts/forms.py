from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from dieuhanh.orgunits.forms import UnitPicker


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "The username or password is incorrect. Both are case-sensitive; check Caps Lock."
        ),
        "inactive": _("This account has been disabled. Contact your administrator."),
    }


class UserForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    orgunit = UnitPicker(label=_("Organisation unit (uid)"), max_length=11)
    roles = forms.ModelMultipleChoiceField(
        label=_("Roles"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        from dieuhanh.accounts.models import Role

        super().__init__(*args, **kwargs)
        self.fields["roles"].queryset = Role.objects.order_by("name")


class NewUserForm(UserForm):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Letters, digits and . @ + - _ only.")},
    )
    field_order = ["username", "full_name", "job_title", "email", "orgunit", "roles"]


class EditUserForm(UserForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)
