"""Commands on the claims table: seeding, listing, sources, verdicts, finding claims."""

from __future__ import annotations

import textwrap
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from factcheck import Summary
from factcheck.cli.common import (
    Context,
    _interval,
    echo_json,
    json_option,
    library_errors,
    pass_context,
)
from factcheck.store.db import safe_url
from factcheck.text.sentences import extract_claims

if TYPE_CHECKING:
    from factcheck.store.matching import Match


@click.command()
@pass_context
@library_errors
def init(ctx: Context) -> None:
    """Create the database, or migrate it to the newest schema."""
    with ctx.store(migrate=True) as store:
        click.echo(f"database {safe_url(store.url)} is at schema revision "
                   f"{store.schema_revision()}")


@click.command()
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


@click.command()
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


@click.command()
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


@click.command()
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


@click.command()
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


@click.command("extract-claims")
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


@click.command("draft-seed")
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


@click.command()
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


@click.command()
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


@click.command()
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
