"""E-mails to submitters and partners, each in the language of its reader."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override


def absolute(url_name, *args):
    return settings.SITE_URL + reverse(url_name, args=args)


def _send(template, language, recipient, context):
    with override(language):
        subject = render_to_string(f"submissions/email/{template}_subject.txt", context)
        body = render_to_string(f"submissions/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [recipient])


def send_confirmation(entry, token):
    with override(entry.contact_language):
        link = absolute("submissions:manage", token)
    _send(
        "confirmation",
        entry.contact_language,
        entry.contact_email,
        {"entry": entry, "link": link, "partners": entry.partnerships.all()},
    )


def send_partner_invitation(partnership, token):
    entry = partnership.entry
    with override(entry.contact_language):
        link = absolute("submissions:partner_confirm", token)
    _send(
        "partner_invitation",
        entry.contact_language,
        partnership.invited_email,
        {"entry": entry, "partnership": partnership, "link": link},
    )


def send_management_links(links):
    entry = links[0][0]
    with override(entry.contact_language):
        rows = [(e, absolute("submissions:manage", token)) for e, token in links]
    _send("management_links", entry.contact_language, entry.contact_email, {"rows": rows})


def send_draft_link(draft, token, recipient):
    with override(draft.language):
        link = absolute("submissions:draft", token)
    _send("draft_link", draft.language, recipient, {"draft": draft, "link": link})
