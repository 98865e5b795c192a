"""The loopback fixture web lives in the package (the demo uses it); tests import it here."""

from factcheck.fixtureweb import (
    PAGES,
    FixtureHost,
    Route,
    gzip_bomb,
    huge,
    make_pdf,
    page,
    redirect,
    trickle,
)

__all__ = ["PAGES", "FixtureHost", "Route", "gzip_bomb", "huge", "make_pdf", "page",
           "redirect", "trickle"]
