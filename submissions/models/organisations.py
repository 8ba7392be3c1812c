"""The organisations behind entries."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..validators import validate_business_id
from .campaign import Municipality


class OrganisationType(models.TextChoices):
    COMPANY = "company", _("Company")
    MUNICIPALITY = "municipality", _("Municipality or joint municipal authority")
    STATE_AUTHORITY = "state_authority", _("State authority")
    NGO = "ngo", _("Association, foundation or other NGO")
    RELIGIOUS = "religious", _("Religious community")
    EDUCATION = "education", _("Educational institution")
    OTHER = "other", _("Other organisation or informal group")


class Organisation(models.Model):  # type: ignore[django-manager-missing]
    """A lead or partner organisation, as the submitter described it."""

    name = models.CharField(_("name"), max_length=200)
    business_id = models.CharField(
        _("business ID"),
        max_length=9,
        blank=True,
        validators=[validate_business_id],
        help_text=_(
            "Finnish business ID (Y-tunnus), e.g. 1234567-1. Optional for informal groups."
        ),
    )
    type = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationType.choices, blank=True
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(business_id="") | Q(business_id__regex=r"^[0-9]{7}-[0-9]$"),
                name="organisation_business_id_format",
            ),
            models.CheckConstraint(
                condition=Q(type="") | Q(type__in=OrganisationType.values),
                name="organisation_type_valid",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="organisation_has_name"),
        ]

    def __str__(self):
        return self.name
