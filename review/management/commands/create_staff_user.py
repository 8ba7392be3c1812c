"""Create (or update) a staff member with the coordinator or reviewer role."""

import getpass
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from review.models import COORDINATOR_GROUP, REVIEWER_GROUP


class Command(BaseCommand):
    help = (
        "Create a staff user with a role: manage.py create_staff_user USERNAME "
        "--role coordinator|reviewer [--email E] [--no-input]. Without --no-input the "
        "password is asked; with it a random password is generated and printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=[COORDINATOR_GROUP, REVIEWER_GROUP], required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--no-input", action="store_true", dest="no_input")
        parser.add_argument(
            "--totp",
            action="store_true",
            help="Give the user an authenticator-app device (always done when STAFF_2FA is on) "
            "and print its setup address (otpauth://) once.",
        )

    def handle(self, *args, username, role, email, no_input, totp, **options):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": email}
        )
        user.is_staff = True
        if email:
            user.email = email
        if created or not no_input:
            password = secrets.token_urlsafe(18) if no_input else self.ask_password(user)
            user.set_password(password)
            if no_input:
                self.stdout.write(f"Password for {username}: {password}")
        user.save()
        # The role replaces whatever role the user had (a coordinator also reviews).
        wanted = {REVIEWER_GROUP} if role == REVIEWER_GROUP else {COORDINATOR_GROUP, REVIEWER_GROUP}
        roles = Group.objects.filter(name__in=[COORDINATOR_GROUP, REVIEWER_GROUP])
        held = set(user.groups.filter(pk__in=roles).values_list("name", flat=True))
        if drop := [group for group in roles if group.name in held - wanted]:
            user.groups.remove(*drop)
        if add := [group for group in roles if group.name in wanted - held]:
            user.groups.add(*add)
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {role} {username}."))
        if (totp or settings.STAFF_2FA) and not TOTPDevice.objects.filter(user=user).exists():
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
            self.stdout.write(
                "Add this to the user's authenticator app (shown once; the admin panel can "
                f"show it as a QR code):\n{device.config_url}"
            )

    def ask_password(self, user):
        for _attempt in range(3):
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords differ.")
                continue
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password
        raise CommandError("No password set.")
