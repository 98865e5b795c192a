"""The review desk: a small server-rendered web app where the morning's stale verdicts
get fixed, on the same library API as everything else.

    factcheck user add NAME            # a reviewer (asks for the password)
    factcheck serve [--host 127.0.0.1] [--port 8080]

Starlette (a small, well-kept ASGI toolkit) served by uvicorn; Jinja2 templates; no
JavaScript at all. Reviewers sign in with passwords kept as argon2 hashes (checked off
the event loop); sessions are rows in the database named by a random token in a signed,
HttpOnly, SameSite=Strict cookie, revoked at sign-out and by a new password; forwarded
headers are believed only from proxies named with --forwarded-allow-ips; bodies, forms
and NUL characters are refused past their limits; every form carries a CSRF token; the
Content-Security-Policy allows nothing but our own stylesheet and forms to ourselves;
everything a source or a seed wrote is escaped. Verdicts are appended as everywhere: a
form carries the verdict it was based on, and one recorded meanwhile (decided in the
database) gives a conflict page, never a silent overwrite.
"""

from factcheck.desk.app import create_app
from factcheck.desk.web import DeskSettings

__all__ = ["DeskSettings", "create_app"]
