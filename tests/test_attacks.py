"""The third round's attacks on archives, seeds, WARC files and notifications, each in
a test named after it (the desk's are in test_desk.py). Each failed before its fix."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factcheck.cli import cli as main
from factcheck.errors import SeedError
from factcheck.seeds import MAX_YAML_NODES, read_seed
from factcheck.tracking.archives import MAX_MEMENTOS, parse_timemap
from factcheck.tracking.notify import compose
from factcheck.tracking.recheck import RunSummary

from .conftest import SEEDS


def test_a_timemap_of_angle_brackets_parses_in_linear_time() -> None:
    # 400,000 '<': quadratic parsing took hours; now a single pass.
    assert parse_timemap("<" * 400_000) == []
    assert parse_timemap("<x" * 200_000 + ">") == []


def test_a_timemap_of_a_hundred_thousand_captures_keeps_a_bounded_few() -> None:
    lines = [f'<http://archive.fixture/web/{i}/x>; rel="memento"; datetime="'
             f'Wed, 01 Jan 2020 {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d} GMT"'
             for i in range(86_400)]
    kept = parse_timemap(",\n".join(lines))
    assert len(kept) == MAX_MEMENTOS
    assert kept[0].url.endswith("/web/0/x") and kept[-1].url.endswith("/web/86399/x")


def test_an_unreadable_timemap_date_is_skipped_alone() -> None:
    text = ('<http://a.fixture/web/1/x>; rel="memento"; '
            'datetime="Fri, 31 Dec 9999 23:59:59 -2359",\n'
            '<http://a.fixture/web/2/x>; rel="memento"; datetime="Wed, 01 Jan 2020 00:00:00 GMT"')
    (kept,) = parse_timemap(text)
    assert kept.url == "http://a.fixture/web/2/x"


def _seed(tmp_path: Path, published: str) -> Path:
    (tmp_path / "article.txt").write_text("A fixture sentence.\n", encoding="utf-8")
    path = tmp_path / "seed.yaml"
    path.write_text(f"""document:
  key: fixture
  text_file: article.txt
  published: {published}
claims: []
""", encoding="utf-8")
    return path


def test_billion_laughs_yaml_is_refused(tmp_path: Path) -> None:
    laughs = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        laughs.append(f"{level}: &{level} [*{previous}, *{previous}, *{previous}, "
                      f"*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, "
                      f"*{previous}]")
    path = tmp_path / "seed.yaml"
    path.write_text("\n".join(laughs) + "\ndocument: {key: fixture, text_file: a.txt, "
                    "published: *j}\nclaims: []\n", encoding="utf-8")
    with pytest.raises(SeedError, match=f"more than {MAX_YAML_NODES:,} YAML nodes"):
        read_seed(path)


def test_a_list_as_a_mapping_key_is_a_one_line_seed_error(tmp_path: Path) -> None:
    path = _seed(tmp_path, "2023")
    path.write_text(path.read_text(encoding="utf-8") + "? [a, b]\n: c\n", encoding="utf-8")
    with pytest.raises(SeedError, match="cannot be a key") as raised:
        read_seed(path)
    assert "\n" not in str(raised.value)


def test_deep_nesting_is_a_one_line_seed_error(tmp_path: Path) -> None:
    path = _seed(tmp_path, "[" * 100_000)
    with pytest.raises(SeedError) as raised:
        read_seed(path)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)


def test_a_seed_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    path = _seed(tmp_path, "2023")
    with path.open("a", encoding="utf-8") as f:
        f.write("# " + "x" * (9 * 2**20) + "\n")
    with pytest.raises(SeedError, match="is over 8 MB"):
        read_seed(path)


def test_insert_or_replace_cannot_rewrite_a_verdict(tmp_path: Path) -> None:
    db = tmp_path / "factcheck.db"
    assert CliRunner().invoke(main, ["--db", str(db), "init"]).exit_code == 0
    assert CliRunner().invoke(main, ["--db", str(db), "seed", str(SEEDS)]).exit_code == 0
    with sqlite3.connect(db) as conn:
        (verdict_id, rating) = conn.execute("SELECT id, rating FROM verdict LIMIT 1").fetchone()
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("INSERT OR REPLACE INTO verdict (id, claim_id, rating, scale, "
                         "rationale, origin, created_at) SELECT id, claim_id, 'false', scale, "
                         "'rewritten', origin, created_at FROM verdict WHERE id = ?",
                         (verdict_id,))
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT rating FROM verdict WHERE id = ?",
                            (verdict_id,)).fetchone() == (rating,)


def _cli(folder: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(folder / "demo.db"), *args])


def _rested(folder: Path) -> dict[str, object]:
    history = json.loads(_cli(folder, "history", "budget", "--json").stdout)
    (rested,) = history[-1]["rested_on"]
    return rested  # type: ignore[no-any-return]


@pytest.fixture
def damaged(demo_folder: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    shutil.copytree(demo_folder, folder)
    return folder


def test_a_tampered_warc_body_is_refused_by_show_snapshot(damaged: Path) -> None:
    rested = _rested(damaged)
    warc = damaged / "archive" / str(rested["warc_file"])
    offset = int(str(rested["warc_offset"]))
    data = warc.read_bytes()
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    member = inflater.decompress(data[offset:])
    altered = member.replace(b"20.3 percent", b"29.3 percent")  # same length, other bytes
    assert altered != member
    warc.write_bytes(data[:offset] + gzip.compress(altered) + inflater.unused_data)
    raw = _cli(damaged, "show-snapshot", str(rested["url"]), "--raw", "--archive",
               str(damaged / "archive"), "--sha", str(rested["content_sha256"])[:12])
    assert raw.exit_code == 1
    assert str(rested["warc_file"]) in raw.output and "altered" in raw.output
    assert b"29.3 percent" not in raw.stdout_bytes


def test_a_truncated_warc_is_named_by_show_snapshot_and_export_wacz(damaged: Path,
                                                                    tmp_path: Path) -> None:
    rested = _rested(damaged)
    warc = damaged / "archive" / str(rested["warc_file"])
    offset = int(str(rested["warc_offset"]))
    warc.write_bytes(warc.read_bytes()[:offset + 40])
    raw = _cli(damaged, "show-snapshot", str(rested["url"]), "--raw", "--archive",
               str(damaged / "archive"), "--sha", str(rested["content_sha256"])[:12])
    assert raw.exit_code == 1 and str(rested["warc_file"]) in raw.output
    assert "Traceback" not in raw.output
    out = _cli(damaged, "export-wacz", "--document", "demo-article", "-o",
               str(tmp_path / "x.wacz"), "--archive", str(damaged / "archive"))
    assert out.exit_code == 1 and str(rested["warc_file"]) in out.output
    assert "truncated or damaged" in out.output


def test_markdown_from_a_page_is_inert_in_notifications() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    summary = RunSummary(1, "finished", None, now, now,
                         newly_stale=[("doc/budget", ["evidence drifted"])],
                         changed_words={"doc/budget": [(
                             "https://fixture.example/", "budget",
                             "[budget](https://evil.example/) ![x](https://evil.example/i)")]})
    _, body = compose(summary)
    assert "[budget](https://evil.example/)" not in body
    assert "\\[budget\\](https://evil.example/)" in body


def test_a_hard_link_does_not_lead_a_seed_out_of_its_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("A private file elsewhere on the disk.\n", encoding="utf-8")
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "article.txt").hardlink_to(outside)
    path = folder / "seed.yaml"
    path.write_text("document: {key: fixture, text_file: article.txt}\nclaims: []\n",
                    encoding="utf-8")
    with pytest.raises(SeedError, match="hard link"):
        read_seed(path)
