"""The review desk: every route over plain HTTP (SQLite and PostgreSQL), its security
rules, and a reviewer's path through it in a real browser (Debian's chromium)."""

from __future__ import annotations

import html
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml
from click.testing import CliRunner

from factcheck import Store
from factcheck.cli import cli
from factcheck.desk import DeskSettings, create_app
from factcheck.desk.app import CSP, server_config
from factcheck.fixtureweb import FixtureHost, Route
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy

from .conftest import ARTIFACTS, HOSTILE, OVERFLOW, drift

PASSWORD = "correct horse battery"
STALE = "/claims/us-japan-alliance-2023/fy2023-defense-budget"


@pytest.fixture
def desk(seeded: Store) -> Store:
    drift(seeded)
    seeded.add_reviewer("ana", PASSWORD)
    seeded.add_reviewer("ben", PASSWORD)
    return seeded


class _Servers:
    """Desk servers on loopback ports for one test: real HTTP through uvicorn."""

    def __init__(self) -> None:
        self.running: list[tuple[uvicorn.Server, threading.Thread]] = []
        self.clients: list[httpx.Client] = []

    def start(self, store: Store, forwarded_allow_ips: str | None = None,
              **settings: Any) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        # The configuration `factcheck serve` runs with.
        server = uvicorn.Server(server_config(create_app(store, DeskSettings(**settings)),
                                              "127.0.0.1", port, forwarded_allow_ips))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        self.running.append((server, thread))
        return f"http://127.0.0.1:{port}"

    def client(self, base: str) -> httpx.Client:
        http = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
        self.clients.append(http)
        return http

    def stop(self) -> None:
        for http in self.clients:
            http.close()
        for server, thread in self.running:
            server.should_exit = True
            thread.join(10)


_SERVERS: list[_Servers] = []


@pytest.fixture(autouse=True)
def _servers() -> Iterator[None]:
    servers = _Servers()
    _SERVERS.append(servers)
    yield
    _SERVERS.remove(servers)
    servers.stop()


def client(store: Store, **settings: Any) -> httpx.Client:
    servers = _SERVERS[-1]
    return servers.client(servers.start(store, **settings))


def signed_in(store: Store, name: str = "ana") -> httpx.Client:
    http = client(store)
    answer = http.post("/login", data={"name": name, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return http


def csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def based_on(page: str) -> str:
    found = re.search(r'name="based_on" value="([^"]*)"', page)
    assert found is not None
    return found.group(1)


def test_every_page_needs_a_reviewer_and_says_so_safely(desk: Store) -> None:
    http = client(desk)
    for path in ("/", STALE, "/source-text?url=x"):
        answer = http.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
        assert answer.headers["content-security-policy"] == CSP
    assert http.post(STALE + "/verdict").status_code == 303  # not signed in: to sign in
    page = http.get("/login")
    assert page.status_code == 200 and "<script" not in page.text
    assert page.headers["x-frame-options"] == "DENY"
    wrong = http.post("/login", data={"name": "ana", "password": "nope"})
    assert wrong.status_code == 401 and "Wrong name or password" in wrong.text
    unknown = http.post("/login", data={"name": "nobody", "password": PASSWORD})
    assert unknown.status_code == 401


def test_sign_in_attempts_are_rate_limited(desk: Store) -> None:
    http = client(desk)
    codes = [http.post("/login", data={"name": "ana", "password": "wrong"}).status_code
             for _ in range(6)]
    assert codes == [401] * 5 + [429]
    assert http.post("/login", data={"name": "ana", "password": PASSWORD}).status_code == 429


def test_the_cookie_is_signed_httponly_and_strict(desk: Store) -> None:
    http = client(desk)
    answer = http.post("/login", data={"name": "ana", "password": PASSWORD,
                                       "next": "//evil.example/"})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert answer.headers["location"] == "/"  # never an outside redirect


def test_the_queue_puts_what_needs_review_first(desk: Store) -> None:
    http = signed_in(desk)
    page = http.get("/").text
    rows = re.findall(r'<tr class="(stale|)">', page)
    assert rows[0] == "stale" and rows.count("stale") == 1
    assert "<strong>1</strong>needs review" in page
    filtered = http.get("/", params={"rating": "misleading"}).text
    assert filtered.count("<tr class=") == 4
    assert http.get("/", params={"state": "gone"}).text.count("<tr class=") == 1


def test_the_claim_page_shows_context_diff_and_history_escaped(desk: Store) -> None:
    http = signed_in(desk)
    page = http.get(STALE).text
    assert "<mark>In December 2022, Japanese Cabinet passed" in page
    assert re.search(r'<del class="figure">[^<]*26\.3', page)
    assert re.search(r'<ins class="figure">[^<]*20\.3', page)
    assert "needs review" in page and "rested on" in page
    hostile = http.get("/claims/us-japan-alliance-2023/"
                       + next(c.key for c in desk.claims()
                              if any("nippon.com" in e.url for e in c.evidence))).text
    assert HOSTILE not in hostile and "&lt;script&gt;" in hostile
    assert http.get("/claims/us-japan-alliance-2023/nope").status_code == 404
    assert http.get("/source-text", params={"url": "javascript:alert(1)"}).status_code in (
        400, 404)


def test_a_verdict_needs_the_csrf_token_and_clears_the_flag(desk: Store) -> None:
    http = signed_in(desk)
    page = http.get(STALE).text
    form = {"rating": "mostly-true", "rationale": "The figure was revised to 20.3%.",
            "based_on": based_on(page)}
    refused = http.post(STALE + "/verdict", data=form)
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert desk.claim("fy2023-defense-budget").needs_review
    done = http.post(STALE + "/verdict", data={**form, "csrf": csrf(page)})
    assert done.status_code == 303
    claim = desk.claim("fy2023-defense-budget")
    assert not claim.needs_review
    assert (claim.verdict.rating, claim.verdict.reviewer) == ("mostly-true", "ana")
    assert "Verdict recorded" in http.get(STALE).text


def test_two_reviewers_on_one_claim_get_a_conflict_not_an_overwrite(desk: Store) -> None:
    ana = signed_in(desk, "ana")
    ben = _SERVERS[-1].client(str(ana.base_url))  # the same server, another session
    assert ben.post("/login", data={"name": "ben", "password": PASSWORD}).status_code == 303
    ana_page, ben_page = ana.get(STALE).text, ben.get(STALE).text
    first = ana.post(STALE + "/verdict", data={
        "rating": "mostly-true", "rationale": "Ana's reading.", "based_on": based_on(ana_page),
        "csrf": csrf(ana_page)})
    assert first.status_code == 303
    second = ben.post(STALE + "/verdict", data={
        "rating": "misleading", "rationale": "Ben's reading.", "based_on": based_on(ben_page),
        "csrf": csrf(ben_page)})
    assert second.status_code == 409
    assert "Ana&#39;s reading." in second.text and "Ben&#39;s reading." in second.text
    history = desk.verdict_history("us-japan-alliance-2023")[
        "us-japan-alliance-2023/fy2023-defense-budget"]
    assert [v.rationale for v in history][-1] == "Ana's reading."
    again = ben.post(STALE + "/verdict", data={
        "rating": "misleading", "rationale": "Ben's reading.",
        "based_on": based_on(second.text), "csrf": csrf(second.text)})
    assert again.status_code == 303
    assert desk.claim("fy2023-defense-budget").verdict.reviewer == "ben"


def test_recheck_now_and_the_stored_text(store: Store, tmp_path: Path) -> None:
    site = FixtureHost()
    try:
        site.routes["/story"] = Route(body=b"<html><head><title>Budget &lt;b&gt;</title></head>"
                                           b"<body><p>The budget rose 26.3 percent.</p>"
                                           b"<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
                                           b"</body></html>")
        (tmp_path / "a.txt").write_text("The budget rose 26.3 percent.")
        (tmp_path / "a.yaml").write_text(yaml.safe_dump({
            "document": {"key": "local", "text_file": "a.txt"},
            "claims": [{"key": "budget", "quote": "The budget rose 26.3 percent.",
                        "kind": "statistic",
                        "verdict": {"rating": "true", "rationale": "It says so."},
                        "evidence": [{"url": site.url("/story"),
                                      "quote": "The budget rose 26.3 percent.",
                                      "stance": "supports"}]}]}))
        store.load_seeds(tmp_path)
        store.add_reviewer("ana", PASSWORD)
        http = client(store, fetch=FetchSettings(
            min_interval=0.0, retries=0, addresses=AddressPolicy.allowing("127.0.0.1/32")),
            archive_dir=None)
        http.post("/login", data={"name": "ana", "password": PASSWORD})
        page = http.get("/claims/local/budget").text
        done = http.post("/claims/local/budget/recheck", data={"csrf": csrf(page)})
        assert done.status_code == 303
        after = http.get("/claims/local/budget").text
        assert "Rechecked 1 source(s) now" in after and "evidence found" in after
        assert site.hits["/story"] == 1
        link = re.search(r'href="(/source-text\?[^"]+)"', after)
        assert link is not None
        text = http.get(link.group(1).replace("&amp;", "&"))
        assert text.headers["content-type"].startswith("text/plain")
        assert "The budget rose 26.3 percent." in text.text
        assert text.headers["content-security-policy"] == CSP
    finally:
        site.close()


def test_serve_refuses_an_outside_address_without_reviewers(tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "init"]).exit_code == 0
    refused = runner.invoke(cli, ["--db", db, "serve", "--host", "0.0.0.0"])
    assert refused.exit_code == 1 and "no reviewer configured" in refused.output
    added = runner.invoke(cli, ["--db", db, "user", "add", "ana", "--password-stdin"],
                          input=PASSWORD + "\n")
    assert added.exit_code == 0 and "ana can sign in" in added.output
    short = runner.invoke(cli, ["--db", db, "user", "add", "ben", "--password-stdin"],
                          input="short\n")
    assert short.exit_code == 1 and "at least 8" in short.output


# -- in a real browser -------------------------------------------------------------------

def sign_in_in(browser: Any, served: str) -> None:
    """Sign in as ana through the desk's own form, in a window as wide as a desk's."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    browser.set_window_size(1280, 900)
    browser.get(served + "/")
    browser.find_element(By.ID, "name").send_keys("ana")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 20).until(lambda page: page.title.startswith("Queue"))


@pytest.fixture
def served(desk: Store) -> str:
    return _SERVERS[-1].start(desk)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_reviewer_fixes_a_stale_verdict_in_the_browser(browser: Any, served: str,
                                                        desk: Store) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    sign_in_in(browser, served)
    stale = browser.find_element(By.CSS_SELECTOR, "tr.stale a")  # first in the queue
    stale.click()                                                    # click 1
    WebDriverWait(browser, 20).until(lambda page: "fy2023" in page.current_url)
    assert browser.find_elements(By.CSS_SELECTOR, "del.figure")
    assert browser.find_element(By.CSS_SELECTOR, ".flag").text == "needs review"
    browser.find_element(By.ID, "rationale").send_keys("Revised to 20.3% since.")
    browser.find_element(By.CSS_SELECTOR, "select#rating option[value=mostly-true]").click()
    browser.find_element(By.XPATH, "//button[text()='Record verdict']").click()  # click 2
    WebDriverWait(browser, 20).until(
        lambda page: "Verdict recorded" in page.page_source or "refused" in page.page_source)
    assert "Verdict recorded: mostly-true." in browser.page_source
    assert not browser.find_elements(By.CSS_SELECTOR, ".flag")
    assert not desk.claim("fy2023-defense-budget").needs_review
    # No script ran on any page: the CSP allows none, and the pages carry none.
    assert "<script" not in browser.page_source

    # A source's hostile title is shown as text.
    hostile = next(c.key for c in desk.claims() if any("nippon.com" in e.url
                                                       for e in c.evidence))
    browser.get(f"{served}/claims/us-japan-alliance-2023/{hostile}")
    assert browser.title == f"{hostile} · factcheck"  # not "pwned"
    assert HOSTILE in browser.find_element(By.TAG_NAME, "main").text

    # Another reviewer records a verdict while this page is open: a conflict, no overwrite.
    browser.get(served + STALE)
    other = _SERVERS[-1].client(served)
    assert other.post("/login", data={"name": "ben", "password": PASSWORD}).status_code == 303
    page = other.get(STALE).text
    assert other.post(STALE + "/verdict", data={
        "rating": "misleading", "rationale": "Ben's view.", "based_on": based_on(page),
        "csrf": csrf(page)}).status_code == 303
    browser.find_element(By.ID, "rationale").send_keys("Ana's second look.")
    browser.find_element(By.XPATH, "//button[text()='Record verdict']").click()
    WebDriverWait(browser, 20).until(lambda page: page.title.startswith("Conflict"))
    assert "Ben's view." in browser.find_element(By.TAG_NAME, "main").text
    assert desk.claim("fy2023-defense-budget").verdict.reviewer == "ben"


def test_the_digest_links_the_desk(desk: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime

    from factcheck.reports import digest

    run = {"run": 1, "status": "finished", "started_at": datetime(2026, 1, 1, tzinfo=UTC),
           "checked": 53, "errors": 0, "reason": None}
    monkeypatch.setattr(desk, "runs", lambda limit=20: [run])  # as after a nightly run
    monkeypatch.setattr(desk, "changes", lambda run=None, since=None: [])
    text = digest(desk, fmt="text", desk_url="https://desk.example/")
    assert ("review it: https://desk.example/claims/us-japan-alliance-2023/"
            "fy2023-defense-budget") in text
    assert "desk.example" not in digest(desk, as_json=True)


# -- attacks of the third round (each failed before its fix) --------------------------

def test_rotating_x_forwarded_for_does_not_reset_the_sign_in_throttle(desk: Store) -> None:
    http = client(desk)
    codes = [http.post("/login", data={"name": "ana", "password": "wrong"},
                       headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
             for i in range(8)]
    assert codes == [401] * 5 + [429] * 3
    right = http.post("/login", data={"name": "ana", "password": PASSWORD},
                      headers={"X-Forwarded-For": "198.51.100.7"})
    assert right.status_code == 429


def test_guessing_one_name_from_many_addresses_is_throttled_too(desk: Store) -> None:
    # Behind a trusted proxy each guess may come from a new address: the name is
    # throttled on its own.
    servers = _SERVERS[-1]
    http = servers.client(servers.start(desk, forwarded_allow_ips="127.0.0.1"))
    codes = [http.post("/login", data={"name": "ana", "password": "wrong"},
                       headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
             for i in range(7)]
    assert codes == [401] * 5 + [429] * 2


def test_password_hashing_runs_off_the_event_loop(desk: Store,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    checked: list[bool] = []
    real = desk.check_password

    def check(name: str, password: str) -> bool:
        try:
            asyncio.get_running_loop()
            checked.append(False)  # on the loop: every other page waits for argon2
        except RuntimeError:
            checked.append(True)
        return real(name, password)

    monkeypatch.setattr(desk, "check_password", check)
    http = client(desk)
    assert http.post("/login", data={"name": "ana", "password": PASSWORD}).status_code == 303
    assert checked == [True]


def test_a_thousand_form_fields_are_refused_before_sign_in(desk: Store) -> None:
    http = client(desk)
    many = http.post("/login", content="&".join(f"f{i}=x" for i in range(1000)),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert many.status_code == 400
    large = http.post("/login", content=b"name=" + b"a" * (1024 * 1024),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert large.status_code == 413
    assert http.get("/login").status_code == 200  # the desk is still there


def test_a_session_cookie_dies_at_sign_out(desk: Store) -> None:
    http = signed_in(desk)
    cookie = http.cookies["desk"]
    assert http.get("/").status_code == 200
    page = http.get("/").text
    assert http.post("/logout", data={"csrf": csrf(page)}).status_code == 303
    thief = client(desk)
    thief.cookies.set("desk", cookie)
    assert thief.get("/").status_code == 303  # to sign in: the copy opens nothing


def test_a_session_cookie_dies_when_the_password_changes(desk: Store) -> None:
    http = signed_in(desk)
    assert http.get("/").status_code == 200
    desk.add_reviewer("ana", "a brand new passphrase")
    assert http.get("/").status_code == 303


def test_two_desk_processes_cannot_both_base_a_verdict_on_the_same_one(
        desk: Store) -> None:
    from factcheck import open_store
    from factcheck.errors import VerdictConflict

    ref = "us-japan-alliance-2023/fy2023-defense-budget"
    outcomes: list[str] = []
    for trial in range(5):
        seen = desk.claim(ref).verdict
        assert seen is not None
        barrier = threading.Barrier(2)

        def record(name: str, seen_at: Any = seen.created_at, trial: int = trial,
                   barrier: threading.Barrier = barrier) -> None:
            with open_store(desk.url) as other:  # another process's own engine
                barrier.wait()
                try:
                    other.record_verdict(ref, "true", f"Trial {trial} by {name}.",
                                         reviewer=name, based_on=seen_at)
                    outcomes.append("recorded")
                except VerdictConflict:
                    outcomes.append("conflict")

        threads = [threading.Thread(target=record, args=(n,)) for n in ("ana", "ben")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert outcomes.count("recorded") == 5 and outcomes.count("conflict") == 5


def test_nul_in_the_sign_in_name_or_a_rationale_is_a_400(desk: Store) -> None:
    http = client(desk)
    assert http.post("/login", data={"name": "ana\x00", "password": PASSWORD}
                     ).status_code == 400
    assert http.get("/login?next=/%00").status_code == 400
    assert desk.check_password("ana\x00", PASSWORD) is False  # no DataError either
    http = signed_in(desk)
    page = http.get(STALE).text
    answer = http.post(STALE + "/verdict", data={
        "csrf": csrf(page), "based_on": based_on(page), "rating": "true",
        "rationale": "Fine\x00 print."})
    assert answer.status_code == 400


def test_the_queue_flags_a_conclusion_written_before_a_rating_changed(desk: Store) -> None:
    http = signed_in(desk)
    assert "conclusion needs review" not in http.get("/").text
    desk.record_verdict("us-japan-alliance-2023/ipef-lobbied-by-japan", "false",
                        "Japan did not lobby for IPEF: the US proposed it.", reviewer="ana")
    queue = http.get("/").text
    assert "conclusion needs review" in queue and "ipef-lobbied-by-japan" in queue
    # Sources are counted, never listed state by state ("error, error, error").
    assert re.search(r"\d+ sources?: \d+ ", queue)


def test_a_reviewer_edits_what_a_fact_check_is_made_of(desk: Store) -> None:
    http = signed_in(desk)
    ref = "us-japan-alliance-2023/fy2023-defense-budget"
    page = http.get(STALE).text
    found = re.search(r'name="seen" value="([^"]*)"', page)
    assert found is not None
    seen = html.unescape(found.group(1))  # as a browser sends it back
    words = "Japan's FY2023 defense budget rose 26.3 percent."
    assert http.post(STALE + "/claim", data={"csrf": csrf(page), "seen": seen,
                                             "words": words}).status_code == 303
    assert desk.claim(ref).claim == words
    # A second form drawn before that edit: a conflict, nothing written over.
    stale_form = http.post(STALE + "/claim", data={"csrf": csrf(page), "seen": seen,
                                                   "words": "Something else."})
    assert stale_form.status_code == 409 and desk.claim(ref).claim == words
    evidence = desk.claim(ref).evidence[0]
    page = http.get(STALE).text
    answer = http.post(STALE + "/evidence", data={
        "csrf": csrf(page), "url": evidence.url, "passage": evidence.passage,
        "stance": "context", "seen_passage": evidence.passage,
        "seen_stance": evidence.stance})
    assert answer.status_code == 303
    assert desk.claim(ref).evidence[0].stance == "context"
    added = http.post(STALE + "/evidence/new", data={
        "csrf": csrf(page), "url": "https://www.mod.go.jp/en/fixture-budget", "passage": "",
        "stance": "supports"})
    assert added.status_code == 303
    assert any(e.url == "https://www.mod.go.jp/en/fixture-budget" and e.status == "unchecked"
               for e in desk.claim(ref).evidence)
    refused = http.post(STALE + "/evidence/new", data={
        "csrf": csrf(page), "url": "javascript:alert(1)", "passage": "", "stance": "supports"})
    assert refused.status_code == 400
    edits = desk.edits(ref)
    assert [(e["editor"], e["field"]) for e in edits] == [
        ("ana", "claim"), ("ana", "stance"), ("ana", "added")]
    assert "Edits" in http.get(STALE).text

    document = http.get("/documents/us-japan-alliance-2023").text
    summary, _ = desk.document_summary("us-japan-alliance-2023")
    assert http.post("/documents/us-japan-alliance-2023/conclusion", data={
        "csrf": csrf(document), "seen": summary or "",
        "summary": "Most figures hold; two overstate."}).status_code == 303
    assert desk.document_summary("us-japan-alliance-2023")[0] == "Most figures hold; two overstate."
    assert desk.edits(document="us-japan-alliance-2023")[0]["editor"] == "ana"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_publishing_after_a_change_in_the_browser(browser: Any, store: Store,
                                                  tmp_path: Path) -> None:
    """A new user's path: seed an article, a cited figure is edited, the recheck flags
    it, the reader's page says "under review", the desk re-rates and writes the
    conclusion again, and the republished page says it was updated, and why."""
    from datetime import UTC, datetime, timedelta

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    from factcheck.reports import Publisher, build_report, render
    from factcheck.tracking.recheck import RecheckOptions

    from .corpus import CorpusPage, seed

    site = FixtureHost()
    sentence = "Unemployment in the fixture city fell to 12 percent in 2025."
    site.routes["/stats"] = Route(body=(
        f"<html><body><article><h1>Fixture statistics</h1><p>{sentence}</p>"
        "<p>More fixture text about the city.</p></article></body></html>").encode())
    try:
        store.load_seeds(seed([CorpusPage("stats", "", "fixture.example", "en", (sentence,))],
                              site.url(""), tmp_path / "seeds"))
        store.add_reviewer("ana", PASSWORD)
        options = RecheckOptions(settings=FetchSettings(
            min_interval=0.0, addresses=AddressPolicy(allow_private=True)),
            archive_dir=None, readers=0, archive_base=None, all_sources=True)
        t0 = datetime(2026, 1, 1, 3, tzinfo=UTC)
        store.recheck(options, clock=lambda: t0)
        site.routes["/stats"] = Route(body=site.routes["/stats"].body.replace(  # type: ignore[union-attr]
            b"12 percent", b"21 percent"))
        store.recheck(options, clock=lambda: t0 + timedelta(days=1))
        (claim,) = store.claims()
        assert claim.needs_review
        publisher = Publisher("Fixture Desk", "https://desk.example/",
                              "https://desk.example/checks/{document}")
        public = tmp_path / "public.html"

        def publish() -> None:
            public.write_text(render(build_report(store), "html", publisher=publisher),
                              encoding="utf-8")

        publish()
        for width in (1280, 390):
            browser.set_window_size(width, 900)
            browser.get(public.as_uri())
            card = browser.find_element(By.ID, f"claim-{claim.key}")
            assert "under-review" in card.get_attribute("class")
            assert "under review" in card.text.lower() and "withdrawn" in card.text
            assert browser.execute_script(OVERFLOW) == []

        served = _SERVERS[-1].start(store)
        sign_in_in(browser, served)
        browser.find_element(By.CSS_SELECTOR, "tr.stale a").click()
        WebDriverWait(browser, 20).until(lambda page: claim.key in page.current_url)
        browser.find_element(By.ID, "rationale").send_keys(
            "The city now reports 21 percent.")
        browser.find_element(By.CSS_SELECTOR,
                             "select#rating option[value=mostly-false]").click()
        browser.find_element(By.XPATH, "//button[text()='Record verdict']").click()
        WebDriverWait(browser, 20).until(lambda page: "Verdict recorded" in page.page_source)
        browser.get(served + "/")
        browser.find_element(By.CSS_SELECTOR, ".conclusion-flag a").click()
        WebDriverWait(browser, 20).until(lambda page: "/documents/" in page.current_url)
        area = browser.find_element(By.ID, "summary")
        area.clear()
        area.send_keys("The city's unemployment figure was revised upwards.")
        browser.find_element(By.XPATH, "//button[text()='Save the conclusion']").click()
        WebDriverWait(browser, 20).until(lambda page: "written again" in page.page_source)
        browser.get(served + "/")
        assert not browser.find_elements(By.CSS_SELECTOR, ".conclusion-flag")
        browser.set_window_size(390, 900)  # the queue on a phone keeps the reasons
        assert browser.execute_script(OVERFLOW) == []

        publish()
        for width in (1280, 390):
            browser.set_window_size(width, 900)
            browser.get(public.as_uri())
            byline = browser.find_element(By.CSS_SELECTOR, ".byline").text
            assert "Updated" in byline and "ana" in byline
            corrections = browser.find_element(By.CSS_SELECTOR, ".corrections").text
            assert "rated True, now Mostly false" in corrections
            assert "21 percent" in corrections
            card = browser.find_element(By.ID, f"claim-{claim.key}")
            assert "mostly false" in card.text.lower() and "under-review" not in (
                card.get_attribute("class") or "")
            assert "revised upwards" in browser.find_element(By.CSS_SELECTOR,
                                                             ".finding").text
            assert browser.execute_script(OVERFLOW) == []
            shot = ARTIFACTS / f"published-after-a-change-{width}.png"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            assert browser.save_screenshot(str(shot))
    finally:
        site.close()


def test_have_we_checked_this_before_on_the_desk(desk: Store) -> None:
    assert client(desk).get("/match").status_code == 303  # to the sign-in page
    http = signed_in(desk)
    form = http.get("/match")
    assert form.status_code == 200 and 'href="/match"' in form.text
    text = ("Tokyo intends to lift military spending to two percent of GDP over five "
            "years, the fixture minister said.\n\n<script>alert(1)</script> was pasted too.")
    assert http.post("/match", data={"text": text}).status_code == 403  # no CSRF token
    answer = http.post("/match", data={"csrf": csrf(form.text), "text": text})
    assert answer.status_code == 200
    assert 'href="/claims/us-japan-alliance-2023/two-percent-of-gdp"' in answer.text
    assert "rated mostly-true" in answer.text
    assert "<script>alert(1)" not in answer.text and "&lt;script&gt;" in answer.text
    empty = http.post("/match", data={"csrf": csrf(form.text), "text": "  "})
    assert empty.status_code == 400 and "Paste some text first" in empty.text
