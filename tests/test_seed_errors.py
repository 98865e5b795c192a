"""Bad seed files: a clear error naming file, claim and field, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from factcheck import SeedError, Store

Data = dict[str, Any]


def _claim(data: Data, key: str) -> Data:
    return next(c for c in data["claims"] if c["key"] == key)


def _set(key: str, field: str, value: Any) -> Callable[[Data], None]:
    def edit(data: Data) -> None:
        _claim(data, key)[field] = value
    return edit


def _set_evidence(key: str, field: str, value: Any) -> Callable[[Data], None]:
    def edit(data: Data) -> None:
        _claim(data, key)["evidence"][0][field] = value
    return edit


def _set_verdict(key: str, field: str, value: Any) -> Callable[[Data], None]:
    def edit(data: Data) -> None:
        verdict = _claim(data, key)["verdict"]
        if value is None:
            del verdict[field]
        else:
            verdict[field] = value
    return edit


def _duplicate_key(data: Data) -> None:
    _claim(data, "paul-smith-new-stage")["key"] = "fy2023-defense-budget"


def _duplicate_passage(data: Data) -> None:
    evidence = _claim(data, "fy2023-defense-budget")["evidence"]
    evidence.append(dict(evidence[0]))


def _document(field: str, value: Any) -> Callable[[Data], None]:
    def edit(data: Data) -> None:
        data["document"][field] = value
    return edit


CASES: list[tuple[str, Callable[[Data], None], str | None, str | None, str]] = [
    ("quote not in the article", _set("fy2023-defense-budget", "quote", "JPY 7 trillion"),
     "fy2023-defense-budget", "quote", "does not occur verbatim"),
    ("quote with straight quotes", _set("taiwan-strait-statements", "quote",
                                        'mentioned"the importance'),
     "taiwan-strait-statements", "quote", "does not occur verbatim"),
    ("quote found twice", _set("reality-exactly-opposite", "quote", "the alliance"),
     "reality-exactly-opposite", "quote", "more than once"),
    ("start off the quote", _set("reality-exactly-opposite", "start", 3),
     "reality-exactly-opposite", "start", "does not stand at offset 3"),
    ("relative URL", _set_evidence("fy2023-defense-budget", "url", "www.sauress.com/en/spaen"),
     "fy2023-defense-budget", "evidence[0].url", "absolute"),
    ("ftp URL", _set_evidence("fy2023-defense-budget", "url", "ftp://example.org/x"),
     "fy2023-defense-budget", "evidence[0].url", "http"),
    ("stance", _set_evidence("fy2023-defense-budget", "stance", "agrees"),
     "fy2023-defense-budget", "evidence[0].stance", "not a stance"),
    ("rating off the scale", _set_verdict("fy2023-defense-budget", "rating", "pants-on-fire"),
     "fy2023-defense-budget", "verdict.rating", "not on the"),
    ("not-checkable on a checkable claim",
     _set_verdict("fy2023-defense-budget", "rating", "not-checkable"),
     "fy2023-defense-budget", "verdict.rating", "not checkable|uncheckable"),
    ("no rationale", _set_verdict("fy2023-defense-budget", "rationale", None),
     "fy2023-defense-budget", "verdict.rationale", "required"),
    ("bad date", _set_verdict("fy2023-defense-budget", "date", "last week"),
     "fy2023-defense-budget", "verdict.date", "YYYY-MM-DD"),
    ("kind", _set("fy2023-defense-budget", "kind", "rumour"),
     "fy2023-defense-budget", "kind", "not a kind"),
    ("checkable not a bool", _set("fy2023-defense-budget", "checkable", "yes"),
     "fy2023-defense-budget", "checkable", "true or false"),
    ("typo in a field", _set("fy2023-defense-budget", "evidense", []),
     "fy2023-defense-budget", "evidense", "unknown field"),
    ("duplicate key", _duplicate_key, "fy2023-defense-budget", "key", "another claim"),
    ("same passage twice", _duplicate_passage,
     "fy2023-defense-budget", "evidence[4]", "cited twice"),
    ("bad claim key", _set("fy2023-defense-budget", "key", "FY 2023"),
     "FY 2023", "key", "not a key"),
    ("missing text file", _document("text_file", "missing.txt"),
     None, "document.text_file", "cannot read"),
    ("bad published date", _document("published", "spring 2023"),
     None, "document.published", "not a date"),
    ("byline not in text", _document("byline", "By Someone Else"),
     None, "document.byline", "does not occur"),
    ("bad document key", _document("key", "US Japan"), None, "document.key", "not a key"),
]


def _write(seed_dir: Path, edit: Callable[[Data], None]) -> Path:
    path = seed_dir / "claims.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _snapshot(store: Store) -> list[Any]:
    return [c.to_dict() for c in store.claims()] + [s.to_dict() for s in store.sources()]


@pytest.mark.parametrize(("edit", "claim", "field", "message"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_seed_is_named_and_writes_nothing(
        store: Store, seed_dir: Path, edit: Callable[[Data], None], claim: str | None,
        field: str | None, message: str) -> None:
    store.load_seeds(seed_dir)
    before = _snapshot(store)
    path = _write(seed_dir, edit)
    with pytest.raises(SeedError, match=message) as info:
        store.load_seeds(seed_dir)
    error = info.value
    assert (error.path, error.claim, error.field) == (str(path), claim, field)
    assert str(path) in str(error)
    assert _snapshot(store) == before


@pytest.mark.parametrize(("content", "message"), [
    ("document: [unclosed", "not valid YAML"),
    ("- just\n- a list\n", "must be a mapping"),
    (b"\xff\xfe broken", "not UTF-8"),
])
def test_unreadable_files_are_named(tmp_path: Path, content: str | bytes, message: str) -> None:
    from factcheck import read_seed

    path = tmp_path / "bad.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(SeedError, match=message) as info:
        read_seed(path)
    assert info.value.path == str(path)


def test_one_bad_file_in_a_folder_stops_them_all(store: Store, seed_dir: Path) -> None:
    second = yaml.safe_load((seed_dir / "claims.yaml").read_text(encoding="utf-8"))
    second["document"]["key"] = "another-document"
    second["claims"][1]["evidence"][0]["url"] = "not a url"
    (seed_dir / "zz-second.yaml").write_text(yaml.safe_dump(second, allow_unicode=True))
    with pytest.raises(SeedError, match=r"zz-second\.yaml"):
        store.load_seeds(seed_dir)
    assert store.claims() == []
    assert store.documents() == []


def test_two_files_may_not_share_a_document_key(store: Store, seed_dir: Path) -> None:
    (seed_dir / "copy.yml").write_text((seed_dir / "claims.yaml").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    with pytest.raises(SeedError, match="also used by") as info:
        store.load_seeds(seed_dir)
    assert info.value.field == "document.key"
    assert store.documents() == []


def test_every_faulty_claim_is_reported_at_once(store: Store, seed_dir: Path) -> None:
    from factcheck import SeedErrors

    def three_faults(data: Data) -> None:
        _claim(data, "fy2023-defense-budget")["quote"] = "JPY 7 trillion"
        _claim(data, "nato-top-meetings")["evidence"][0]["stance"] = "agrees"
        _claim(data, "paul-smith-new-stage")["kind"] = "rumour"

    store.load_seeds(seed_dir)
    before = _snapshot(store)
    path = _write(seed_dir, three_faults)
    with pytest.raises(SeedErrors) as info:
        store.load_seeds(seed_dir)
    problems = info.value.problems
    assert [(p.claim, p.field) for p in problems] == [  # in the file's order
        ("paul-smith-new-stage", "kind"), ("fy2023-defense-budget", "quote"),
        ("nato-top-meetings", "evidence[0].stance")]
    assert str(info.value).startswith("3 problems:")
    assert all(str(path) in line for line in str(info.value).splitlines()[1:])
    assert _snapshot(store) == before  # nothing written
