"""Text made inert inside Markdown: pure, for every Markdown we write (reports, digests,
notifications).

What a source or a seed wrote never becomes markup: raw HTML is escaped, and so is
every character that would open a link, an image, emphasis, code, a heading or a
table cell (``[budget](https://...)`` stays those characters).
"""

from __future__ import annotations

import re

__all__ = ["escape_markdown"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def escape_markdown(value: object) -> str:
    """``value`` on one line, safe inside Markdown: no raw HTML, links or emphasis."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)
