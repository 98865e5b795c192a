"""factcheck: keep fact-checks true over time.

Claims from an article, the public sources they rest on, and verdicts, in one
database; sources fetched politely and kept as snapshots::

    import factcheck

    with factcheck.open_store("sqlite:///factcheck.db", migrate=True) as store:
        store.load_seeds("seeds/")
        for claim in store.claims():
            print(claim.key, claim.verdict.rating if claim.verdict else "-")
        report = store.fetch()           # every source, now
        print(report.outcomes)
"""

import importlib
from typing import TYPE_CHECKING, Any

from factcheck._version import __version__
from factcheck.api import Store, open_store
from factcheck.core import RunSummary
from factcheck.errors import (
    AddressRefused,
    AmbiguousClaim,
    AppendOnlyError,
    BadContent,
    BadRedirect,
    BlockedByRobots,
    ConfigError,
    ConnectionFailed,
    DamagedRecord,
    EditConflict,
    FactCheckError,
    FetchError,
    FetchTimeout,
    InvalidURL,
    JobRunning,
    NameNotFound,
    NameResolutionFailed,
    NetworkError,
    NoPublisher,
    NotFound,
    SeedError,
    SeedErrors,
    TLSFailure,
    TooLarge,
    TooManyRedirects,
    UnknownRating,
    VerdictConflict,
    Withheld,
)
from factcheck.records import (
    NOT_CHECKABLE_KINDS,
    Claim,
    ClaimKind,
    Document,
    Evidence,
    Snapshot,
    Source,
    Stance,
    Verdict,
)
from factcheck.scale import DEFAULT_SCALE, Rating, RatingScale, load_scale
from factcheck.seeds import Seed, read_seed, read_seeds
from factcheck.store import SeedReport, Summary
from factcheck.tracking.recheck import RecheckOptions
from factcheck.urls import normalize_url
from factcheck.web.captures import FetchReport
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy

if TYPE_CHECKING:
    from factcheck.drafts import draft_seed
    from factcheck.store.matching import Match, SentenceMatches
    from factcheck.text.sentences import Sentence, extract_claims

#: Imported when first used, so that a nightly run that needs none of them does not
#: pay for them at start-up (numpy, the embedding, the drafting).
_LAZY = {"draft_seed": "factcheck.drafts", "Match": "factcheck.store.matching",
         "SentenceMatches": "factcheck.store.matching", "Sentence": "factcheck.text.sentences",
         "extract_claims": "factcheck.text.sentences"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'factcheck' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_SCALE",
    "NOT_CHECKABLE_KINDS",
    "AddressPolicy",
    "AddressRefused",
    "AmbiguousClaim",
    "AppendOnlyError",
    "BadContent",
    "BadRedirect",
    "BlockedByRobots",
    "Claim",
    "ClaimKind",
    "ConfigError",
    "ConnectionFailed",
    "DamagedRecord",
    "Document",
    "EditConflict",
    "Evidence",
    "FactCheckError",
    "FetchError",
    "FetchReport",
    "FetchSettings",
    "FetchTimeout",
    "InvalidURL",
    "JobRunning",
    "Match",
    "NameNotFound",
    "NameResolutionFailed",
    "NetworkError",
    "NoPublisher",
    "NotFound",
    "Rating",
    "RatingScale",
    "RecheckOptions",
    "RunSummary",
    "Seed",
    "SeedError",
    "SeedErrors",
    "SeedReport",
    "Sentence",
    "SentenceMatches",
    "Snapshot",
    "Source",
    "Stance",
    "Store",
    "Summary",
    "TLSFailure",
    "TooLarge",
    "TooManyRedirects",
    "UnknownRating",
    "Verdict",
    "VerdictConflict",
    "Withheld",
    "__version__",
    "draft_seed",
    "extract_claims",
    "load_scale",
    "normalize_url",
    "open_store",
    "read_seed",
    "read_seeds",
]
