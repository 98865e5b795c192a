"""Seed files: a document and its claims, read and validated before anything is written.

A seed file is YAML (see the README, "Seed format")::

    document: {key, title, authors: [..], published, url, publisher, byline, text_file, note,
               summary, lang}
    reviewer: "default reviewer for the verdicts below"   # optional
    claims:
      - key: fy2023-defense-budget
        quote: "<verbatim span of the document>"
        kind: statistic
        claim: "<the assertion in our words>"              # optional
        verdict: {rating, rationale, reviewer, date}
        evidence:
          - {url: "https://...", quote: "<verbatim passage>", stance: supports,
             check_every: 7d}                              # optional; default daily

:func:`read_seed` turns one file into a :class:`Seed` or raises :class:`SeedError`
naming the file, the claim key and the field. Nothing here touches the database.
"""

from __future__ import annotations

import re
import stat
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from factcheck.core import sha256_text
from factcheck.errors import InvalidURL, SeedError, SeedErrors, UnknownRating
from factcheck.policy.schedule import parse_interval
from factcheck.records import NOT_CHECKABLE_KINDS, ClaimKind, Stance
from factcheck.scale import DEFAULT_SCALE, RatingScale
from factcheck.urls import normalize_url

__all__ = [
    "Seed",
    "SeedClaim",
    "SeedDocument",
    "SeedEvidence",
    "SeedVerdict",
    "find_seed_files",
    "read_seed",
    "read_seeds",
    "uncovered",
]

#: Problems reported at once from one seed file (each claim's first), at most.
MAX_PROBLEMS = 20
#: The largest document text a seed may name (a long-read is ~100 KB).
MAX_TEXT_BYTES = 10 * 1024 * 1024

_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,199}$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")

DOCUMENT_FIELDS = frozenset(
    {"key", "title", "authors", "publisher", "url", "published", "byline", "text_file", "note",
     "summary", "lang"})
#: ClaimReview's advice for ``claimReviewed``; a longer claim summary gets a warning.
CLAIM_SUMMARY_ADVICE = 75
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
TOP_FIELDS = frozenset({"document", "claims", "reviewer"})
CLAIM_FIELDS = frozenset(
    {"key", "quote", "start", "kind", "checkable", "claim", "note", "verdict", "evidence",
     "claimant"})
CLAIMANT_FIELDS = frozenset({"name", "url"})
VERDICT_FIELDS = frozenset({"rating", "rationale", "reviewer", "date"})
EVIDENCE_FIELDS = frozenset({"url", "quote", "stance", "note", "check_every"})


@dataclass(frozen=True)
class SeedDocument:
    key: str
    title: str | None
    authors: tuple[str, ...]
    publisher: str | None
    url: str | None
    published: str | None
    byline: str | None
    text: str
    text_sha256: str
    #: Anything a reader of the fact-check should know about the document itself, e.g.
    #: that its title is ours because the text we hold does not give one.
    note: str | None = None
    #: The desk's headline finding, shown at the top of the reader's page.
    summary: str | None = None
    #: The document's language, a BCP 47 tag ("en", "ja", "pt-BR").
    lang: str | None = None


@dataclass(frozen=True)
class SeedVerdict:
    rating: str
    rationale: str
    reviewer: str | None
    reviewed_on: date | None
    #: The publisher's own label, verbatim (imported fact-checks only).
    publisher_label: str | None = None


@dataclass(frozen=True)
class SeedEvidence:
    url: str
    quote: str
    stance: Stance
    note: str | None
    #: How often to recheck the source (``check_every: 7d``); None keeps its interval.
    check_every: timedelta | None = None


@dataclass(frozen=True)
class SeedClaim:
    key: str
    quote: str
    start: int
    end: int
    kind: ClaimKind
    checkable: bool
    claim: str | None
    note: str | None
    verdict: SeedVerdict | None
    evidence: tuple[SeedEvidence, ...]
    #: Who made the claim, and a page about them (``claimant: {name, url}``).
    claimant: str | None = None
    claimant_url: str | None = None


@dataclass(frozen=True)
class Seed:
    """One validated seed file."""

    path: Path
    document: SeedDocument
    claims: tuple[SeedClaim, ...]
    #: For a published fact-check brought in by ``import-claimreview``: its page or
    #: feed, which marks its verdicts instead of a file name.
    imported_from: str | None = None

    @property
    def origin(self) -> str:
        """How verdicts from this file are marked: ``seed:<file name>``, or
        ``claimreview:<page or feed>`` for an imported fact-check."""
        if self.imported_from is not None:
            return f"claimreview:{self.imported_from}"[:300]
        return f"seed:{self.path.name}"

    @property
    def warnings(self) -> list[str]:
        """What is valid but worth fixing: claim summaries longer than ClaimReview
        advises (they are published whole, never cut)."""
        return [f"{self.path}: claim {c.key}: field claim: {len(c.claim)} characters, over "
                f"the {CLAIM_SUMMARY_ADVICE} ClaimReview advises (it is published whole)"
                for c in self.claims
                if c.claim and c.checkable and len(c.claim) > CLAIM_SUMMARY_ADVICE]


def find_seed_files(path: str | Path) -> list[Path]:
    """The seed files at ``path``: the file itself, or a folder's ``*.yaml``/``*.yml``."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir()
                       if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise SeedError(str(path), "the folder holds no .yaml or .yml seed files")
        return files
    if not path.exists():
        raise SeedError(str(path), "no such file or folder")
    return [path]


def read_seeds(path: str | Path, scale: RatingScale = DEFAULT_SCALE) -> list[Seed]:
    """Read and validate every seed file at ``path``; all must be valid."""
    seeds = [read_seed(p, scale) for p in find_seed_files(path)]
    seen: dict[str, Path] = {}
    for seed in seeds:
        other = seen.setdefault(seed.document.key, seed.path)
        if other != seed.path:
            raise SeedError(str(seed.path),
                            f"document key {seed.document.key!r} is also used by {other}",
                            field="document.key")
    return seeds


#: The largest seed file read (the article's text lives in its own file).
MAX_SEED_BYTES = 8 * 2**20
#: The most YAML nodes a seed file may hold, each alias counted as the nodes it repeats
#: (a "billion laughs" file is a few lines that expand to billions).
MAX_YAML_NODES = 500_000


def _load_yaml(text: str, reader: _Reader) -> Any:
    """The YAML document in ``text``, composed first and its size counted with every
    alias expanded, so that a file of a few anchors cannot grow to gigabytes."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = _expanded(node, {}, set())
        if size > MAX_YAML_NODES:
            raise reader.fail(None, f"expands to more than {MAX_YAML_NODES:,} YAML nodes "
                                    "(aliases counted): not a seed file")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error on one line: what is wrong, and where."""
    if isinstance(exc, yaml.MarkedYAMLError):
        where = exc.problem_mark or exc.context_mark
        said = " ".join(str(exc.problem or exc.context or "malformed").split())
        if where is not None:
            return f"{said} (line {where.line + 1}, column {where.column + 1})"
        return said
    return " ".join(str(exc).split())


def _expanded(node: yaml.Node, sizes: dict[int, int], open_: set[int]) -> int:
    """How many nodes ``node`` stands for with aliases expanded (each node's size is
    worked out once, so the count is linear in the file, however large the result)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_:  # a node that contains itself: infinitely large
        return MAX_YAML_NODES + 1
    open_.add(key)
    size = 1
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _expanded(item, sizes, open_)
            if size > MAX_YAML_NODES:
                break
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            size += _expanded(key_node, sizes, open_) + _expanded(value_node, sizes, open_)
            if size > MAX_YAML_NODES:
                break
    open_.discard(key)
    sizes[key] = size
    return size


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (the second would
    silently win, and a claim would lose its evidence or its verdict)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool | date | None):
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"a {type(key).__name__} cannot be a key", key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"the key {key!r} is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _Reader:
    """Validation with the file, claim and field named in every error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.claim: str | None = None

    def fail(self, field: str | None, message: str) -> SeedError:
        return SeedError(str(self.path), message, claim=self.claim, field=field)

    def mapping(self, value: Any, field: str, allowed: frozenset[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(field, "must be a mapping")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(f"{field}.{unknown[0]}" if field else unknown[0],
                            f"unknown field; expected one of: {', '.join(sorted(allowed))}")
        return value

    def text(self, data: Mapping[str, Any], key: str, field: str, *,
             required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(field, "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, "must be a non-empty string")
        return value

    def key(self, data: Mapping[str, Any], field: str) -> str:
        value = self.text(data, "key", field)
        assert value is not None
        if not _KEY.match(value):
            raise self.fail(field, f"{value!r} is not a key: use lowercase letters, "
                                   "digits, '.', '_' and '-', starting with a letter or digit")
        return value

    def url(self, value: Any, field: str) -> str:
        if not isinstance(value, str):
            raise self.fail(field, "must be an absolute http(s) URL")
        try:
            return normalize_url(value)
        except InvalidURL as exc:
            raise self.fail(field, str(exc)) from exc


def _published(reader: _Reader, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if not _PARTIAL_DATE.match(text):
        raise reader.fail("document.published",
                          f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    return text


def _document(reader: _Reader, raw: Any) -> SeedDocument:
    data = reader.mapping(raw, "document", DOCUMENT_FIELDS)
    key = reader.key(data, "document.key")
    text_file = reader.text(data, "text_file", "document.text_file")
    assert text_file is not None
    text = _read_text_file(reader, text_file)
    authors = data.get("authors") or []
    if not isinstance(authors, list) or not all(isinstance(a, str) and a for a in authors):
        raise reader.fail("document.authors", "must be a list of names")
    url = data.get("url")
    byline = reader.text(data, "byline", "document.byline", required=False)
    if byline is not None and byline not in text:
        raise reader.fail("document.byline", "does not occur in the document text")
    return SeedDocument(
        key=key,
        title=reader.text(data, "title", "document.title", required=False),
        authors=tuple(authors),
        publisher=reader.text(data, "publisher", "document.publisher", required=False),
        url=None if url is None else reader.url(url, "document.url"),
        published=_published(reader, data.get("published")),
        byline=byline,
        text=text,
        text_sha256=sha256_text(text),
        note=reader.text(data, "note", "document.note", required=False),
        summary=reader.text(data, "summary", "document.summary", required=False),
        lang=_lang(reader, data.get("lang")),
    )


def _lang(reader: _Reader, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _LANG.match(value):
        raise reader.fail("document.lang", f"{value!r} is not a language tag: use e.g. en, ja, "
                          "pt-BR")
    return value


def _read_text_file(reader: _Reader, name: str) -> str:
    """The document text: a regular UTF-8 file inside the seed file's folder, at most
    ``MAX_TEXT_BYTES``. Anything else (a path out of the folder, a link out of it, a
    hard link, a device, a FIFO, a huge file) is refused with the path named, and never
    read."""
    field = "document.text_file"
    folder = reader.path.parent.resolve()
    try:
        path = (folder / name).resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise reader.fail(field, f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}"
                          ) from exc
    if not path.is_relative_to(folder):
        raise reader.fail(field, f"{name} is outside the seed file's folder {folder}; "
                                 "the text must sit beside the seed file or below it")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise reader.fail(field, f"{name} is not a regular file")
        if info.st_nlink > 1:  # a hard link may be any file of the same disk
            raise reader.fail(field, f"{name} is a hard link ({info.st_nlink} names): "
                                     "copy the text beside the seed file instead")
        if info.st_size > MAX_TEXT_BYTES:
            raise reader.fail(field, f"{name} is {info.st_size:,} bytes; at most "
                                     f"{MAX_TEXT_BYTES:,} are read")
        with path.open("rb") as handle:
            raw = handle.read(MAX_TEXT_BYTES + 1)
    except OSError as exc:
        raise reader.fail(field, f"cannot read {name}: {exc.strerror}") from exc
    if len(raw) > MAX_TEXT_BYTES:
        raise reader.fail(field, f"{name} is over {MAX_TEXT_BYTES:,} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise reader.fail(field, f"{name} is not UTF-8 text (byte {exc.start})") from exc


def _span(reader: _Reader, text: str, quote: str, start: Any) -> tuple[int, int]:
    if start is not None:
        if not isinstance(start, int) or isinstance(start, bool) or start < 0:
            raise reader.fail("start", "must be a character offset (an integer >= 0)")
        if text[start:start + len(quote)] != quote:
            raise reader.fail("start", f"the quote does not stand at offset {start}")
        return start, start + len(quote)
    first = text.find(quote)
    if first < 0:
        raise reader.fail("quote", "does not occur verbatim in the document text")
    second = text.find(quote, first + 1)
    if second >= 0:
        raise reader.fail("quote", f"occurs more than once (at {first} and {second}): "
                                   "give 'start' to say which")
    return first, first + len(quote)


def _verdict(reader: _Reader, raw: Any, scale: RatingScale, checkable: bool,
             default_reviewer: str | None) -> SeedVerdict | None:
    if raw is None:
        return None
    data = reader.mapping(raw, "verdict", VERDICT_FIELDS)
    slug = reader.text(data, "rating", "verdict.rating")
    assert slug is not None
    try:
        rating = scale.get(slug)
    except UnknownRating as exc:
        raise reader.fail("verdict.rating", str(exc)) from exc
    if rating.checkable != checkable:
        raise reader.fail("verdict.rating",
                          f"{slug!r} is for {'checkable' if rating.checkable else 'uncheckable'}"
                          f" claims but the claim is {'' if checkable else 'not '}checkable")
    rationale = reader.text(data, "rationale", "verdict.rationale")
    assert rationale is not None
    reviewed_on = data.get("date")
    if isinstance(reviewed_on, datetime):
        reviewed_on = reviewed_on.date()
    if reviewed_on is not None and not isinstance(reviewed_on, date):
        raise reader.fail("verdict.date", "must be a date, YYYY-MM-DD")
    reviewer = reader.text(data, "reviewer", "verdict.reviewer", required=False)
    return SeedVerdict(rating=slug, rationale=rationale.strip(),
                       reviewer=reviewer or default_reviewer, reviewed_on=reviewed_on)


def _evidence(reader: _Reader, raw: Any) -> tuple[SeedEvidence, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise reader.fail("evidence", "must be a list")
    items: list[SeedEvidence] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(raw):
        field = f"evidence[{i}]"
        data = reader.mapping(item, field, EVIDENCE_FIELDS)
        url = reader.url(data.get("url"), f"{field}.url")
        quote = reader.text(data, "quote", f"{field}.quote")
        assert quote is not None
        stance = data.get("stance")
        if stance not in {s.value for s in Stance}:
            raise reader.fail(f"{field}.stance",
                              f"{stance!r} is not a stance; use supports, refutes or context")
        if (url, quote) in seen:
            raise reader.fail(field, "the same passage of the same source is cited twice")
        seen.add((url, quote))
        every = None
        if data.get("check_every") is not None:
            try:
                every = parse_interval(str(data["check_every"]))
            except ValueError as exc:
                raise reader.fail(f"{field}.check_every", str(exc)) from exc
        items.append(SeedEvidence(url=url, quote=quote, stance=Stance(stance),
                                  note=reader.text(data, "note", f"{field}.note",
                                                   required=False),
                                  check_every=every))
    return tuple(items)


# The rationale of the verdict a seed gets when it marks a claim not checkable and
# gives no verdict of its own.
_UNCHECKABLE_BECAUSE: dict[ClaimKind | None, str] = {
    ClaimKind.OPINION: "An opinion: a judgement or an argument that evidence cannot settle.",
    ClaimKind.CHARACTERIZATION: "A characterization: a framing, a motive or a loaded "
                                "description, not a fact that evidence can settle.",
    ClaimKind.PREDICTION: "A prediction: it cannot be checked before its time comes.",
    None: "Marked not checkable in the seed file.",
}


def _claim(reader: _Reader, raw: Any, text: str, scale: RatingScale,
           default_reviewer: str | None) -> SeedClaim:
    data = reader.mapping(raw, "", CLAIM_FIELDS)
    key = reader.key(data, "key")
    reader.claim = key
    quote = reader.text(data, "quote", "quote")
    assert quote is not None
    start, end = _span(reader, text, quote, data.get("start"))
    kind_text = data.get("kind")
    if kind_text not in {k.value for k in ClaimKind}:
        raise reader.fail("kind", f"{kind_text!r} is not a kind; use one of: "
                                  f"{', '.join(k.value for k in ClaimKind)}")
    kind = ClaimKind(kind_text)
    checkable = data.get("checkable", kind not in NOT_CHECKABLE_KINDS)
    if not isinstance(checkable, bool):
        raise reader.fail("checkable", "must be true or false")
    verdict = _verdict(reader, data.get("verdict"), scale, checkable, default_reviewer)
    if verdict is None and not checkable:
        verdict = SeedVerdict(rating=scale.not_checkable.slug,
                              rationale=_UNCHECKABLE_BECAUSE.get(kind, _UNCHECKABLE_BECAUSE[None]),
                              reviewer=default_reviewer, reviewed_on=None)
    claimant, claimant_url = _claimant(reader, data.get("claimant"))
    return SeedClaim(
        key=key, quote=quote, start=start, end=end, kind=kind, checkable=checkable,
        claim=reader.text(data, "claim", "claim", required=False),
        note=reader.text(data, "note", "note", required=False),
        verdict=verdict, evidence=_evidence(reader, data.get("evidence")),
        claimant=claimant, claimant_url=claimant_url)


def _claimant(reader: _Reader, raw: Any) -> tuple[str | None, str | None]:
    """``claimant: Name`` or ``claimant: {name: Name, url: https://...}``."""
    if raw is None:
        return None, None
    if isinstance(raw, str):
        return reader.text({"claimant": raw}, "claimant", "claimant"), None
    data = reader.mapping(raw, "claimant", CLAIMANT_FIELDS)
    name = reader.text(data, "name", "claimant.name")
    url = reader.url(data["url"], "claimant.url") if data.get("url") is not None else None
    return name, url


def read_seed(path: str | Path, scale: RatingScale = DEFAULT_SCALE) -> Seed:
    """Read and validate one seed file. Raises :class:`SeedError` on a fault of the
    document part; for claims, :class:`SeedErrors` with every faulty claim's first
    fault (up to ``MAX_PROBLEMS``), or the one :class:`SeedError` if there is one."""
    path = Path(path)
    reader = _Reader(path)
    try:
        if not path.is_file():
            raise reader.fail(None, "is not a regular file")
        if path.stat().st_size > MAX_SEED_BYTES:
            raise reader.fail(None, f"is over {MAX_SEED_BYTES // 2**20} MB: a seed file is "
                                    "a document's claims, not a data dump")
        raw = _load_yaml(path.read_text(encoding="utf-8"), reader)
    except OSError as exc:
        raise reader.fail(None, f"cannot read the file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise reader.fail(None, "is not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        raise reader.fail(None, f"is not valid YAML: {_yaml_problem(exc)}") from exc
    except ValueError as exc:  # a date YAML reads but the calendar lacks: 2023-02-30
        raise reader.fail(None, f"holds an impossible date: {exc}") from exc
    except RecursionError:
        raise reader.fail(None, "is nested too deeply to be a seed file") from None
    except TypeError as exc:  # a list or a mapping used as a mapping's key
        raise reader.fail(None, f"is not a seed file: {exc}") from None
    data = reader.mapping(raw, "", TOP_FIELDS)
    document = _document(reader, data.get("document"))
    default_reviewer = reader.text(data, "reviewer", "reviewer", required=False)
    raw_claims = data.get("claims")
    if not isinstance(raw_claims, list):
        raise reader.fail("claims", "must be a list of claims")
    claims: list[SeedClaim] = []
    keys: set[str] = set()
    problems: list[SeedError] = []  # every claim's first fault, so one edit fixes them all
    for i, item in enumerate(raw_claims):
        reader.claim = None
        try:
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                reader.claim = item["key"]
            elif not isinstance(item, dict):
                raise reader.fail(f"claims[{i}]", "each claim must be a mapping")
            claim = _claim(reader, item, document.text, scale, default_reviewer)
            if claim.key in keys:
                raise reader.fail("key", "is used by another claim in this file")
        except SeedError as problem:
            problems.append(problem)
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        keys.add(claim.key)
        claims.append(claim)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise SeedErrors(problems)
    return Seed(path=path, document=document, claims=tuple(claims))


_WORD = re.compile(r"\w+")


def uncovered(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The runs of ``text`` whose words no span covers, as (start, end) offsets.

    White space and punctuation do not count: a document is fully accounted for
    when every word lies inside some claim span (or the byline).
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    starts = [start for start, _ in merged]
    runs: list[tuple[int, int]] = []
    in_run = False
    for word in _WORD.finditer(text):
        i = bisect_right(starts, word.start()) - 1
        if i >= 0 and word.end() <= merged[i][1]:
            in_run = False
        elif in_run:
            runs[-1] = (runs[-1][0], word.end())
        else:
            runs.append((word.start(), word.end()))
            in_run = True
    return runs
