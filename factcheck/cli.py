"""The ``factcheck`` command: a thin layer over the library API.

Every command opens a :class:`~factcheck.Store` and calls one or two of its methods;
library errors become readable messages and a non-zero exit.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar

import click

from factcheck._version import __version__
from factcheck.errors import FactCheckError
from factcheck.scale import DEFAULT_SCALE, RatingScale, load_scale
from factcheck.store import Store, Summary, open_store
from factcheck.store.db import safe_url

F = TypeVar("F", bound=Callable[..., Any])


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
    """Turn factcheck's errors into a one-line message and exit status 1."""
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FactCheckError as exc:
            raise click.ClickException(str(exc)) from exc
    return wrapper  # type: ignore[return-value]


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
              if k not in ("files", "uncovered") and v}
    click.echo(f"seeded {len(report.files)} file(s): " + (
        ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
        if counts else "nothing changed"))
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
    """List claims with their span, kind, verdict and evidence."""
    with ctx.store() as store:
        items = store.claims(document)
    if as_json:
        echo_json([c.to_dict() for c in items])
        return
    width = max((len(c.key) for c in items), default=10)
    for c in items:
        rating = c.verdict.rating if c.verdict else "-"
        click.echo(f"{c.key:<{width}}  {c.kind:<16} {rating:<13} "
                   f"{len(c.evidence):>2} src  {textwrap.shorten(c.quote, 60)}")


@cli.command()
@json_option
@pass_context
@library_errors
def sources(ctx: Context, as_json: bool) -> None:
    """List sources with their latest fetch outcome."""
    with ctx.store() as store:
        items = store.sources()
    if as_json:
        echo_json([s.to_dict() for s in items])
        return
    for s in items:
        checked = s.last_checked_at.isoformat(timespec="minutes") if s.last_checked_at \
            else "never checked"
        click.echo(f"{s.status:<10} {checked:<17} {len(s.claims):>2} claim(s)  {s.url}")


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
