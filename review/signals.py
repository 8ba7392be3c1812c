from django.db.models.signals import post_save
from django.dispatch import receiver

from submissions.models import Campaign

from .defaults import create_default_criteria
from .models import Criterion


@receiver(post_save, sender=Campaign, dispatch_uid="review.default_criteria")
def give_new_campaign_default_criteria(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        create_default_criteria(instance, Criterion, Criterion._parler_meta.root_model)
