"""The public API is what ``factcheck.__all__`` says, and it changes only on purpose."""

import factcheck

EXPECTED = {
    "DEFAULT_SCALE", "NOT_CHECKABLE_KINDS", "AmbiguousClaim", "AppendOnlyError", "Claim",
    "ClaimKind", "ConfigError", "Document", "Evidence", "FactCheckError", "InvalidURL",
    "NotFound", "Rating", "RatingScale", "Seed", "SeedError", "SeedReport", "Source",
    "Stance", "Store", "Summary", "UnknownRating", "Verdict", "__version__", "load_scale",
    "normalize_url", "open_store", "read_seed", "read_seeds",
    # fetching
    "AddressPolicy", "FetchReport", "FetchSettings", "Snapshot", "FetchError",
    "AddressRefused", "BlockedByRobots", "TooLarge", "TooManyRedirects", "BadContent",
    "Withheld", "VerdictConflict", "DamagedRecord", "EditConflict",
    "NetworkError", "FetchTimeout", "TLSFailure", "ConnectionFailed", "NameResolutionFailed",
    "BadRedirect", "NameNotFound", "SeedErrors",
    # rechecking and finding claims
    "RecheckOptions", "RunSummary", "Sentence", "extract_claims", "draft_seed",
    # have we checked this before?
    "Match", "SentenceMatches",
    # the error tree made whole (third round): raised by Store.recheck and the reports
    "JobRunning", "NoPublisher",
}


def test_all_is_pinned() -> None:
    assert set(factcheck.__all__) == EXPECTED
    assert len(factcheck.__all__) == len(EXPECTED)


def test_every_exported_name_exists_and_public_classes_say_where_they_live() -> None:
    for name in factcheck.__all__:
        member = getattr(factcheck, name)
        if isinstance(member, type):
            assert member.__module__.startswith("factcheck."), name
            assert member.__doc__, f"{name} has no docstring"
