"""The e-mail record of the shared layer (kotolupaus.models.Message) names the entry it
is about. The foreign key is added here, where entries are known, so that the shared
layer imports no app; the database and the migrations' state are as before."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kotolupaus.models import Message

from .entries import Entry

models.ForeignKey(
    Entry,
    verbose_name=_("entry"),
    on_delete=models.SET_NULL,
    null=True,
    blank=True,
    related_name="messages",
).contribute_to_class(Message, "entry")
