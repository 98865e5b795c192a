"""Commands that publish: reports, the digest, notifications, the WACZ export."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from factcheck.cli.common import (
    Context,
    F,
    archive_dir_option,
    json_option,
    library_errors,
    pass_context,
    since_option,
)
from factcheck.errors import ConfigError
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
from factcheck.tracking.notify import notify as send_notification
from factcheck.tracking.notify import sample as sample_notification
from factcheck.wacz import export_wacz


def _emit(text: str, output: str | None) -> None:
    """Write ``text`` to the file ``output`` and print its name, or print the text."""
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(output)
    else:
        click.echo(text, nl=False)


@click.command("notify-test")
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


@click.command()
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
        _emit(text, output)
        return
    with ctx.store() as store:
        built = build_report(store, document)
    if publisher is not None and fmt in ("claimreview", "html"):
        _warn_left_out(built, options["include_stale"])
    text = render(built, fmt, publisher=publisher, **options)
    _emit(text, output)


@click.command()
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
    _emit(text, output)


@click.command()
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


@click.command("export-wacz")
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
