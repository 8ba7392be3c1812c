"""Default review criteria, drawn from the 2015 press release, as msgids.

The English text is the msgid, so the names and the guidance are in the .po files and
reviewed with every other string (locale/TERMS.md). A new campaign gets the criteria
translated into each language at that moment. Migrations never import this module:
they carry frozen copies of the texts of their day.
"""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext, gettext_noop, override

# (position, weight, name, guidance for reviewers)
DEFAULT_CRITERIA = [
    (
        1,
        Decimal("1.00"),
        gettext_noop("Concreteness"),
        gettext_noop(
            "Does the pledge or initiative name clear actions, responsibilities and a measurable target?"
        ),
    ),
    (
        2,
        Decimal("1.00"),
        gettext_noop("Cooperation between actors"),
        gettext_noop(
            "Do different actors (companies, municipalities, NGOs, schools) work on it together?"
        ),
    ),
    (
        3,
        Decimal("1.50"),
        gettext_noop("Effect on integration and employment"),
        gettext_noop(
            "Does this help immigrants integrate quickly, get into working life or build a positive atmosphere?"
        ),
    ),
    (
        4,
        Decimal("1.00"),
        gettext_noop("Novelty"),
        gettext_noop("Is it a new kind of integration work that others can learn from?"),
    ),
    (
        5,
        Decimal("1.00"),
        gettext_noop("Feasibility and continuity"),
        gettext_noop(
            "Are there resources to carry it out, and will it continue after the campaign?"
        ),
    ),
]


def create_default_criteria(campaign, criterion_model, translation_model):
    """Give a campaign that has no criteria yet the defaults, in every language."""
    if criterion_model.objects.filter(campaign=campaign).exists():
        return
    for position, weight, name, guidance in DEFAULT_CRITERIA:
        criterion = criterion_model.objects.create(
            campaign=campaign, position=position, weight=weight
        )
        for language, _label in settings.LANGUAGES:
            with override(language):
                translation_model.objects.create(
                    master=criterion,
                    language_code=language,
                    name=gettext(name),
                    guidance=gettext(guidance),
                )
