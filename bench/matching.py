"""Have we checked this before? How well new sentences find the claims they repeat, and
how fast among many claims.

    .venv/bin/python bench/matching.py [--claims 100000]

Quality: every sentence of tests/fixtures/matching.yaml is searched among all of its
claims (those repeated and the table's others). A paraphrase is right when its claim
comes first; a near miss is right when its claim is not found at all. The development
part and the part kept aside are printed apart; thresholds were chosen on the first.

Speed: one article (the seed article's check-worthy sentences) matched against N
generated claims stored in a fresh SQLite database through ``Store.match``: the first
call (embedding and storing every claim) and a second one (the index loaded, as a new
process would) are timed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from factcheck.text.matching import Matcher, embed  # noqa: E402


def labelled() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (ROOT / "tests" / "fixtures" / "matching.yaml").read_text(encoding="utf-8"))
    return data


def quality(held_out: bool = True) -> dict[str, Any]:
    data = labelled()
    claims = [c["claim"] for c in data["claims"]] + list(data["table"])
    matcher = Matcher(range(len(claims)), embed(claims), dict(enumerate(claims)))
    figures: dict[str, Any] = {}
    for part, held in (("development", False), ("held out", True))[:2 if held_out else 1]:
        right: Counter[str] = Counter()
        total: Counter[str] = Counter()
        wrong: list[str] = []
        for i, c in enumerate(data["claims"]):
            if bool(c.get("held_out")) != held:
                continue
            for s in c["same"]:
                found = matcher.search(s)
                total["paraphrase"] += 1
                if found and found[0].claim_id == i:
                    right["paraphrase"] += 1
                else:
                    wrong.append(f"missed: {s}")
            for kind, s in c["not"].items():
                found = matcher.search(s)
                total[kind] += 1
                if all(f.claim_id != i for f in found):
                    right[kind] += 1
                else:
                    wrong.append(f"{kind} matched: {s}")
        tp = right["paraphrase"]
        fp = sum(total[k] - right[k] for k in total if k != "paraphrase")
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / total["paraphrase"]
        figures[part] = {"precision": round(precision, 3), "recall": round(recall, 3),
                         "by_kind": {k: f"{right[k]}/{total[k]}" for k in sorted(total)}}
        print(f"{part}: precision {precision:.2f}, recall {recall:.2f}; "
              + ", ".join(f"{k} {right[k]}/{total[k]}" for k in sorted(total)))
        for line in wrong:
            print("   ", line)
    return figures


PLACES = ("Japan", "Germany", "France", "Brazil", "Kenya", "Canada", "Norway", "Chile",
          "Vietnam", "Poland", "Spain", "Egypt", "Peru", "Ghana", "Austria", "Italy")
TOPICS = ("defense budget", "school funding", "hospital waiting lists", "rail subsidies",
          "coal output", "rents", "wages", "exports", "tourist arrivals", "car sales",
          "measles cases", "prison population", "forest cover", "housing starts")
VERBS = ("rose", "fell", "doubled", "grew", "shrank", "was cut", "was raised")


def generated(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    return [f"{rnd.choice(PLACES)}'s {rnd.choice(TOPICS)} {rnd.choice(VERBS)} "
            f"{rnd.randint(1, 90)}% in {rnd.randint(1990, 2025)} (claim {i})."
            for i in range(n)]


def _fill(store: Any, claims: list[str]) -> None:
    """N claims in one document, written straight to the tables (a seed of 100,000
    claims would measure the seed loader, not the matching)."""
    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from factcheck.store.models import ClaimRow, DocumentRow

    with Session(store.engine) as s, s.begin():
        doc = s.scalar(insert(DocumentRow).values(
            key="bench", text="", text_sha256="0" * 64, authors=[]).returning(DocumentRow.id))
        s.execute(insert(ClaimRow), [
            {"document_id": doc, "key": f"c{i}", "start": 0, "end": 0, "quote": c,
             "assertion": c, "kind": "statistic", "checkable": True}
            for i, c in enumerate(claims)])


def speed(n: int, postgres: str | None = None) -> dict[str, Any]:
    from factcheck import open_store
    from factcheck.seeds import read_seed

    article = read_seed(ROOT / "seeds" / "claims.yaml").document.text
    with tempfile.TemporaryDirectory() as tmp:
        url = postgres or f"sqlite:///{tmp}/bench.db"
        store = open_store(url, migrate=True)
        _fill(store, generated(n))
        t = time.perf_counter()
        store.match(article)
        first = time.perf_counter() - t
        store.close()
        store = open_store(url)
        t = time.perf_counter()
        found = store.match(article)
        second = time.perf_counter() - t
        store.close()
        if postgres:
            _drop(url)
    where = "PostgreSQL" if postgres else "SQLite"
    print(f"{n:,} claims on {where}: first match {first:.2f} s (embeds and stores them), "
          f"then {second:.2f} s in a new store for {len(found)} sentences of the seed article")
    return {"claims": n, "database": where, "first_s": round(first, 2),
            "then_s": round(second, 2)}


def _drop(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL",
                        help="also on this PostgreSQL database (its public schema is emptied "
                             "after: give a scratch database)")
    args = parser.parse_args()
    quality()
    speed(args.claims)
    if args.postgres:
        speed(args.claims, args.postgres)


if __name__ == "__main__":
    main()
