"""The one door every figure in a document or feed goes through.

Anything that leaves the building applies the DfE's primary and secondary suppression whoever asks for it
(an LA officer's PDF too): a group of fewer than the threshold (6) is never printed, and a figure from
which a hidden one could be worked out is hidden as well. It is ``schools.disclosure.disclose`` with the
small-cohort choice fixed to "no": pages decide per role (``for_user``); documents and the feed do not.
"""

from __future__ import annotations

from schools.disclosure import disclose, needed_groups, partitions_of


def groups_to_fetch(codes, groups: dict) -> list[str]:
    """The group codes to read so that :func:`disclosed` can judge ``codes`` (every linked partition)."""
    return sorted(needed_groups(set(codes), partitions_of(groups)) & set(groups))


def disclosed(figures: dict, groups: dict) -> dict:
    """``figures`` (keys ending with the group code) as they may leave the system."""
    return disclose(figures, viewer_sees_small_cohorts=False, partitions=partitions_of(groups))
