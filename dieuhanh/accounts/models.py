from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person or an integration system that signs in.

    Vietnamese names are written family name first and are not split reliably into
    first and last names, so the full name is one field. The organisation unit, roles and
    scopes arrive with the organisation-unit and accounts issues.
    """

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    organisation_name = models.CharField(
        _("organisation"),
        max_length=255,
        blank=True,
        help_text=_("Shown in the header until the user is attached to an organisation unit."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.get_username()

    def get_short_name(self) -> str:
        return self.get_full_name()
