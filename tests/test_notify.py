"""Alerts through Apprise, against loopback receivers only: a json:// endpoint (a fixture
host) and an SMTP server (aiosmtpd) on 127.0.0.1, beside a channel that fails."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from factcheck import Store
from factcheck.cli import cli
from factcheck.fixtureweb import FixtureHost, Route
from factcheck.tracking.notify import compose, notify, wanted
from factcheck.tracking.recheck import RunSummary

from .test_recheck import ARTICLE, QUOTE, at, claims_file, closed_port, options

T0 = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)


class Mailbox:
    """An SMTP server on 127.0.0.1 that keeps what it is sent."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(envelope.content.decode("utf-8", "replace"))  # type: ignore[attr-defined]
        return "250 OK"

    def url(self) -> str:
        return (f"mailto://127.0.0.1:{self.port}?to=desk@fixture.example"
                "&from=factcheck@fixture.example&secure=no")


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    yield box
    box.controller.stop()


@pytest.fixture
def web(fixture_hosts: Callable[[int], list[FixtureHost]]) -> tuple[FixtureHost, FixtureHost]:
    site, receiver = fixture_hosts(2)
    return site, receiver


def summary(**fields: object) -> RunSummary:
    base: dict[str, object] = {"run_id": 7, "status": "finished", "reason": None,
                               "started_at": T0, "finished_at": T0}
    return RunSummary(**{**base, **fields})  # type: ignore[arg-type]


def test_when_to_send() -> None:
    quiet = summary()
    stale = summary(newly_stale=[("doc/claim", ["evidence drifted"])])
    moved = summary(source_changes=[("https://fixture.example/", "unchanged", "gone", "404")])
    offline = summary(status="offline", reason="the network is unreachable")
    assert not wanted(quiet, {"review"}) and wanted(quiet, {"always"})
    assert wanted(stale, {"review"}) and not wanted(stale, {"changes"})
    assert wanted(moved, {"changes"}) and not wanted(moved, {"review"})
    assert wanted(offline, {"failure"}) and not wanted(offline, {"review", "changes"})


def test_the_digest_reads_as_a_message() -> None:
    title, body = compose(summary(
        newly_stale=[("doc/budget", ["a cited figure changed: 26.3 percent is now 20.3"])],
        source_changes=[("https://fixture.example/a", "unchanged", "gone", "HTTP 404")],
        changed_words={"doc/budget": [("https://fixture.example/b", "26.3", "20.3")] * 4},
        checked=3, states={"unchanged": 2, "gone": 1}), "https://desk.example/report",
        "https://desk.example/desk/")
    assert title == "factcheck: 1 verdict needs review"
    assert "**doc/budget**: a cited figure changed: 26.3 percent is now 20.3" in body
    assert body.count("  - cited “26.3”, now reads “20.3”") == 3
    assert "  - and 1 more edit(s)" in body
    assert "  - review it: https://desk.example/desk/claims/doc/budget" in body
    assert "https://fixture.example/a: unchanged → gone (HTTP 404)" in body
    assert "checked 3 (gone 1, unchanged 2)" in body
    assert body.endswith("Report: https://desk.example/report")


def test_what_servers_and_seeds_wrote_is_inert_in_the_message() -> None:
    _, body = compose(summary(
        newly_stale=[("doc/claim", ["drifted: <img src=x onerror=alert(1)>"])],
        source_changes=[("https://fixture.example/<script>", "unchanged", "error",
                         "HTTP 500 <b>oops</b>")]))
    assert "<img" not in body and "<script>" not in body and "<b>" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_a_stale_verdict_reaches_mail_and_json_though_a_channel_fails(
        store: Store, web: tuple[FixtureHost, FixtureHost], mailbox: Mailbox,
        tmp_path: Path) -> None:
    site, receiver = web
    site.routes["/story"] = Route(body=ARTICLE)
    store.load_seeds(claims_file(tmp_path, site.url("/story"), QUOTE))
    channels = (f"json://127.0.0.1:{closed_port()}/down",  # first, and failing
                f"json://127.0.0.1:{receiver.port}/alerts", mailbox.url())
    first = store.recheck(options(notify_urls=channels), clock=at(T0))
    assert first.newly_stale == [] and receiver.posts == [] and mailbox.messages == []

    site.routes["/story"] = Route(body=ARTICLE.replace(b"26.3 percent", b"20.3 percent"))
    second = store.recheck(options(notify_urls=channels, report_url="https://desk.example/r"),
                           clock=at(T0 + timedelta(hours=27)))
    assert second.status == "finished" and second.exit_code == 3
    (path, raw), = receiver.posts
    message = json.loads(raw)
    assert path == "/alerts"
    assert message["title"] == "factcheck: 1 verdict needs review"
    assert "fixture-article/budget" in message["message"]
    assert "26.3 percent is now 20.3 percent" in message["message"]
    assert "cited “26.3”, now reads “20.3”" in message["message"]  # the passage's words
    (mail,) = mailbox.messages
    assert "Subject: factcheck: 1 verdict needs review" in mail
    assert "fixture-article/budget" in mail


def test_notify_reports_each_channel_with_secrets_masked() -> None:
    deliveries = notify([f"json://user:hunter2@127.0.0.1:{closed_port()}/x", "nonsense://x"],
                        "title", "body")
    assert [d.ok for d in deliveries] == [False, False]
    assert all("hunter2" not in d.channel for d in deliveries)
    assert "not a channel Apprise knows" in (deliveries[1].reason or "")


def test_notify_test_sends_a_sample(web: tuple[FixtureHost, FixtureHost]) -> None:
    _, receiver = web
    ok = CliRunner().invoke(cli, ["notify-test", f"json://127.0.0.1:{receiver.port}/t"])
    assert ok.exit_code == 0 and ok.output.startswith("sent")
    assert json.loads(receiver.posts[0][1])["title"] == "factcheck: notification test"
    failed = CliRunner().invoke(cli, ["notify-test", f"json://127.0.0.1:{closed_port()}/t"])
    assert failed.exit_code == 1 and "FAILED" in failed.output


def test_a_mistyped_channel_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "recheck",
                                      "--notify", "slak://token"])
    assert result.exit_code == 1
    assert result.output.strip() == ("Error: --notify: slak://... is not a channel Apprise "
                                     "knows (see its wiki for URL forms)")
