"""The ``factcheck`` command: a thin layer over the library API.

Every command opens a :class:`~factcheck.Store` and calls one or two of its methods;
library errors become readable messages and a non-zero exit.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from factcheck import RecheckOptions, RunSummary, Store, Summary, open_store
from factcheck._version import __version__
from factcheck.errors import ConfigError, FactCheckError
from factcheck.policy.schedule import parse_interval
from factcheck.reports import (
    AUDIENCES,
    FORMATS,
    NoPublisher,
    Publisher,
    Report,
    build_report,
    datafeed,
    find_publisher,
    left_out_of_claimreview,
    render,
    write_reports,
)
from factcheck.reports import digest as make_digest
from factcheck.reports.render import DIGEST_FORMATS
from factcheck.scale import DEFAULT_SCALE, RatingScale, load_scale
from factcheck.store.db import safe_url
from factcheck.store.models import utcnow
from factcheck.text.sentences import extract_claims
from factcheck.tracking.archives import WAYBACK, ArchiveBudget
from factcheck.tracking.notify import NOTIFY_ON, is_channel
from factcheck.tracking.notify import notify as send_notification
from factcheck.tracking.notify import sample as sample_notification
from factcheck.tracking.readers import DEFAULT_READERS
from factcheck.urls import check_sendable
from factcheck.wacz import export_wacz
from factcheck.web.archive import read_response
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy

if TYPE_CHECKING:
    from factcheck.store.matching import Match

F = TypeVar("F", bound=Callable[..., Any])

#: A worker's wait after an offline run, doubled after each one, up to the cap (seconds).
OFFLINE_BACKOFF = 30.0
OFFLINE_BACKOFF_CAP = 1800.0


class Context:
    def __init__(self, db: str | None, scale: RatingScale) -> None:
        self.db = db
        self.scale = scale

    @contextmanager
    def store(self, *, migrate: bool = False) -> Iterator[Store]:
        with open_store(self.db, scale=self.scale, migrate=migrate) as store:
            yield store


pass_context = click.make_pass_decorator(Context)


def library_errors(func: F) -> F:
    """Turn factcheck's errors, the database's and the file system's into a one-line
    message and exit status 1 (a traceback helps nobody at 3 a.m.). Under ``--json``
    the message is JSON on standard error, ``{"error": ..., "kind": ...}``, with the
    same exit status."""
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return _plain_errors(func, *args, **kwargs)
        except click.ClickException as exc:
            if not kwargs.get("as_json"):
                raise
            kind = getattr(exc, "kind", "usage" if exc.exit_code == 2 else "error")
            click.echo(json.dumps({"error": exc.format_message(), "kind": kind},
                                  ensure_ascii=False), err=True)
            sys.exit(exc.exit_code)
    return wrapper  # type: ignore[return-value]


class _Failure(click.ClickException):
    """A one-line failure with its kind (``not-found``, ``database``, ``file``...)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def _kind(exc: BaseException) -> str:
    """``NotFound`` -> ``not-found``: the error's class, as a JSON consumer reads it."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", type(exc).__name__).lower()


def _plain_errors(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except FactCheckError as exc:
        raise _Failure(str(exc), _kind(exc)) from exc
    except SQLAlchemyError as exc:
        raise _Failure(_database_error(exc), "database") from exc
    except BrokenPipeError:  # `factcheck claims | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise _Failure(f"cannot use{where}: {exc.strerror or exc}", "file") from exc


def _database_error(exc: SQLAlchemyError) -> str:
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    hint = ""
    if "locked" in first:
        hint = " (another program holds the database; try again when it is done)"
    elif "not a database" in first or "file is encrypted" in first:
        hint = " (--db names a file that is not a factcheck database)"
    elif "readonly" in first or "read-only" in first:
        hint = " (the database file or its folder is read-only)"
    elif "no such table" in first or "UndefinedTable" in type(cause).__name__:
        hint = " (run `factcheck init` first)"
    return f"database error: {first}{hint}"


def _channels(ctx: click.Context, param: click.Parameter,
              value: tuple[str, ...]) -> tuple[str, ...]:
    """Apprise URLs, each one Apprise knows: a typo is a one-line error before any run."""
    for url in value:
        if not is_channel(url):
            raise click.ClickException(f"--notify: {url.partition('://')[0]}://... is not a "
                                       "channel Apprise knows (see its wiki for URL forms)")
    return value


def _url_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A URL option checked as the fetcher will send it: a bad one is a one-line error
    (exit 1) before anything runs, never a run left behind."""
    if value is None or value == "":
        return None
    try:
        check_sendable(value)
    except FactCheckError as exc:
        raise click.ClickException(f"--{param.name}: {exc}") from exc
    return value


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True,
                        help="Print JSON (the documented, stable form).")(func)


def echo_json(value: Any) -> None:
    def default(obj: Any) -> Any:
        if isinstance(obj, datetime | date):
            return obj.isoformat()
        if hasattr(obj, "to_dict"):
            return obj.to_dict()
        raise TypeError(f"cannot encode {type(obj).__name__}")
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=default))


def _scale(path: str | None) -> RatingScale:
    return DEFAULT_SCALE if path is None else load_scale(path)


class _Commands(click.Group):
    """The command group; ``--db`` and ``--scale`` may also come after the command
    (``factcheck claims --db demo/demo.db``): they are moved to the front."""

    GLOBAL = ("--db", "--scale")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        front: list[str] = []
        rest: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            if arg == "--":
                rest += args[i:]
                break
            if arg in self.GLOBAL and i + 1 < len(args):
                front += args[i:i + 2]
                i += 2
                continue
            if arg.startswith(tuple(f"{name}=" for name in self.GLOBAL)):
                front.append(arg)
            else:
                rest.append(arg)
            i += 1
        return super().parse_args(ctx, front + rest)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="FACTCHECK_DATABASE_URL", metavar="URL",
              help="Database URL or SQLite file path. [env FACTCHECK_DATABASE_URL; "
                   "default: ./factcheck.db]")
@click.option("--scale", "scale_path", envvar="FACTCHECK_SCALE", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False),
              help="A team's rating scale (YAML). [env FACTCHECK_SCALE; default: built-in]")
@click.version_option(__version__, prog_name="factcheck")
@click.pass_context
@library_errors
def cli(ctx: click.Context, db: str | None, scale_path: str | None) -> None:
    """Keep fact-checks true over time: claims, their sources and verdicts."""
    ctx.obj = Context(db, _scale(scale_path))


@cli.command()
@pass_context
@library_errors
def init(ctx: Context) -> None:
    """Create the database, or migrate it to the newest schema."""
    with ctx.store(migrate=True) as store:
        click.echo(f"database {safe_url(store.url)} is at schema revision "
                   f"{store.schema_revision()}")


@cli.command()
@click.argument("path", type=click.Path(exists=True))
@json_option
@pass_context
@library_errors
def seed(ctx: Context, path: str, as_json: bool) -> None:
    """Load a seed file, or every .yaml file in a folder, in one transaction.

    Nothing is written unless every file is valid. Loading again changes nothing.
    """
    with ctx.store() as store:
        report = store.load_seeds(path)
    if as_json:
        echo_json(report.to_dict())
        return
    counts = {k: v for k, v in report.to_dict().items()
              if k not in ("files", "uncovered", "warnings") and v}
    click.echo(f"seeded {len(report.files)} file(s): " + (
        ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
        if counts else "nothing changed"))
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for key, runs in report.uncovered.items():
        click.echo(f"warning: {key}: {len(runs)} passage(s) no claim accounts for:", err=True)
        for run in runs:
            click.echo(f"  - {textwrap.shorten(run, 100)}", err=True)


def _echo_summary(summary: Summary) -> None:
    click.echo(f"{summary.claims} claims ({summary.checkable} checkable) in "
               f"{summary.documents} document(s), citing {summary.sources} sources "
               f"({summary.evidence} passages)")
    click.echo("  by kind:    " + ", ".join(f"{k} {v}" for k, v in summary.by_kind.items()))
    click.echo("  by verdict: " + ", ".join(f"{k} {v}" for k, v in summary.by_rating.items()))


@cli.command()
@click.option("--document", metavar="KEY", help="Only this document's claims.")
@json_option
@pass_context
@library_errors
def summary(ctx: Context, document: str | None, as_json: bool) -> None:
    """Count claims by kind and by verdict."""
    with ctx.store() as store:
        counts = store.summary(document)
    if as_json:
        echo_json(counts.to_dict())
    else:
        _echo_summary(counts)


@cli.command()
@click.option("--document", metavar="KEY", help="Only this document's claims.")
@json_option
@pass_context
@library_errors
def claims(ctx: Context, document: str | None, as_json: bool) -> None:
    """List claims with their span, kind, verdict and evidence; ! marks a claim whose
    verdict needs review, and why."""
    with ctx.store() as store:
        items = store.claims(document)
    if as_json:
        echo_json([c.to_dict() for c in items])
        return
    width = max((len(c.key) for c in items), default=10)
    for c in items:
        rating = c.verdict.rating if c.verdict else "-"
        moved = Counter(e.status for e in c.evidence if e.status not in ("found", "unchecked"))
        flags = " ".join(f"{n} {status}" for status, n in moved.items())
        click.echo(f"{'!' if c.needs_review else ' '} {c.key:<{width}}  {c.kind:<16} "
                   f"{rating:<13} {len(c.evidence):>2} src  {textwrap.shorten(c.quote, 60)}"
                   + (f"  [{flags}]" if flags else "")
                   + ("  NEEDS REVIEW: " + "; ".join(c.review_reasons) if c.needs_review
                      else ""))


def _interval(ctx: click.Context, param: click.Parameter, value: str | None
              ) -> timedelta | None:
    if value is None:
        return None
    try:
        return parse_interval(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@cli.command()
@click.argument("url")
@click.option("--every", callback=_interval, metavar="INTERVAL",
              help="Recheck it this often: 12h, 7d, 2w (at least hourly).")
@click.option("--pause/--resume", default=None,
              help="Stop rechecking it, or start again (due at once).")
@json_option
@pass_context
@library_errors
def source(ctx: Context, url: str, every: timedelta | None, pause: bool | None,
           as_json: bool) -> None:
    """Show a source: its state, schedule and claims; --every, --pause and --resume
    change how it is rechecked."""
    with ctx.store() as store:
        item = store.source(url) if every is None and pause is None else \
            store.schedule(url, every=every, paused=pause)
    if as_json:
        echo_json(item.to_dict())
        return
    interval = timedelta(seconds=item.check_interval_seconds)
    click.echo(f"{item.url}\n  state:  {item.state or 'unchecked'}"
               + (f" ({item.state_reason})" if item.state_reason else "")
               + f"\n  checks: every {interval}"
               + (", PAUSED" if item.paused else
                  f", next {item.next_check_at:%Y-%m-%d %H:%M} UTC" if item.next_check_at
                  else ", due now")
               + f"\n  cited by: {', '.join(item.claims) or 'no claim'}")


@cli.command()
@json_option
@pass_context
@library_errors
def sources(ctx: Context, as_json: bool) -> None:
    """List sources with their state (unchanged, changed, moved, gone, soft-404,
    blocked, error) and why, when it is not unchanged."""
    with ctx.store() as store:
        items = store.sources()
    if as_json:
        echo_json([s.to_dict() for s in items])
        return
    for s in items:
        checked = s.last_checked_at.isoformat(timespec="minutes") if s.last_checked_at \
            else "never checked"
        click.echo(f"{s.state or 'unchecked':<10} {checked:<17} {len(s.claims):>2} claim(s)  "
                   f"{s.url}" + (f"  ({s.state_reason})" if s.state not in (None, "unchanged")
                                 and s.state_reason else ""))


@cli.command()
@click.argument("urls", nargs=-1)
@click.option("--all", "fetch_all", is_flag=True, help="Fetch every source.")
@click.option("--allow-private", is_flag=True,
              help="Allow private, loopback and link-local addresses (tests, demos).")
@click.option("--concurrency", type=click.IntRange(1), default=FetchSettings.concurrency,
              show_default=True, help="Requests in flight across all hosts.")
@click.option("--per-host", type=click.IntRange(1), default=FetchSettings.per_host,
              show_default=True, help="Requests in flight to one host.")
@click.option("--delay", type=click.FloatRange(0), default=FetchSettings.min_interval,
              show_default=True, help="Seconds between two requests to one host.")
@click.option("--timeout", type=click.FloatRange(0.1), default=FetchSettings.total_timeout,
              show_default=True, help="Seconds for one request, body included.")
@click.option("--max-bytes", type=click.IntRange(1024), default=FetchSettings.max_bytes,
              show_default=True, help="Largest body kept.")
@click.option("--contact", envvar="FACTCHECK_CONTACT", metavar="EMAIL",
              help="Sent as the From header. [env FACTCHECK_CONTACT]")
@click.option("--readers", type=click.IntRange(0), default=DEFAULT_READERS, show_default=True,
              help="Processes extracting text (0: in this process).")
@click.option("--archive", "archive_dir", envvar="FACTCHECK_ARCHIVE_DIR", default="archive",
              show_default=True, metavar="DIR",
              help="Folder for the WARC files. [env FACTCHECK_ARCHIVE_DIR]")
@json_option
@pass_context
@library_errors
def fetch(ctx: Context, urls: tuple[str, ...], fetch_all: bool, allow_private: bool,
          concurrency: int, per_host: int, delay: float, timeout: float, max_bytes: int,
          contact: str | None, readers: int, archive_dir: str, as_json: bool) -> None:
    """Fetch URLS now (added as sources when new), or every source with --all.

    Each fetch is kept as a snapshot; raw exchanges go to WARC files.
    """
    if bool(urls) == fetch_all:
        raise click.UsageError("give URLs or --all (not both)")
    settings = FetchSettings(
        concurrency=concurrency, per_host=per_host, min_interval=delay, total_timeout=timeout,
        max_bytes=max_bytes, contact=contact,
        addresses=AddressPolicy(allow_private=allow_private))
    with ctx.store() as store:
        report = store.fetch(None if fetch_all else urls, settings=settings,
                             archive_dir=archive_dir, readers=readers)
    if as_json:
        echo_json(report.to_dict())
        return
    for url, outcome, status, error in report.results:
        detail = error or (f"HTTP {status}" if status else "")
        click.echo(f"{outcome:<16} {url}" + (f"  ({detail})" if detail else ""))
    counts = ", ".join(f"{k} {v}" for k, v in report.outcomes.most_common())
    click.echo(f"fetched {report.sources} source(s) in {report.seconds:.1f} s: {counts or 'none'}")
    if report.offline:
        click.echo(f"offline: {report.offline}")
        sys.exit(4)


@cli.command("import-claimreview")
@click.argument("sources", nargs=-1, required=True)
@click.option("--rating-map", type=click.Path(exists=True, dir_okay=False),
              help="YAML: publisher label -> rating of the scale, for labels the built-in "
                   "map does not know (any language).")
@click.option("--allow-private", is_flag=True,
              help="Allow private, loopback and link-local addresses.")
@click.option("--delay", type=click.FloatRange(0), default=FetchSettings.min_interval,
              show_default=True, help="Seconds between two requests to one host.")
@click.option("--contact", envvar="FACTCHECK_CONTACT", metavar="EMAIL",
              help="Sent as the From header. [env FACTCHECK_CONTACT]")
@json_option
@pass_context
@library_errors
def import_claimreview(ctx: Context, sources: tuple[str, ...], rating_map: str | None,
                       allow_private: bool, delay: float, contact: str | None,
                       as_json: bool) -> None:
    """Bring in published fact-checks from their ClaimReview markup.

    SOURCES are fact-check pages (URLs or saved .html files), ClaimReview feeds (a
    schema.org DataFeed, a JSON list, or a Fact Check Tools API answer; files or URLs)
    and sitemaps listing fact-check pages. Each fact-check becomes a document, each
    review a claim with its verdict (the publisher's label kept), and the links it
    cites sources the nightly recheck tracks. Importing again changes nothing. Exit
    status 1 when a source could not be read (the rest is imported).
    """
    from factcheck.importing import load_rating_map

    settings = FetchSettings(min_interval=delay, contact=contact,
                             addresses=AddressPolicy(allow_private=allow_private))
    with ctx.store() as store:
        mapped = load_rating_map(rating_map, store.scale) if rating_map else None
        report = store.import_claimreview(sources, rating_map=mapped, settings=settings)
    if as_json:
        echo_json(report.to_dict())
    else:
        for source in report.sources:
            if source["error"] is not None:
                click.echo(f"failed    {source['source']}: {source['error']}")
            elif source["fact_checks"]:
                click.echo(f"imported  {source['source']}: {source['fact_checks']} "
                           f"fact-check(s), {source['reviews']} review(s)")
        seeded = report.seeded
        click.echo(f"documents added {seeded.documents_added}, changed "
                   f"{seeded.documents_changed}; claims added {seeded.claims_added}; "
                   f"verdicts added {seeded.verdicts_added}; sources added "
                   f"{seeded.sources_added}")
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
    if report.failed:
        sys.exit(1)


_archive_base_option = click.option(
    "--archive-base", envvar="FACTCHECK_ARCHIVE_BASE", default=WAYBACK, show_default=True,
    metavar="URL", help="The public archive (Memento) asked about dead sources; 'off' "
                        "turns lookups off. [env FACTCHECK_ARCHIVE_BASE]")


def recheck_options(func: F) -> F:
    """The options `recheck` and `worker` share."""
    decorators = [
        click.option("--all", "all_sources", is_flag=True,
                     help="Check every source now, not only those due."),
        click.option("--allow-private", is_flag=True,
                     help="Allow private, loopback and link-local addresses."),
        click.option("--concurrency", type=click.IntRange(1),
                     default=FetchSettings.concurrency, show_default=True,
                     help="Requests in flight across all hosts."),
        click.option("--per-host", type=click.IntRange(1), default=FetchSettings.per_host,
                     show_default=True, help="Requests in flight to one host."),
        click.option("--delay", type=click.FloatRange(0), default=FetchSettings.min_interval,
                     show_default=True, help="Seconds between two requests to one host."),
        click.option("--contact", envvar="FACTCHECK_CONTACT", metavar="EMAIL",
                     help="Sent as the From header. [env FACTCHECK_CONTACT]"),
        click.option("--canary", envvar="FACTCHECK_CANARY_URL", metavar="URL",
                     callback=_url_option,
                     help="A URL that answers whenever our network works; if it fails "
                          "the run is offline. [env FACTCHECK_CANARY_URL]"),
        click.option("--webhook", envvar="FACTCHECK_WEBHOOK_URL", metavar="URL",
                     callback=_url_option,
                     help="POST JSON here when verdicts become stale. "
                          "[env FACTCHECK_WEBHOOK_URL]"),
        click.option("--notify", "notify_urls", multiple=True, envvar="FACTCHECK_NOTIFY",
                     metavar="URL", callback=_channels,
                     help="Send the run's digest to this Apprise URL (mailto://, slack://, "
                          "msteams://, discord://, json://...); repeatable. "
                          "[env FACTCHECK_NOTIFY, space-separated]"),
        click.option("--notify-on", multiple=True, type=click.Choice(NOTIFY_ON),
                     default=("review",), show_default=True,
                     help="When to notify: verdicts became stale (review), any source "
                          "changed state (changes), the run failed or was offline "
                          "(failure), or always; repeatable."),
        click.option("--report-url", envvar="FACTCHECK_REPORT_URL", metavar="URL",
                     help="Link to the published report in notifications. "
                          "[env FACTCHECK_REPORT_URL]"),
        click.option("--desk-url", envvar="FACTCHECK_DESK_URL", metavar="URL",
                     help="The review desk (factcheck serve): notifications link each "
                          "claim's page. [env FACTCHECK_DESK_URL]"),
        click.option("--readers", type=click.IntRange(0), default=DEFAULT_READERS,
                     show_default=True, help="Processes extracting text."),
        click.option("--archive", "archive_dir", envvar="FACTCHECK_ARCHIVE_DIR",
                     default="archive", show_default=True, metavar="DIR",
                     help="Folder for the WARC files. [env FACTCHECK_ARCHIVE_DIR]"),
        _archive_base_option,
        click.option("--archive-budget", envvar="FACTCHECK_ARCHIVE_BUDGET",
                     metavar="COUNT[/SECONDS]", default="200/120", show_default=True,
                     callback=_archive_budget,
                     help="At most this many public-archive lookups, and seconds, per run; "
                          "the rest waits for the next run, longest waiting first. "
                          "[env FACTCHECK_ARCHIVE_BUDGET]"),
        click.option("--max-runtime", envvar="FACTCHECK_MAX_RUNTIME", metavar="DURATION",
                     callback=_max_runtime,
                     help="End the run after this long (90s, 30m, 2h): no more work is "
                          "claimed, what is in flight gets a few seconds, exit status 5. "
                          "[env FACTCHECK_MAX_RUNTIME]"),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def _archive_budget(ctx: click.Context, param: click.Parameter, value: str) -> ArchiveBudget:
    try:
        return ArchiveBudget.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)?\s*$", re.I)


def _max_runtime(ctx: click.Context, param: click.Parameter, value: str | None
                 ) -> timedelta | None:
    if value is None or not value.strip():
        return None
    match = _DURATION.match(value)
    if match is None or float(match.group(1)) <= 0:
        raise click.BadParameter(f"{value!r} is not a duration: seconds, or 90s, 30m, 2h")
    unit = (match.group(2) or "s").lower()[0]
    return timedelta(seconds=float(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[unit])


def _recheck_options(all_sources: bool, allow_private: bool, concurrency: int, per_host: int,
                     delay: float, contact: str | None, canary: str | None,
                     webhook: str | None, readers: int, archive_dir: str,
                     notify_urls: tuple[str, ...], notify_on: tuple[str, ...],
                     report_url: str | None, archive_base: str | None,
                     desk_url: str | None, archive_budget: ArchiveBudget,
                     max_runtime: timedelta | None) -> RecheckOptions:
    settings = FetchSettings(concurrency=concurrency, per_host=per_host, min_interval=delay,
                             contact=contact,
                             addresses=AddressPolicy(allow_private=allow_private))
    return RecheckOptions(all_sources=all_sources, settings=settings,
                          archive_dir=Path(archive_dir), readers=readers, canary_url=canary,
                          webhook_url=webhook, notify_urls=notify_urls,
                          notify_on=frozenset(notify_on), report_url=report_url,
                          desk_url=desk_url,
                          archive_base=_base(archive_base), archive_budget=archive_budget,
                          max_runtime=max_runtime)


def _base(value: str | None) -> str | None:
    """--archive-base: a URL, or off."""
    if value is None or value.strip().lower() in ("", "off", "none"):
        return None
    check_sendable(value)
    return value.strip().rstrip("/")


archive_dir_option = click.option(
    "--archive", "archive_dir", envvar="FACTCHECK_ARCHIVE_DIR", default="archive",
    show_default=True, metavar="DIR", help="Folder of the WARC files. [env FACTCHECK_ARCHIVE_DIR]")


@cli.group()
def user() -> None:
    """Reviewers who sign in to the review desk (factcheck serve)."""


@user.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (for scripts).")
@pass_context
@library_errors
def user_add(ctx: Context, name: str, password_stdin: bool) -> None:
    """Add reviewer NAME (or set NAME's password); asks for the password."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with ctx.store() as store:
        store.add_reviewer(name, password)
    click.echo(f"reviewer {name} can sign in")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs a reviewer first.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--allow-private", is_flag=True,
              help="Let 'recheck now' fetch private and loopback addresses.")
@click.option("--forwarded-allow-ips", envvar="FACTCHECK_FORWARDED_ALLOW_IPS", metavar="IPS",
              help="Believe X-Forwarded-For/-Proto only from these proxies (comma-separated "
                   "addresses or networks); by default from none. "
                   "[env FACTCHECK_FORWARDED_ALLOW_IPS]")
@archive_dir_option
@pass_context
@library_errors
def serve(ctx: Context, host: str, port: int, allow_private: bool,
          forwarded_allow_ips: str | None, archive_dir: str) -> None:
    """Run the review desk: the queue, claim pages, verdicts, rechecks (a web app)."""
    import uvicorn

    from factcheck.desk import DeskSettings, create_app
    from factcheck.desk.app import server_config

    with ctx.store() as store:
        loopback = host == "localhost" or _is_loopback(host)
        if not loopback and not store.reviewers():
            raise click.ClickException(
                f"refusing to listen on {host} with no reviewer configured: add one with "
                "`factcheck user add NAME` first (or listen on 127.0.0.1)")
        settings = DeskSettings(
            fetch=FetchSettings(addresses=AddressPolicy(allow_private=allow_private)),
            archive_dir=Path(archive_dir), secret=os.environ.get("FACTCHECK_DESK_SECRET")
            or DeskSettings().secret)
        if not store.reviewers():
            click.echo("note: no reviewer yet; add one with `factcheck user add NAME`",
                       err=True)
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"review desk: http://{shown}:{port}/", err=True)
        uvicorn.Server(server_config(create_app(store, settings), host, port,
                                     forwarded_allow_ips)).run()


def _is_loopback(host: str) -> bool:
    import ipaddress
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@cli.command("notify-test")
@click.argument("urls", nargs=-1)
def notify_test(urls: tuple[str, ...]) -> None:
    """Send a sample notification to URLS (default: $FACTCHECK_NOTIFY), to check them.

    Exit status 1 if any channel failed; each is listed with its secrets masked.
    """
    channels = urls or tuple(os.environ.get("FACTCHECK_NOTIFY", "").split())
    if not channels:
        raise click.UsageError("give Apprise URLs, or set FACTCHECK_NOTIFY")
    deliveries = send_notification(channels, *sample_notification())
    for d in deliveries:
        click.echo(f"{'sent  ' if d.ok else 'FAILED'}  {d.channel}"
                   + (f"  ({d.reason})" if d.reason else ""))
    if not all(d.ok for d in deliveries):
        sys.exit(1)


def _echo_run(summary: RunSummary) -> None:
    if summary.status == "offline":
        click.echo(f"offline: {summary.reason}")
    elif summary.status == "failed":
        click.echo(f"the run failed: {summary.reason}")
    elif summary.status in ("interrupted", "out-of-time"):
        click.echo(f"{summary.status}: {summary.reason}")
    click.echo(f"run {summary.run_id}: checked {summary.checked}, "
               f"unchanged {summary.states.get('unchanged', 0)}, "
               f"changed {summary.states.get('changed', 0)}, "
               + "".join(f"{state} {summary.states[state]}, " for state in
                         ("moved", "gone", "soft-404", "blocked") if summary.states.get(state))
               + f"errors {summary.errors}, needs review {len(summary.needs_review)}")
    for ref, reasons in summary.newly_stale:
        click.echo(f"  now needs review: {ref}: {'; '.join(reasons)}")
    spent = ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in summary.seconds.items())
    if spent:
        archive = summary.archive
        click.echo(f"  time: {spent}" + (
            f"; archive lookups {archive.get('looked_up', 0)}, deferred "
            f"{archive.get('deferred', 0)}" if archive else ""))
    if summary.archive.get("stopped"):
        click.echo(f"  archive: {summary.archive['stopped']}")


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on a terminal; nothing under cron (log lines say enough)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("rechecking", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total or None)


@cli.command()
@recheck_options
@json_option
@pass_context
@library_errors
def recheck(ctx: Context, /, as_json: bool, **options: Any) -> None:
    """Check the sources that are due, once, and flag verdicts whose evidence moved.

    Cron-friendly. Exit status: 0 nothing needs attention, 3 verdicts need review,
    4 the run failed or the network was unreachable (nothing was changed), 5 the run
    reached --max-runtime (what was left waits for the next run), 1 a configuration
    error.
    """
    if not sys.stderr.isatty():
        _logging()
    with ctx.store() as store, _progress(not as_json) as progress:
        summary = store.recheck(_recheck_options(**options), progress=progress)
    if as_json:
        echo_json(summary.to_dict())
    else:
        _echo_run(summary)
    sys.exit(summary.exit_code)


@cli.command()
@recheck_options
@click.option("--poll", type=click.FloatRange(1), default=300.0, show_default=True,
              help="Longest sleep, in seconds, between looks for due sources.")
@pass_context
@library_errors
def worker(ctx: Context, /, poll: float, **options: Any) -> None:
    """Recheck continuously: run what is due, sleep until the next source is due.

    Stops cleanly on SIGTERM or SIGINT (the batch in hand is finished). Several
    workers may share one PostgreSQL database.
    """
    _logging()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    settings = _recheck_options(**options)
    backoff = 0.0
    with ctx.store() as store:
        while not stop.is_set():
            summary = store.recheck(settings, should_stop=stop.is_set)
            _echo_run(summary)
            if summary.status == "offline":
                # Our network is down: try again later, later each time, not every second.
                backoff = min(OFFLINE_BACKOFF_CAP, max(OFFLINE_BACKOFF, backoff * 2))
                wait = backoff
                click.echo(f"offline: next try at {utcnow() + timedelta(seconds=wait):%H:%M:%S}"
                           f" UTC (in {wait:.0f} s)")
            else:
                backoff = 0.0
                due = store.next_due()
                wait = poll if due is None else (due - utcnow()).total_seconds()
                wait = min(poll, max(1.0, wait))
            stop.wait(wait)
    click.echo("worker stopped")


@cli.command()
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True,
              help="How many runs, newest first.")
@json_option
@pass_context
@library_errors
def runs(ctx: Context, limit: int, as_json: bool) -> None:
    """List the latest recheck runs: id, start, status, what they checked."""
    with ctx.store() as store:
        items = store.runs(limit)
    if as_json:
        echo_json(items)
        return
    if not items:
        click.echo("no recheck has run yet")
    for r in items:
        states = ", ".join(f"{k} {v}" for k, v in sorted((r["states"] or {}).items()))
        click.echo(f"{r['run']:>5}  {r['started_at']:%Y-%m-%d %H:%M}  {r['status']:<11} "
                   f"checked {r['checked']:<5} errors {r['errors']:<4} "
                   f"review {r['review_count']:<4}" + (f"  ({states})" if states else "")
                   + (f"  {r['reason']}" if r["reason"] and r["status"] != "finished"
                      else ""))


def _since(ctx: click.Context, param: click.Parameter,
           value: datetime | None) -> datetime | None:
    """A --since date or moment, read as UTC."""
    return None if value is None else value.replace(tzinfo=UTC)


since_option = click.option(
    "--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), callback=_since,
    help="Every run since this date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM, UTC).")


@cli.command()
@click.option("--run", "run_id", type=int, help="A run id (default: the latest finished run).")
@since_option
@json_option
@pass_context
@library_errors
def changes(ctx: Context, run_id: int | None, since: datetime | None, as_json: bool) -> None:
    """What changed in a recheck run, or since a date: sources, evidence, claims."""
    if run_id is not None and since is not None:
        raise click.UsageError("give --run or --since, not both")
    with ctx.store() as store:
        items = store.changes(run_id, since=since)
    if as_json:
        echo_json(items)
        return
    for e in items:
        what = e["claim"] if e["subject"] == "claim" else e["source"]
        click.echo(f"{e['subject']:<8} {e['before'] or '-':>14} -> {e['after']:<14} {what}"
                   + (f"  ({e['reason']})" if e["reason"] else ""))


class MissingSetting(click.ClickException):
    """A setting a command cannot do without: exit status 2, like a usage error."""

    exit_code = 2


def _report_options(func: F) -> F:
    for decorator in reversed([
        click.option("--audience", type=click.Choice(AUDIENCES), default="public",
                     show_default=True,
                     help="public: what a reader needs; desk: everything, what needs "
                          "review first."),
        click.option("--org", "organization", default=None,
                     help="ClaimReview author organization. [env FACTCHECK_ORG_NAME]"),
        click.option("--org-url", "organization_url", default=None,
                     help="Its URL. [env FACTCHECK_ORG_URL]"),
        click.option("--review-url", default=None,
                     help="Where the published fact-check lives; {document} stands for the "
                          "document key. [env FACTCHECK_REVIEW_URL]"),
        click.option("--include-stale", is_flag=True,
                     help="Publish verdicts that need review in ClaimReview as they stand."),
        click.option("--no-bom", "bom", is_flag=True, flag_value=False, default=True,
                     help="CSV without the UTF-8 byte order mark Excel needs."),
        click.option("--templates", type=click.Path(file_okay=False, exists=True),
                     help="A folder with report.html.j2 / report.md.j2 overriding ours."),
    ]):
        func = decorator(func)
    return func


def _publisher(options: dict[str, Any], required: bool) -> Publisher | None:
    """The publisher from --org/--org-url/--review-url, the environment or factcheck.toml;
    without it, ClaimReview is a usage error (exit 2) and HTML carries no JSON-LD. A
    publisher configured wrongly (bad TOML, a missing part, a non-http URL) is said."""
    try:
        return find_publisher(options.pop("organization"), options.pop("organization_url"),
                              options.pop("review_url"))
    except ConfigError as exc:
        if required:
            raise MissingSetting(str(exc)) from exc
        if not isinstance(exc, NoPublisher):
            click.echo(f"note: {exc}", err=True)
        return None


def _warn_left_out(report: Report, include_stale: bool) -> None:
    left_out = left_out_of_claimreview(report)
    if left_out and not include_stale:
        click.echo(f"warning: {report.document['key']}: ClaimReview leaves out "
                   f"{len(left_out)} verdict(s) that need review: "
                   + ", ".join(c.key for c in left_out)
                   + " (--include-stale publishes them as they stand)", err=True)


def _formats(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
             ) -> tuple[str, ...]:
    """--format html,md or --format html --format md."""
    chosen = [f.strip() for v in value for f in v.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise click.BadParameter(f"{unknown[0]!r} is not one of {', '.join(FORMATS)}")
    return tuple(dict.fromkeys(chosen))


@cli.command()
@click.option("--document", metavar="KEY", help="The document (needed when there are several; "
                                                "for datafeed, every document without it).")
@click.option("--format", "fmt", type=click.Choice((*FORMATS, "datafeed")), default="html",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write here instead of standard output.")
@_report_options
@pass_context
@library_errors
def report(ctx: Context, /, document: str | None, fmt: str, output: str | None,
           **options: Any) -> None:
    """Write a verdict report: html, md, json, csv, claimreview (JSON-LD), or datafeed
    (the schema.org ClaimReview DataFeed of the document, or of every document).

    The public report is what a reader needs: the conclusion, the article with every
    claim marked by its verdict, then a card per checked claim. ClaimReview needs the
    publishing organization (--org, --org-url, --review-url, their environment
    variables, or [publisher] in factcheck.toml); without it, exit status 2.
    """
    publisher = _publisher(options, required=fmt in ("claimreview", "datafeed"))
    if fmt == "datafeed":
        with ctx.store() as store:
            keys = [document] if document else [d.key for d in store.documents()]
            built_all = [build_report(store, key) for key in keys]
        text = json.dumps(datafeed(built_all, publisher,
                                   include_stale=options["include_stale"]),
                          ensure_ascii=False, indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            click.echo(output)
        else:
            click.echo(text, nl=False)
        return
    with ctx.store() as store:
        built = build_report(store, document)
    if publisher is not None and fmt in ("claimreview", "html"):
        _warn_left_out(built, options["include_stale"])
    text = render(built, fmt, publisher=publisher, **options)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(output)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option("--run", "run_id", type=int, help="A run id (default: the latest).")
@since_option
@click.option("--format", "fmt", type=click.Choice(DIGEST_FORMATS), default="md",
              show_default=True, help="html is for mail clients.")
@json_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write here instead of standard output.")
@click.option("--desk-url", envvar="FACTCHECK_DESK_URL", metavar="URL",
              help="Link each claim needing review to its page on the review desk.")
@pass_context
@library_errors
def digest(ctx: Context, run_id: int | None, since: datetime | None, fmt: str, as_json: bool,
           output: str | None, desk_url: str | None) -> None:
    """The digest of a recheck run (or of every run since a date): what changed, which
    verdicts need review and why."""
    with ctx.store() as store:
        text = make_digest(store, run=run_id, as_json=as_json, fmt=fmt, since=since,
                           desk_url=desk_url)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(output)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False), default="reports")
@click.option("--document", metavar="KEY", help="Only this document (default: every one).")
@click.option("--format", "formats", multiple=True, callback=_formats, metavar="F[,F...]",
              help=f"Any of {', '.join(FORMATS)}; repeat or separate with commas. "
                   "[default: html, md, json, csv, and claimreview when the publisher is "
                   "set; for the desk: html, md]")
@_report_options
@pass_context
@library_errors
def reports(ctx: Context, /, folder: str, document: str | None, formats: tuple[str, ...],
            **options: Any) -> None:
    """Write the reports of every document (or one) to FOLDER (default ./reports) and
    print the paths. Desk reports (--audience desk) are KEY.desk.html and KEY.desk.md."""
    publisher = _publisher(options, required="claimreview" in formats)
    if not formats and options["audience"] == "desk":
        formats = ("html", "md")
    elif not formats:
        formats = ("html", "md", "json", "csv") + (("claimreview",) if publisher else ())
        if publisher is None and options["audience"] == "public":
            click.echo("note: no ClaimReview written (set --org, --org-url and --review-url, "
                       "or [publisher] in factcheck.toml)", err=True)

    def warn(built: Report) -> None:
        if publisher is not None and ("claimreview" in formats or "html" in formats):
            _warn_left_out(built, options["include_stale"])
    with ctx.store() as store:
        for path in write_reports(store, folder, formats, document=document,
                                  publisher=publisher, on_report=warn, **options):
            click.echo(path)


@cli.command("extract-claims")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--match", "match", is_flag=True,
              help="Also give each check-worthy sentence the claims already in the table "
                   "that it repeats, with their rating (have we checked this before?).")
@click.option("--limit", default=3, show_default=True, type=click.IntRange(1, 50),
              help="With --match: at most this many claims per sentence.")
@json_option
@pass_context
@library_errors
def extract_claims_command(ctx: Context, /, file: str, match: bool, limit: int,
                           as_json: bool) -> None:
    """Split an article into sentences and say which are worth checking, and why."""
    from factcheck.drafts import checked_before

    text = _read_text(file)
    sentences = extract_claims(text)
    found: dict[int, list[Match]] = {}  # by where the sentence starts
    if match:
        with ctx.store() as store:
            found = {m.sentence.start: m.matches for m in store.match(text, limit=limit)}
    if as_json:
        echo_json([{**s.to_dict(), **({"matches": [m.to_dict() for m in found.get(s.start, [])]}
                                      if match and s.check_worthy else {})}
                   for s in sentences])
        return
    for s in sentences:
        mark = "CHECK" if s.check_worthy else "     "
        click.echo(f"{mark} {s.score:.2f} {s.kind:<11} {textwrap.shorten(s.text, 90)}")
        for m in found.get(s.start, []):
            click.echo(f"      {checked_before(m)}")


def _read_text(file: str) -> str:
    try:
        return Path(file).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file} is not UTF-8 text (byte {exc.start}); "
                                   "convert it first, e.g. with iconv") from exc


@cli.command("draft-seed")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Where to write the draft. [default: FILE with .yaml, beside it]")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@click.option("--match", "match", is_flag=True,
              help="Note in each check-worthy claim the claims already in the table that it "
                   "repeats, with their rating, so the checker starts from that verdict.")
@pass_context
@library_errors
def draft_seed_command(ctx: Context, /, file: str, output: str | None, force: bool,
                       match: bool) -> None:
    """Write a draft seed file for a new article (FILE.yaml beside it, or -o): every
    sentence, check-worthy ones as claims with no verdict, ready to edit and `factcheck
    seed`. An existing file is never overwritten without --force."""
    target = Path(output) if output else Path(file).with_suffix(".yaml")
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists (a seed you may have edited); "
                                   "choose another -o, or --force to overwrite it")
    from factcheck.drafts import draft_seed

    if match:
        with ctx.store() as store:
            data = draft_seed(file, target, store=store)
    else:
        data = draft_seed(file, target)
    worthy = sum(1 for c in data["claims"] if c.get("checkable"))
    repeated = sum(1 for c in data["claims"] if "checked before:" in c.get("note", ""))
    click.echo(f"{target}: {len(data['claims'])} sentences, {worthy} check-worthy"
               + (f", {repeated} checked before" if match else ""))


@cli.command()
@click.argument("url")
@json_option
@pass_context
@library_errors
def snapshots(ctx: Context, url: str, as_json: bool) -> None:
    """Show the snapshots of the source at URL, oldest first."""
    with ctx.store() as store:
        items = store.snapshots(url)
    if as_json:
        echo_json([s.to_dict() for s in items])
        return
    for s in items:
        detail = s.error_message or s.title or ""
        click.echo(f"{s.fetched_at.isoformat(timespec='seconds')}  {s.outcome:<14} "
                   f"{s.http_status or '-':>3}  {(s.text_sha256 or '')[:12]:<12}  "
                   f"{textwrap.shorten(detail, 60)}")


@cli.command("show-snapshot")
@click.argument("url")
@click.option("--at", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]),
              callback=_since, help="The snapshot current then (UTC); default the latest.")
@click.option("--sha", metavar="SHA", help="The snapshot whose content SHA-256 starts so.")
@click.option("--text", "show", flag_value="text", default=True,
              help="The visible text we extracted (the default).")
@click.option("--raw", "show", flag_value="raw",
              help="The body as the server sent it, from our WARC file.")
@archive_dir_option
@pass_context
@library_errors
def show_snapshot(ctx: Context, url: str, at: datetime | None, sha: str | None, show: str,
                  archive_dir: str) -> None:
    """Print what the source at URL said at a time, from our store and WARC files."""
    if at is not None and sha is not None:
        raise click.UsageError("give --at or --sha, not both")
    with ctx.store() as store:
        snapshot, text = store.snapshot_text(url, at=at, sha=sha)
    click.echo(f"{snapshot.url} fetched {snapshot.fetched_at:%Y-%m-%d %H:%M} UTC, HTTP "
               f"{snapshot.http_status}, content {snapshot.content_sha256}", err=True)
    if show == "raw":
        if not snapshot.warc_file or snapshot.warc_offset is None:
            raise click.ClickException("this snapshot's bytes were not kept in a WARC file")
        _, body = read_response(archive_dir, snapshot.warc_file, snapshot.warc_offset,
                                expect_sha256=snapshot.content_sha256)
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    elif text is None:
        raise click.ClickException("this snapshot has no text (try --raw)")
    else:
        click.echo(text)


@cli.command("archive-request")
@click.argument("urls", nargs=-1)
@click.option("--all", "all_sources", is_flag=True,
              help="Every source the archive holds no capture of, as far as we know.")
@click.option("--max", "limit", type=click.IntRange(1), default=20, show_default=True,
              help="Ask for at most this many.")
@click.option("--interval", type=click.FloatRange(1.0), default=5.0, show_default=True,
              help="Seconds between two requests to the archive.")
@click.option("--allow-private", is_flag=True,
              help="Allow private and loopback addresses (a loopback archive in tests).")
@_archive_base_option
@pass_context
@library_errors
def archive_request(ctx: Context, urls: tuple[str, ...], all_sources: bool, limit: int,
                    interval: float, allow_private: bool, archive_base: str | None) -> None:
    """Ask the public archive to capture sources (Save Page Now): off the nightly path,
    one request every few seconds, never for an address the policy refuses."""
    base = _base(archive_base)
    if base is None:
        raise click.UsageError("--archive-base is off")
    if bool(urls) == all_sources:
        raise click.UsageError("give URLs or --all")
    settings = FetchSettings(addresses=AddressPolicy(allow_private=allow_private))
    with ctx.store() as store:
        wanted = list(urls) if urls else store.uncaptured()
        for url, outcome in store.request_captures(wanted[:limit], base, settings,
                                                   interval=interval):
            click.echo(f"{outcome:<12} {url}" if outcome == "requested" else f"{url}: {outcome}")


@cli.command("export-wacz")
@click.option("--document", metavar="KEY", help="Only this document's verdicts.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The .wacz file to write.")
@archive_dir_option
@pass_context
@library_errors
def export_wacz_command(ctx: Context, document: str | None, output: str,
                        archive_dir: str) -> None:
    """Package the WARC records the current verdicts rest on as a WACZ file that
    ReplayWeb.page or pywb replays."""
    with ctx.store() as store:
        exported = export_wacz(store, output, archive_dir, document=document)
    for line in exported.missing:
        click.echo(f"not packed (recorded before any fetch): {line}", err=True)
    click.echo(f"{exported.path}: {len(exported.records)} exchange(s)")


@cli.command()
@click.argument("claim")
@click.argument("rating")
@click.option("--rationale", required=True, help="Why, in a sentence or two.")
@click.option("--reviewer", help="Who reviewed the claim.")
@click.option("--date", "reviewed_on", type=click.DateTime(["%Y-%m-%d"]),
              help="The review date, YYYY-MM-DD.")
@json_option
@pass_context
@library_errors
def verdict(ctx: Context, claim: str, rating: str, rationale: str, reviewer: str | None,
            reviewed_on: datetime | None, as_json: bool) -> None:
    """Record a new verdict for CLAIM (KEY or DOCUMENT/KEY); it becomes current.

    Verdicts are append-only: the earlier ones stay in the claim's history.
    """
    with ctx.store() as store:
        recorded = store.record_verdict(claim, rating, rationale, reviewer=reviewer,
                                        reviewed_on=reviewed_on.date() if reviewed_on else None)
    if as_json:
        echo_json(recorded.to_dict())
    else:
        click.echo(f"{claim}: {recorded.rating} ({recorded.label})")


@cli.command()
@click.argument("claim")
@json_option
@pass_context
@library_errors
def history(ctx: Context, claim: str, as_json: bool) -> None:
    """Show the verdict history of CLAIM, oldest first."""
    with ctx.store() as store:
        items = store.verdicts(claim)
    if as_json:
        echo_json([v.to_dict() for v in items])
        return
    for v in items:
        click.echo(f"{v.created_at.isoformat(timespec='seconds')}  {v.rating:<13} "
                   f"{v.reviewer or '-'}  {textwrap.shorten(v.rationale, 70)}")


@cli.command()
@json_option
@pass_context
def scale(ctx: Context, as_json: bool) -> None:
    """Show the rating scale in use."""
    if as_json:
        echo_json({"name": ctx.scale.name, "best": ctx.scale.best, "worst": ctx.scale.worst,
                   "ratings": [vars(r) for r in ctx.scale]})
        return
    for r in ctx.scale:
        value = "-" if r.value is None else str(r.value)
        click.echo(f"{r.slug:<14} {value:>2}  {r.averitec:<35} {r.definition}")


def main() -> None:
    cli(prog_name="factcheck")
