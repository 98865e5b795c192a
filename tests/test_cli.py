"""The command line, through click's CliRunner, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.engine import URL

from factcheck.cli import cli

from .conftest import SEEDS


def run(db: URL | str | None, *args: str, env: dict[str, str] | None = None) -> Result:
    prefix = [] if db is None else ["--db", db.render_as_string(hide_password=False)
                                    if isinstance(db, URL) else db]
    return CliRunner().invoke(cli, [*prefix, *args], env=env, catch_exceptions=False)


@pytest.fixture
def seeded_url(db_url: URL) -> URL:
    assert run(db_url, "init").exit_code == 0
    result = run(db_url, "seed", str(SEEDS))
    assert result.exit_code == 0, result.output
    return db_url


def test_init_seed_and_summary(seeded_url: URL) -> None:
    result = run(seeded_url, "seed", str(SEEDS))
    assert "nothing changed" in result.output
    summary = run(seeded_url, "summary")
    assert summary.exit_code == 0
    assert "by verdict: not-checkable" in summary.output
    counts = json.loads(run(seeded_url, "summary", "--json").output)
    assert counts["claims"] == sum(counts["by_kind"].values()) == sum(counts["by_rating"].values())


def test_claims_json_lists_every_claim_with_span_kind_verdict_and_evidence(seeded_url: URL) -> None:
    result = run(seeded_url, "claims", "--json")
    assert result.exit_code == 0
    claims: list[dict[str, Any]] = json.loads(result.output)
    text = (SEEDS / "article.txt").read_text(encoding="utf-8")
    assert len(claims) >= 50
    for claim in claims:
        assert {"key", "quote", "start", "end", "kind", "checkable", "verdict",
                "evidence"} <= set(claim)
        assert text[claim["start"]:claim["end"]] == claim["quote"]
        assert {"rating", "rationale", "created_at"} <= set(claim["verdict"])
        for evidence in claim["evidence"]:
            assert {"url", "passage", "stance", "status", "source_state"} <= set(evidence)
    keys = [c["key"] for c in claims]
    assert len(keys) == len(set(keys))


def test_sources_json(seeded_url: URL) -> None:
    sources = json.loads(run(seeded_url, "sources", "--json").output)
    assert sources, "no sources"
    for source in sources:
        assert {"url", "status", "http_status", "final_url", "title",
                "last_checked_at"} <= set(source)
        assert source["status"] == "unchecked"
        assert source["claims"]


def test_verdict_appends_and_history_shows_it(seeded_url: URL) -> None:
    result = run(seeded_url, "verdict", "ipef-lobbied-by-japan", "false", "--rationale",
                 "A record shows the US proposed it.", "--reviewer", "A. Checker",
                 "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert "false (False)" in result.output
    history = json.loads(run(seeded_url, "history", "ipef-lobbied-by-japan", "--json").output)
    assert [v["rating"] for v in history] == ["misleading", "false"]
    assert history[-1]["reviewed_on"] == "2026-12-01"
    claims = json.loads(run(seeded_url, "claims", "--json").output)
    current = next(c for c in claims if c["key"] == "ipef-lobbied-by-japan")["verdict"]
    assert current["rating"] == "false" and current["reviewer"] == "A. Checker"


@pytest.mark.parametrize(("args", "message"), [
    (["verdict", "fy2023-defense-budget", "pants-on-fire", "--rationale", "x"], "not on the"),
    (["verdict", "no-such-claim", "true", "--rationale", "x"], "no claim 'no-such-claim'"),
    (["verdict", "fy2023-defense-budget", "true"], "Missing option '--rationale'"),
])
def test_mistakes_get_a_message_and_a_non_zero_exit(
        seeded_url: URL, args: list[str], message: str) -> None:
    result = run(seeded_url, *args)
    assert result.exit_code != 0
    assert message in result.output


def test_a_bad_seed_names_file_claim_and_field(seeded_url: URL, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    (tmp_path / "article.txt").write_text("Only one sentence here.", encoding="utf-8")
    bad.write_text("document: {key: bad, text_file: article.txt}\n"
                   "claims:\n  - {key: one, quote: 'Not in the text.', kind: event}\n")
    result = run(seeded_url, "seed", str(bad))
    assert result.exit_code == 1
    assert f"{bad}: claim 'one': field 'quote': does not occur verbatim" in result.output


def test_database_from_env_then_default_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FACTCHECK_DATABASE_URL", raising=False)
    assert run(None, "init").exit_code == 0
    assert (tmp_path / "factcheck.db").exists()
    env_db = tmp_path / "from-env.db"
    result = run(None, "init", env={"FACTCHECK_DATABASE_URL": f"sqlite:///{env_db}"})
    assert result.exit_code == 0 and env_db.exists()


def test_an_uninitialised_database_says_what_to_do(tmp_path: Path) -> None:
    result = run(str(tmp_path / "new.db"), "claims")
    assert result.exit_code == 1
    assert "create it with `factcheck init`" in result.output
    assert not (tmp_path / "new.db").exists()  # a mistyped --db leaves nothing behind
    (tmp_path / "empty.db").touch()  # a file there, but no schema
    result = run(str(tmp_path / "empty.db"), "claims")
    assert result.exit_code == 1
    assert "run `factcheck init`" in result.output


def test_global_options_after_the_command(seeded_url: URL) -> None:
    url = seeded_url.render_as_string(hide_password=False)
    before = CliRunner().invoke(cli, ["--db", url, "summary"])
    after = CliRunner().invoke(cli, ["summary", "--db", url])
    equals = CliRunner().invoke(cli, ["summary", f"--db={url}"])
    assert before.exit_code == after.exit_code == equals.exit_code == 0
    assert before.output == after.output == equals.output


@pytest.mark.parametrize(("args", "message"), [
    (["claims", "--document", "us-japan-alliance-2032"],
     "no document 'us-japan-alliance-2032'; did you mean us-japan-alliance-2023?"),
    (["history", "fy2023-defence-budget"],
     "no claim 'fy2023-defence-budget'; did you mean fy2023-defense-budget?"),
    (["changes", "--run", "99"], "no run 99; no recheck has run yet"),
    (["digest", "--run", "99"], "no run 99; no recheck has run yet"),
])
def test_names_that_do_not_exist_are_errors_with_suggestions(
        seeded_url: URL, args: list[str], message: str) -> None:
    result = run(seeded_url, *args)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {message}"


def test_runs_lists_the_latest_runs(seeded_url: URL) -> None:
    assert run(seeded_url, "runs").output.strip() == "no recheck has run yet"
    assert json.loads(run(seeded_url, "runs", "--json").output) == []


def test_draft_seed_never_overwrites_without_force(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("The council approved 6.8 million crowns on Friday.", encoding="utf-8")
    (tmp_path / "article.yaml").write_text("# my edits\n", encoding="utf-8")
    refused = CliRunner().invoke(cli, ["draft-seed", str(article)])
    assert refused.exit_code == 1 and "--force" in refused.output
    assert (tmp_path / "article.yaml").read_text(encoding="utf-8") == "# my edits\n"
    forced = CliRunner().invoke(cli, ["draft-seed", str(article), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "claims:" in (tmp_path / "article.yaml").read_text(encoding="utf-8")


def test_passwords_stay_out_of_messages() -> None:
    result = run("postgresql://reader:hunter2@127.0.0.1:9/none", "claims")
    assert result.exit_code == 1
    assert "hunter2" not in result.output
    assert "reader:***@" in result.output


def test_every_command_has_help() -> None:
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no help text"
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_python_dash_m_runs_the_cli() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "factcheck", "--version"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("factcheck, version")


def test_custom_scale(tmp_path: Path, seeded_url: URL) -> None:
    scale = tmp_path / "scale.yaml"
    scale.write_text(
        "name: team\nbest: 2\nworst: 1\nratings:\n"
        "  - {slug: correct, name: Correct, definition: Right., value: 2, averitec: Supported}\n"
        "  - {slug: wrong, name: Wrong, definition: Wrong., value: 1, averitec: Refuted}\n"
        "  - {slug: opinion, name: Opinion, definition: Not a fact., value: null,\n"
        "     averitec: Not Enough Evidence, checkable: false}\n")
    listed = CliRunner().invoke(cli, ["--scale", str(scale), "scale"])
    assert listed.output.split()[0] == "correct"
    result = run(seeded_url, "--scale", str(scale), "verdict", "fy2023-defense-budget", "correct",
                 "--rationale", "Matches the budget.")
    assert result.exit_code == 0, result.output


def test_fetch_then_sources_and_snapshots(seeded_url: URL, tmp_path: Path) -> None:
    from factcheck.fixtureweb import FixtureHost, Route, page

    host = FixtureHost()
    try:
        host.routes["/story"] = Route(body=page("article.html"))
        url = host.url("/story")
        refused = run(seeded_url, "fetch", url, "--archive", str(tmp_path / "warc"))
        assert refused.exit_code == 0
        assert refused.output.startswith("refused")
        assert sum(host.hits.values()) == 0
        result = run(seeded_url, "fetch", "--allow-private", "--delay", "0", url, "--json",
                     "--archive", str(tmp_path / "warc"))
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["outcomes"] == {"fetched": 1}
        sources = {s["url"]: s for s in json.loads(run(seeded_url, "sources", "--json").output)}
        fetched = sources[url]
        assert (fetched["status"], fetched["http_status"], fetched["title"]) == (
            "fetched", 200, "Budget plan approved (fixture)")
        assert fetched["content_sha256"] and fetched["text_sha256"] and fetched["last_checked_at"]
        assert fetched["claims"] == []
        history = json.loads(run(seeded_url, "snapshots", url, "--json").output)
        assert [s["outcome"] for s in history] == ["refused", "fetched"]
        assert history[1]["metadata"]["site_name"] == "Fixture Times"
        assert list((tmp_path / "warc").glob("*.warc.gz"))
        assert run(seeded_url, "fetch").exit_code == 2  # neither URLs nor --all
    finally:
        host.close()


def test_reports_public_desk_and_claimreview_needs_a_publisher(seeded_url: URL, tmp_path: Path,
                                                              monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)  # no factcheck.toml here
    monkeypatch.delenv("FACTCHECK_CONFIG", raising=False)
    bare = {"FACTCHECK_ORG_NAME": "", "FACTCHECK_ORG_URL": "", "FACTCHECK_REVIEW_URL": ""}
    missing = run(seeded_url, "report", "--format", "claimreview", env=bare)
    assert missing.exit_code == 2
    assert "missing url (--org-url" in missing.output and '"author"' not in missing.output
    written = run(seeded_url, "reports", str(tmp_path / "out"), env=bare)
    assert written.exit_code == 0, written.output
    assert "no ClaimReview written" in written.output and "note: ClaimReview" not in \
        written.output  # nothing configured: nothing wrong to say
    half = run(seeded_url, "reports", str(tmp_path / "half"), env={**bare,
                                                                "FACTCHECK_ORG_NAME": "X"})
    assert "note: ClaimReview needs the publishing organization: missing url" in half.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"us-japan-alliance-2023.{s}" for s in ("csv", "html", "json", "md")]
    org = ["--org", "Fixture Desk", "--org-url", "https://desk.example/",
           "--review-url", "https://desk.example/{document}"]
    reviews = run(seeded_url, "report", "--format", "claimreview", *org)
    assert reviews.exit_code == 0
    assert len(json.loads(reviews.output)) == 24
    desk = run(seeded_url, "reports", str(tmp_path / "out"), "--audience", "desk",
               "--format", "html,md")
    assert desk.output.split() == [str(tmp_path / "out" / f"us-japan-alliance-2023.desk.{s}")
                                   for s in ("html", "md")]
    bad = run(seeded_url, "reports", "--format", "html,pdf")
    assert bad.exit_code == 2 and "'pdf' is not one of" in bad.output


def test_seed_warns_of_claim_summaries_longer_than_claimreview_advises(
        db_url: URL, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The bridge opened in 1932.\n")
    long_summary = "The bridge, " + "which is long and was built by many people, " * 3 + "opened."
    (tmp_path / "a.yaml").write_text(
        "document: {key: bridge, text_file: a.txt}\n"
        f"claims: [{{key: opened, quote: 'The bridge opened in 1932.', kind: event, "
        f"claim: '{long_summary}'}}]\n")
    assert run(db_url, "init").exit_code == 0
    result = run(db_url, "seed", str(tmp_path))
    assert result.exit_code == 0
    assert f"claim opened: field claim: {len(long_summary)} characters, over the 75" \
        in result.output
