"""Commands for the review desk: its reviewers, and serving it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from factcheck.cli.common import Context, archive_dir_option, library_errors, pass_context
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy


@click.group()
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


@click.command()
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
