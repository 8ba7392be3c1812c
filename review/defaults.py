"""Default review criteria, drawn from the 2015 press release (fi, sv, en)."""

from decimal import Decimal

# (position, weight, name fi/sv/en, guidance fi/sv/en)
DEFAULT_CRITERIA = [
    (
        1,
        Decimal("1.00"),
        ("Konkreettisuus", "Konkretion", "Concreteness"),
        (
            "Onko lupauksessa tai aloitteessa selkeät teot, vastuut ja mitattava tavoite?",
            "Har löftet eller initiativet tydliga åtgärder, ansvar och ett mätbart mål?",
            "Does the pledge or initiative name clear actions, responsibilities and a measurable target?",
        ),
    ),
    (
        2,
        Decimal("1.00"),
        ("Toimijoiden välinen yhteistyö", "Samarbete mellan aktörer", "Cooperation between actors"),
        (
            "Tekevätkö eri toimijat (yritykset, kunnat, järjestöt, oppilaitokset) työtä yhdessä?",
            "Arbetar olika aktörer (företag, kommuner, organisationer, läroanstalter) tillsammans?",
            "Do different actors (companies, municipalities, NGOs, schools) work on it together?",
        ),
    ),
    (
        3,
        Decimal("1.50"),
        (
            "Vaikutus kotoutumiseen ja työllistymiseen",
            "Effekt på integration och sysselsättning",
            "Effect on integration and employment",
        ),
        (
            "Auttaako tämä maahanmuuttajia kotoutumaan nopeasti, pääsemään työelämään tai "
            "luomaan myönteistä ilmapiiriä?",
            "Hjälper detta invandrare att snabbt integreras, komma in i arbetslivet eller skapa "
            "en positiv atmosfär?",
            "Does this help immigrants integrate quickly, get into working life or build a positive "
            "atmosphere?",
        ),
    ),
    (
        4,
        Decimal("1.00"),
        ("Uutuus", "Nyhet", "Novelty"),
        (
            "Onko kyseessä uudenlainen tapa edistää kotoutumista, josta muut voivat ottaa mallia?",
            "Är det ett nytt sätt att främja integration som andra kan ta efter?",
            "Is it a new kind of integration work that others can learn from?",
        ),
    ),
    (
        5,
        Decimal("1.00"),
        (
            "Toteutettavuus ja jatkuvuus",
            "Genomförbarhet och kontinuitet",
            "Feasibility and continuity",
        ),
        (
            "Onko toteutukseen resurssit, ja jatkuuko toiminta kampanjan jälkeen?",
            "Finns det resurser för genomförandet, och fortsätter verksamheten efter kampanjen?",
            "Are there resources to carry it out, and will it continue after the campaign?",
        ),
    ),
]


def create_default_criteria(campaign, criterion_model, translation_model):
    """Create the defaults for a campaign that has no criteria yet (works in migrations)."""
    if criterion_model.objects.filter(campaign=campaign).exists():
        return
    for position, weight, names, guidance in DEFAULT_CRITERIA:
        criterion = criterion_model.objects.create(
            campaign=campaign, position=position, weight=weight
        )
        for index, language in enumerate(("fi", "sv", "en")):
            translation_model.objects.create(
                master=criterion,
                language_code=language,
                name=names[index],
                guidance=guidance[index],
            )
