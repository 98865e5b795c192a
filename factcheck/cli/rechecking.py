"""Commands that reach the web: fetch now, the recheck and the worker, their runs and
changes, snapshots, importing published fact-checks, asking the public archive."""

from __future__ import annotations

import re
import signal
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from factcheck import RecheckOptions, RunSummary
from factcheck.cli.common import (
    Context,
    F,
    _archive_base_option,
    _base,
    _channels,
    _logging,
    _since,
    _url_option,
    archive_dir_option,
    echo_json,
    json_option,
    library_errors,
    pass_context,
    since_option,
)
from factcheck.core import DEAD_STATES, SOURCE_STATES
from factcheck.store.models import utcnow
from factcheck.tracking.archives import ArchiveBudget
from factcheck.tracking.notify import NOTIFY_ON
from factcheck.tracking.readers import DEFAULT_READERS
from factcheck.web.archive import read_response
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy

#: The states a run's summary line names, in the order of the vocabulary.
DEAD_ORDER = tuple(state for state in SOURCE_STATES if state in DEAD_STATES)


@click.command()
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


@click.command("import-claimreview")
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
                         DEAD_ORDER if summary.states.get(state))
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


@click.command()
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


@click.command()
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

    def said(summary: RunSummary, wait: float) -> None:
        _echo_run(summary)
        if summary.status == "offline":
            click.echo(f"offline: next try at {utcnow() + timedelta(seconds=wait):%H:%M:%S}"
                       f" UTC (in {wait:.0f} s)")

    with ctx.store() as store:
        store.work(_recheck_options(**options), poll=poll, stop=stop, on_run=said)
    click.echo("worker stopped")


@click.command()
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


@click.command()
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


@click.command()
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


@click.command("show-snapshot")
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


@click.command("archive-request")
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
