"""E-mails from publishing: entries returned for fixes, and requests to join."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override


def _render(template, language, context):
    with override(language):
        subject = render_to_string(f"publishing/email/{template}_subject.txt", context)
        body = render_to_string(f"publishing/email/{template}_body.txt", context)
    return " ".join(subject.split()), body


def send_returned(entry, comment, token):
    with override(entry.contact_language):
        link = settings.SITE_URL + reverse("submissions:manage", args=[token])
    subject, body = _render(
        "returned", entry.contact_language, {"entry": entry, "comment": comment, "link": link}
    )
    EmailMessage(subject, body, to=[entry.contact_email]).send()


def send_join_request(join):
    entry = join.entry
    subject, body = _render("join_request", entry.contact_language, {"entry": entry, "join": join})
    # The contact person answers the sender directly; the sender never sees this address.
    EmailMessage(subject, body, to=[entry.contact_email], reply_to=[join.email]).send()
