"""A new campaign's defaults (what follows a change in the later apps is listed in
submissions/extensions.py, not left to signals)."""


def give_new_campaign_default_indicators(sender, instance, created, raw=False, **kwargs):
    """A new campaign asks progress reports for the default indicators."""
    if created and not raw:
        from .defaults import create_default_indicators
        from .models import Indicator

        create_default_indicators(instance, Indicator)
