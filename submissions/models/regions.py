"""Finland's 19 regions (maakunnat / landskap), Åland among them, with their official codes
and names; every municipality belongs to one (Municipality.region). The rows come from a
data migration (0016_regions) that names its source; nobody edits them in the admin."""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Statistics Finland's region codes, in their order: 03 and 20 are not in use (20 was
# Itä-Uusimaa, part of Uusimaa since 2011).
REGION_CODES = (
    "01", "02", "04", "05", "06", "07", "08", "09", "10",
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
)  # fmt: skip


class Region(models.Model):
    """A region of Finland (maakunta / landskap), named in Finnish, Swedish and English.

    The code is the primary key, so that a municipality's `region_id` is its region's
    official code, which the public read model and the open data carry as it is."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=40)
    name_sv = models.CharField(_("name in Swedish"), max_length=40)
    name_en = models.CharField(_("name in English"), max_length=40)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__in=REGION_CODES), name="region_code_in_classification"
            ),
        ]

    def __str__(self):
        return self.name_in(get_language())

    def name_in(self, language):
        """The region's official name in `language` (Finnish for any other)."""
        return {"sv": self.name_sv, "en": self.name_en}.get(language, self.name_fi)
