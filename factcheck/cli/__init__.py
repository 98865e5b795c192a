"""The ``factcheck`` command: a thin layer over the library API.

Every command opens a :class:`~factcheck.Store` and calls one or two of its methods;
library errors become readable messages and a non-zero exit. The commands live by
concern: :mod:`~factcheck.cli.claims` (the claims table), :mod:`~factcheck.cli.rechecking`
(the web: fetch, recheck, worker, archives), :mod:`~factcheck.cli.publishing` (reports,
digest, notifications) and :mod:`~factcheck.cli.desk` (the review desk).
"""

from __future__ import annotations

import click

from factcheck._version import __version__
from factcheck.cli import claims, desk, publishing, rechecking
from factcheck.cli.common import Context, _scale, library_errors

__all__ = ["cli", "main"]


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


for _command in (
        claims.init, claims.seed, claims.summary, claims.claims, claims.source,
        claims.sources, claims.verdict, claims.history, claims.scale,
        claims.extract_claims_command, claims.draft_seed_command,
        rechecking.fetch, rechecking.import_claimreview, rechecking.recheck,
        rechecking.worker, rechecking.runs, rechecking.changes, rechecking.snapshots,
        rechecking.show_snapshot, rechecking.archive_request,
        publishing.notify_test, publishing.report, publishing.digest, publishing.reports,
        publishing.export_wacz_command,
        desk.user, desk.serve):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="factcheck")
