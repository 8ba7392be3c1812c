"""What the review e-mails reviewers remember (review/notifications.py): a reviewer's
choice not to be e-mailed about their assignments, and which e-mails went, so that a
job run twice sends nothing twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from submissions.models import Campaign


class ReviewerPreference(models.Model):
    """A reviewer's choices about the e-mails of the review; without a row, every one
    goes, in the language of the page they last saved a review on (Finnish before)."""

    reviewer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.CASCADE,
        related_name="review_preference",
    )
    no_mail = models.BooleanField(
        _("no e-mails about assignments"),
        default=False,
        help_text=_(
            "No e-mail when entries are assigned, no reminder before the deadline and no "
            "e-mail when entries you scored change."
        ),
    )
    language = models.CharField(
        _("language of the e-mails"), max_length=2, choices=settings.LANGUAGES, blank=True
    )

    class Meta:
        verbose_name = _("reviewer's e-mail choice")
        verbose_name_plural = _("reviewers' e-mail choices")

    def __str__(self):
        return str(self.reviewer)


class NoticeKind(models.TextChoices):
    ASSIGNED = "assigned", _("entries assigned")
    REMINDER = "reminder", _("reminder before the review deadline")
    CHANGED = "changed", _("entries you scored changed")


class ReviewerNotice(models.Model):
    """An e-mail of the review told to a reviewer: for a reminder, `about` is the
    deadline reminded of; for changes, the day (one a day at most)."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices)
    about = models.CharField(_("about"), max_length=40)
    told_at = models.DateTimeField(_("told at"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail to a reviewer")
        verbose_name_plural = _("e-mails to reviewers")
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "campaign", "kind", "about"], name="reviewernotice_once"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=NoticeKind.values), name="reviewernotice_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} {self.kind} {self.about}"
