"""factcheck: keep fact-checks true over time.

Claims from an article, the public sources they rest on, and verdicts, in one
database::

    import factcheck

    with factcheck.open_store("sqlite:///factcheck.db", migrate=True) as store:
        store.load_seeds("seeds/")
        for claim in store.claims():
            print(claim.key, claim.verdict.rating if claim.verdict else "-")
"""

from factcheck._version import __version__
from factcheck.errors import (
    AmbiguousClaim,
    AppendOnlyError,
    ConfigError,
    FactCheckError,
    InvalidURL,
    NotFound,
    SeedError,
    UnknownRating,
)
from factcheck.records import (
    NOT_CHECKABLE_KINDS,
    Claim,
    ClaimKind,
    Document,
    Evidence,
    Source,
    Stance,
    Verdict,
)
from factcheck.scale import DEFAULT_SCALE, Rating, RatingScale, load_scale
from factcheck.seeds import Seed, read_seed, read_seeds
from factcheck.store import SeedReport, Store, Summary, open_store
from factcheck.urls import normalize_url

__all__ = [
    "DEFAULT_SCALE",
    "NOT_CHECKABLE_KINDS",
    "AmbiguousClaim",
    "AppendOnlyError",
    "Claim",
    "ClaimKind",
    "ConfigError",
    "Document",
    "Evidence",
    "FactCheckError",
    "InvalidURL",
    "NotFound",
    "Rating",
    "RatingScale",
    "Seed",
    "SeedError",
    "SeedReport",
    "Source",
    "Stance",
    "Store",
    "Summary",
    "UnknownRating",
    "Verdict",
    "__version__",
    "load_scale",
    "normalize_url",
    "open_store",
    "read_seed",
    "read_seeds",
]
