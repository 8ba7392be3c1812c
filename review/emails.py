"""E-mails from the review to submitters, in the submitter's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.translation import override


def send_decision(decision):
    entry = decision.entry
    context = {"entry": entry, "decision": decision, "SITE_URL": settings.SITE_URL}
    with override(entry.contact_language):
        subject = render_to_string("review/email/decision_subject.txt", context)
        body = render_to_string("review/email/decision_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [entry.contact_email])
