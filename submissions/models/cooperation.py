"""What an entry's organisations look for in partners, and whether they want to hear
from other organisations at all."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .campaign import Theme
from .entries import Entry
from .organisations import OrganisationType
from .regions import Region


class PartnerSearch(models.Model):
    """Partners wanted, in structured form, for both kinds of entry. Plain choices and
    no typed text (the words are the entry's moderated `partners_sought`), so a change
    is public at once: the submitter switches the search off when partners are found.

    `open_to_cooperation`: the entry welcomes requests to join even when it does not
    look for anyone in particular. `suggestions_by_email`: the contact asked for the
    monthly e-mail of organisations they could work with."""

    entry = models.OneToOneField(
        Entry,
        primary_key=True,
        verbose_name=_("entry"),
        on_delete=models.CASCADE,
        related_name="partner_search",
    )
    looking = models.BooleanField(_("looking for partners"), default=False)
    organisation_types = ArrayField(
        models.CharField(max_length=20, choices=OrganisationType.choices),
        verbose_name=_("kinds of organisation sought"),
        blank=True,
        default=list,
    )
    whole_country = models.BooleanField(_("partners anywhere in Finland"), default=False)
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions of the partners sought"), blank=True, related_name="+"
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes of the partners sought"), blank=True, related_name="+"
    )
    open_to_cooperation = models.BooleanField(_("open to cooperation"), default=False)
    found_at = models.DateTimeField(_("partners found at"), null=True, blank=True)
    suggestions_by_email = models.BooleanField(
        _("suggestions of partners by e-mail once a month"), default=False
    )
    suggestions_mailed_at = models.DateTimeField(
        _("suggestions last e-mailed at"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("partners wanted")
        verbose_name_plural = _("partners wanted")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation_types__contained_by=list(OrganisationType.values)),
                name="partner_search_types_valid",
            ),
        ]

    def __str__(self):
        return str(self.entry)
