"""Parts of the coordinator's dashboard that an app after review adds (publishing's
cooperation in figures): registered at start-up (publishing/apps.py), each a
submissions.extensions.Section whose template gets its context as `data`. Review never
imports them (data flows one way)."""

from collections.abc import Callable

from submissions.extensions import Section

_parts: list[Callable] = []


def register(function: Callable) -> None:
    """`function(campaign)` returns the Sections to show; registering twice changes nothing."""
    if function not in _parts:
        _parts.append(function)


def parts_for(campaign) -> list[Section]:
    return [section for function in _parts for section in function(campaign) or ()]
