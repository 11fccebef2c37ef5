"""The one door every figure in a document or feed goes through.

Anything that leaves the building applies the DfE's primary and secondary suppression whoever asks for it
(an LA officer's PDF too): a group of fewer than the threshold (6) is never printed, and a figure from
which a hidden one could be worked out is hidden as well. Pages decide per role (``selectors.for_user``);
documents and the feed do not.
"""
from __future__ import annotations

from schools import selectors
from schools.gaps import suppress


def disclosed(figures: dict, groups: dict) -> dict:
    """``figures`` (keys ending with the group code) as they may leave the system."""
    return suppress(figures, partitions=selectors.group_partitions(groups))
