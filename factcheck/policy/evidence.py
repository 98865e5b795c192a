"""Does the source still say what the verdict relies on? One evidence link, one text.

:func:`assess` anchors the cited passage in a snapshot's text and, where the words
moved, compares the figures, giving the evidence status a report shows:

- ``found``: the passage stands in the text (exactly, or but for quotes, dashes,
  spaces and case);
- ``drifted``: words around it were edited; the text found now and a word diff;
- ``figures-changed``: the passage is there but a figure in it is not the one cited,
  however small the edit;
- ``missing``: the passage cannot be placed.

A link with no passage (a source an imported fact-check cites) is ``linked`` while its
source answers. The fetch outcome gives the other two: ``source-unreachable`` when the
latest fetch failed, ``unchecked`` before the first. Pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from factcheck.text.anchor import Anchor, Selector, anchor
from factcheck.text.figures import figure_changes

__all__ = ["Assessment", "assess"]



@dataclass(frozen=True)
class Assessment:
    """An evidence status with its reason, and the anchor it came from."""

    status: str
    reason: str
    anchor: Anchor
    figure_changes: tuple[tuple[str | None, str | None], ...] = ()


def _describe_diff(found: Anchor) -> str:
    edits = [f"{'removed' if op == '-' else 'added'} “{words}”"
             for op, words in found.diff if op != "="]
    return "; ".join(edits[:4]) + ("; ..." if len(edits) > 4 else "")


def assess(quote: str, text: str, selector: Selector | None = None) -> Assessment:
    """Look for ``quote`` (last seen at ``selector``) in ``text``."""
    found = anchor(text, selector if selector is not None else Selector(exact=quote))
    if found.status == "missing":
        return Assessment("missing", "the cited passage is no longer in the source", found)
    if found.status == "found":
        how = "as cited" if found.method in ("position", "exact") else \
            "with only quotes, dashes, spacing or case differing"
        return Assessment("found", f"the passage stands in the source {how}", found)
    changes = tuple(figure_changes(quote, found.found or ""))
    if changes:
        described = "; ".join(
            f"{before} is now {after}" if before and after else
            f"{before} is gone" if before else f"{after} was added"
            for before, after in changes)
        return Assessment("figures-changed", f"a cited figure changed: {described}", found,
                          changes)
    return Assessment("drifted", f"the passage was edited (similarity {found.similarity:.2f}): "
                                 f"{_describe_diff(found)}", found)
