"""What every command shares: the store it opens, how library errors read, --json,
and the options several commands take."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from factcheck import Store, open_store
from factcheck.core import json_time
from factcheck.errors import FactCheckError
from factcheck.policy.schedule import parse_interval
from factcheck.scale import DEFAULT_SCALE, RatingScale, load_scale
from factcheck.tracking.archives import WAYBACK, archive_base
from factcheck.tracking.notify import is_channel
from factcheck.urls import check_sendable

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
            return json_time(obj)
        if hasattr(obj, "to_dict"):
            return obj.to_dict()
        raise TypeError(f"cannot encode {type(obj).__name__}")
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=default))


def _scale(path: str | None) -> RatingScale:
    return DEFAULT_SCALE if path is None else load_scale(path)


def _interval(ctx: click.Context, param: click.Parameter, value: str | None
              ) -> timedelta | None:
    if value is None:
        return None
    try:
        return parse_interval(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


_archive_base_option = click.option(
    "--archive-base", envvar="FACTCHECK_ARCHIVE_BASE", default=WAYBACK, show_default=True,
    metavar="URL", help="The public archive (Memento) asked about dead sources; 'off' "
                        "turns lookups off. [env FACTCHECK_ARCHIVE_BASE]")


def _base(value: str | None) -> str | None:
    """--archive-base: a URL, or off."""
    base = archive_base(value)
    if base is not None:
        check_sendable(base)
    return base


archive_dir_option = click.option(
    "--archive", "archive_dir", envvar="FACTCHECK_ARCHIVE_DIR", default="archive",
    show_default=True, metavar="DIR", help="Folder of the WARC files. [env FACTCHECK_ARCHIVE_DIR]")


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _since(ctx: click.Context, param: click.Parameter,
           value: datetime | None) -> datetime | None:
    """A --since date or moment, read as UTC."""
    return None if value is None else value.replace(tzinfo=UTC)


since_option = click.option(
    "--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), callback=_since,
    help="Every run since this date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM, UTC).")
