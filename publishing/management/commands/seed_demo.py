"""Demo data for local development: `manage.py seed_demo` (safe to run again)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from kotolupaus.models import Message, MessageStatus
from publishing import public_files
from publishing.demo import moderate_review_and_decide, seed_entries, seed_progress_reports
from submissions.models import Campaign, SubmitterNews

HELSINKI = ZoneInfo("Europe/Helsinki")

CONTACT = {
    "fi": "Työ- ja elinkeinoministeriö\nkirjaamo.tem@gov.fi\nVaihde 0295 16001",
    "sv": "Arbets- och näringsministeriet\nkirjaamo.tem@gov.fi\nVäxel 0295 16001",
    "en": (
        "Ministry of Economic Affairs and Employment\nkirjaamo.tem@gov.fi\n"
        "Switchboard +358 295 16001"
    ),
}

CAMPAIGNS = [
    {
        "slug": "kotolupaus-2015",
        # Press release 6.10.2015 10.00; submissions "by 16 November 2015".
        "opens_at": datetime(2015, 10, 6, 10, 0, tzinfo=HELSINKI),
        "closes_at": datetime(2015, 11, 17, 0, 0, tzinfo=HELSINKI),
        "texts": {
            "fi": (
                "Kotolupaus 2015 – yhteistyökampanja maahanmuuttajien kotoutumisen edistämiseksi",
                "Miten organisaatiosi voi tukea maahanmuuttajien kotoutumista? Voiko se "
                "esimerkiksi työllistää maahanmuuttajia tai tarjota koulutusta tai "
                "harrastustoimintaa? Jätä lupaus tai uusi konkreettinen aloite.",
            ),
            "sv": (
                "Kotolupaus 2015 – samarbetskampanj för att främja integrationen av invandrare",
                "Hur kan din organisation stödja integrationen av invandrare? Kan den t.ex. "
                "anställa invandrare eller erbjuda utbildning eller hobbyverksamhet? Lämna "
                "ett löfte eller ett konkret nytt initiativ.",
            ),
            "en": (
                "Kotolupaus 2015 – a cooperation campaign for the integration of immigrants",
                "How can your organisation support the integration of immigrants? Could it, "
                "for example, employ immigrants or offer training or leisure activities? "
                "Make a pledge or propose a concrete new initiative.",
            ),
        },
    },
    {
        "slug": "kotolupaus-demo",
        "opens_at": None,  # set relative to today: open now
        "closes_at": None,
        "texts": {
            "fi": (
                "Kotolupaus – yhteistyökampanja kotoutumisen edistämiseksi",
                "Kutsumme yrityksiä, kuntia, viranomaisia, järjestöjä, uskonnollisia "
                "yhteisöjä ja oppilaitoksia jättämään lupauksen tai aloitteen, joka auttaa "
                "maahanmuuttajia kotoutumaan Suomeen.",
            ),
            "sv": (
                "Kotolupaus – samarbetskampanj för att främja integration",
                "Vi bjuder in företag, kommuner, myndigheter, organisationer, religiösa "
                "samfund och läroanstalter att lämna ett löfte eller ett initiativ som "
                "hjälper invandrare att integreras i Finland.",
            ),
            "en": (
                "Kotolupaus – a cooperation campaign for integration",
                "We invite companies, municipalities, authorities, organisations, religious "
                "communities and educational institutions to make a pledge or propose an "
                "initiative that helps immigrants settle in Finland.",
            ),
        },
    },
]

DEMO_PASSWORD = "kotolupaus-demo"  # noqa: S105 - local demo only, refused when DEBUG is off


class Command(BaseCommand):
    help = "Create demo campaigns and local staff users. Idempotent; refused when DEBUG is off."

    def add_arguments(self, parser):
        parser.add_argument(
            "--entries",
            type=int,
            default=200,
            help="How many demo entries the open campaign gets (default 200).",
        )

    def handle(self, *args, entries, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates users with known passwords and runs only with DEBUG on."
            )
        with transaction.atomic():
            campaigns = [self.seed_campaign(spec) for spec in CAMPAIGNS]
            self.seed_staff()
            first_new_message = Message.objects.order_by("-pk").values_list("pk", flat=True).first()
            created = seed_entries(campaigns[-1], entries)
            staff = {
                u.username: u
                for u in get_user_model().objects.filter(
                    username__in=["coordinator", "reviewer1", "reviewer2"]
                )
            }
            moderate_review_and_decide(
                campaigns[-1], staff["coordinator"], [staff["reviewer1"], staff["reviewer2"]]
            )
            seed_progress_reports(campaigns[-1], staff["coordinator"])
            # Demo contacts are fictional: their e-mails are recorded but never sent.
            Message.objects.filter(
                pk__gt=first_new_message or 0, status=MessageStatus.QUEUED
            ).update(status=MessageStatus.CANCELLED, body="", last_error="demo data")
            # Nor do they get news (partners' answers, publication) later: the jobs that
            # would send them find nothing to tell.
            SubmitterNews.objects.filter(
                entry__campaign=campaigns[-1], told_at__isnull=True
            ).delete()
        self.stdout.write(f"{created} demo entries created.")
        # The files the site serves as they are now; the jobs keep them up to date.
        if public_files.build_open_data() is not None:
            self.stdout.write("Open-data files built.")
        if built := public_files.build_programme_pdfs():
            self.stdout.write(f"{built} programme PDFs built.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Admin: /fi/{settings.ADMIN_PATH} "
                f"users admin, coordinator, reviewer1, reviewer2; password '{DEMO_PASSWORD}'."
            )
        )

    def seed_campaign(self, spec):
        opens_at, closes_at = spec["opens_at"], spec["closes_at"]
        if opens_at is None:
            today = timezone.localdate()
            opens_at = datetime.combine(today - timedelta(days=14), datetime.min.time(), HELSINKI)
            closes_at = datetime.combine(today + timedelta(days=45), datetime.min.time(), HELSINKI)
        campaign, _created = Campaign.objects.update_or_create(
            slug=spec["slug"], defaults={"opens_at": opens_at, "closes_at": closes_at}
        )
        for language, (name, intro) in spec["texts"].items():
            campaign.set_current_language(language)
            campaign.name = name
            # "Kotolupaus 2015" for the subjects and signatures of its e-mails.
            campaign.short_name = f"Kotolupaus {opens_at.year}"
            campaign.intro = intro
            campaign.contact = CONTACT[language]
        campaign.save()
        return campaign

    def seed_staff(self):
        """A superuser, a coordinator and two reviewers (roles are groups)."""
        users = [
            ("admin", True, []),
            ("coordinator", False, ["coordinator", "reviewer"]),
            ("reviewer1", False, ["reviewer"]),
            ("reviewer2", False, ["reviewer"]),
        ]
        for username, superuser, groups in users:
            user, created = get_user_model().objects.get_or_create(
                username=username,
                defaults={
                    "is_staff": True,
                    "is_superuser": superuser,
                    "email": f"{username}@example.org",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.add(*Group.objects.filter(name__in=groups))
