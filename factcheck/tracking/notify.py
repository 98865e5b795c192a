"""Alerts where the desk already is: email, Slack, Teams, Discord, Matrix, ntfy... (Apprise).

After a run, :func:`notify` sends its digest to every channel, each an Apprise URL
(``mailto://``, ``slack://``, ``msteams://``, ``discord://``, ``json://`` and many more;
see https://github.com/caronc/apprise/wiki). When to send is a pure decision
(:func:`wanted`); what to send is plain Markdown (:func:`compose`), which Apprise turns
into HTML for email and into each chat's own markup. A failing channel is logged, with
its secrets masked, and never stops the others or the run.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from factcheck.text.markdown import escape_markdown

if TYPE_CHECKING:
    from factcheck.core import RunSummary

__all__ = ["NOTIFY_ON", "Delivery", "compose", "is_channel", "notify", "sample", "wait_for",
           "wanted"]

log = logging.getLogger("factcheck.notify")

#: When to send: verdicts became stale (the default), any source changed state, the run
#: failed or was offline, or after every run.
NOTIFY_ON = ("review", "changes", "failure", "always")


@dataclass(frozen=True)
class Delivery:
    """What sending to one channel came to; ``channel`` has its secrets masked."""

    channel: str
    ok: bool
    reason: str | None = None


def is_channel(url: str) -> bool:
    """Whether Apprise knows what to do with ``url``."""
    import apprise  # loaded only by the runs and commands that notify

    return bool(apprise.Apprise().add(url))


def wanted(summary: RunSummary, notify_on: Iterable[str]) -> bool:
    """Whether this run's digest should go out, given when the desk asked to hear."""
    on = set(notify_on)
    return ("always" in on
            or ("review" in on and bool(summary.newly_stale))
            or ("changes" in on and bool(summary.source_changes))
            or ("failure" in on and summary.status in ("failed", "offline", "out-of-time")))


def _text(value: object) -> str:
    """Text from seeds and servers, made inert as the Markdown report makes it: no raw
    HTML (Markdown passes it on to mail), no links, images or emphasis."""
    return escape_markdown(value)


#: How many edits of one claim's passages a message quotes.
MAX_EDITS = 3


def compose(summary: RunSummary, report_url: str | None = None,
            desk_url: str | None = None) -> tuple[str, str]:
    """The digest of a run as a title and a Markdown body, for mail and chat alike.
    What a seed or a server wrote (references, URLs, reasons) is escaped."""
    stale = len(summary.newly_stale)
    if summary.status in ("failed", "offline", "out-of-time"):
        title = f"factcheck: run {summary.run_id} {summary.status}"
    elif stale:
        title = f"factcheck: {stale} verdict{' needs' if stale == 1 else 's need'} review"
    else:
        title = f"factcheck: run {summary.run_id}, {len(summary.source_changes)} source " \
                "change(s)"
    lines: list[str] = []
    if summary.reason:
        lines += [f"**{summary.status.capitalize()}:** {_text(summary.reason)}", ""]
    if summary.newly_stale:
        lines += [f"**Verdicts that need review now ({stale})**", ""]
        for ref, reasons in summary.newly_stale:
            lines.append(f"- **{_text(ref)}**: {_text('; '.join(reasons))}")
            if desk_url:
                document, _, key = ref.partition("/")
                lines.append(f"  - review it: {_text(desk_url.rstrip('/'))}/claims/"
                             f"{quote(document, safe='')}/{quote(key, safe='')}")
            edits = summary.changed_words.get(ref, [])
            lines += [f"  - cited “{_text(old) or '…'}”, now reads “{_text(new) or '…'}”"
                      for _, old, new in edits[:MAX_EDITS]]
            if len(edits) > MAX_EDITS:
                lines.append(f"  - and {len(edits) - MAX_EDITS} more edit(s)")
        lines.append("")
    if summary.source_changes:
        lines += [f"**Sources that changed state ({len(summary.source_changes)})**", ""]
        lines += [f"- {_text(url)}: {before or 'new'} → {after}"
                  + (f" ({_text(why)})" if why else "")
                  for url, before, after, why in summary.source_changes]
        lines.append("")
    states = ", ".join(f"{state} {n}" for state, n in sorted(summary.states.items()))
    lines.append(f"Run {summary.run_id} ({summary.status}), "
                 f"{summary.started_at:%Y-%m-%d %H:%M} UTC: checked {summary.checked}"
                 + (f" ({states})" if states else "")
                 + f", errors {summary.errors}, {len(summary.needs_review)} claim(s) "
                 "needing review in all.")
    if report_url:
        lines += ["", f"Report: {_text(report_url)}"]
    return title, "\n".join(lines)


def notify(urls: Iterable[str], title: str, body: str, *, timeout: float = 30.0,
           should_stop: Callable[[], bool] = lambda: False) -> list[Delivery]:
    """Send to every channel at once, each on its own: a failure is logged and reported,
    never raised; a channel that has not answered in ``timeout`` seconds (or when
    ``should_stop()`` says so) is given up on and reported, never waited for.

    The sending happens in a child process (Apprise sends from thread pools of its own,
    which the interpreter waits for at exit): a channel given up on is ended with that
    process, so it never keeps a run alive.
    """
    urls = list(urls)
    if not urls:
        return []
    child = subprocess.Popen(
        [sys.executable, "-m", "factcheck.tracking.notify"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)})
    sent: dict[int, Delivery] = {}

    def read() -> None:
        assert child.stdin is not None and child.stdout is not None
        try:
            child.stdin.write(json.dumps({"urls": urls, "title": title, "body": body}))
            child.stdin.close()
            for line in child.stdout:
                answer = json.loads(line)
                sent[answer["index"]] = Delivery(answer["channel"], answer["ok"],
                                                 answer["reason"])
        except (OSError, ValueError, KeyError) as exc:  # the child died or spoke nonsense
            log.warning("the notification process failed: %s", type(exc).__name__)

    reader = threading.Thread(target=read, name="notify", daemon=True)
    reader.start()
    wait_for(reader, timeout, should_stop)
    if child.poll() is None:
        child.kill()
    child.wait()
    reader.join(1.0)
    if child.stdout is not None:
        child.stdout.close()
    deliveries = []
    for i, url in enumerate(urls):
        delivery = sent.get(i)
        if delivery is None:
            why = "the run was told to stop" if should_stop() else f"no answer in {timeout:g} s"
            delivery = Delivery(_masked(url), False, f"given up on: {why}")
        if not delivery.ok:
            log.warning("notification to %s failed: %s", delivery.channel, delivery.reason)
        deliveries.append(delivery)
    return deliveries


def wait_for(thread: threading.Thread, timeout: float, stop: Callable[[], bool]) -> None:
    """Wait for ``thread`` at most ``timeout`` seconds, and not at all once ``stop()``
    says so (asked five times a second)."""
    deadline = time.monotonic() + timeout
    while thread.is_alive() and not stop() and time.monotonic() < deadline:
        thread.join(min(0.2, max(0.0, deadline - time.monotonic())))


def _child() -> None:
    """In the child process: send to each channel in a thread, and write each outcome
    as a JSON line as soon as it is known."""
    asked = json.loads(sys.stdin.read())
    lock = threading.Lock()

    def one(index: int, url: str) -> None:
        delivery = _send(url, asked["title"], asked["body"])
        with lock:
            print(json.dumps({"index": index, "channel": delivery.channel, "ok": delivery.ok,
                              "reason": delivery.reason}), flush=True)

    threads = [threading.Thread(target=one, args=(i, url)) for i, url in
               enumerate(asked["urls"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _send(url: str, title: str, body: str) -> Delivery:
    import apprise

    channel = apprise.Apprise()
    if not channel.add(url):
        return Delivery(_masked(url), False, "not a channel Apprise knows")
    masked = channel.urls(privacy=True)[0]
    try:
        with apprise.LogCapture(  # type: ignore[no-untyped-call]
                level=logging.WARNING, fmt="%(message)s") as said:
            ok = bool(channel.notify(title=title, body=body,
                                     body_format=apprise.NotifyFormat.MARKDOWN))
        lines = [line.strip() for line in said.getvalue().splitlines() if line.strip()]
        reason = None if ok else (lines[-1] if lines else "the channel refused it")
    except Exception as exc:  # a channel's bug is that channel's failure
        ok, reason = False, f"{type(exc).__name__}: {exc}"
    return Delivery(masked, ok, reason)


def sample() -> tuple[str, str]:
    """A sample message, so a desk can check its channels (``factcheck notify-test``)."""
    return ("factcheck: notification test",
            "If you can read this, factcheck can reach this channel.\n\n"
            "After each nightly run, the verdicts that need review are listed here with "
            "their reasons, for example:\n\n"
            "- **example-document/example-claim**: evidence drifted at "
            "https://fixture.example/page: the cited passage was reworded")


def _masked(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest[:3]}..." if rest else "(empty)"


if __name__ == "__main__":
    _child()
