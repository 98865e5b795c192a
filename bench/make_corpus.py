"""Build the corpus of real pages (tests/fixtures/corpus) from two public test sets.

Not part of the test run: it was run once, and its output is committed. It needs
Debian's chromium and chromedriver (``make test`` installs them) and local copies of

- https://github.com/scrapinghub/article-extraction-benchmark (MIT licence): 181 real
  article pages, gzipped, with the article's text as annotators read it
  (``ground-truth.json``);
- https://github.com/mozilla/readability (Apache License 2.0): its test pages; we take
  the real published pages that are not in English (Japanese, Chinese, German, French,
  Spanish, Portuguese, Czech), with readability's own ``expected.html`` as the article.

Each page is served on loopback and opened in headless Chromium with scripts off and no
network beyond loopback; ``document.body.innerText`` is what a reader sees. A cited
sentence is a sentence of that text (one line of it, so one paragraph) that also stands
in the article's text (so not navigation), of 40 to 300 characters: the first with a
figure, then others drawn by a generator seeded with the page's name, up to three. They
are chosen without looking at what factcheck makes of the page.

    python bench/make_corpus.py SCRAPINGHUB_GIT_DIR READABILITY_GIT_DIR
"""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from factcheck.fixtureweb import FixtureHost, Route

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "corpus"
#: readability's test pages that are real published pages in other languages than English.
READABILITY = {"hukumusume": "ja", "aktualne": "cs", "folha": "pt", "heise": "de",
               "lemonde-1": "fr", "liberation-1": "fr", "la-nacion": "es", "nytimes-5": "es",
               "gmw": "zh", "qq": "zh", "youth": "zh", "pixnet": "zh", "cnet-svg-classes": "es"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“‘(A-Z0-9¿¡À-Ý])|(?<=[。！？])")
_DIGIT = re.compile(r"\d")


def git_show(repo: Path, path: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={repo}", "show", f"HEAD:{path}"],
                          check=True, capture_output=True).stdout


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--blink-settings=scriptEnabled=false,imagesEnabled=false",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options,
                              service=Service(shutil.which("chromedriver") or "chromedriver"))
    driver.set_page_load_timeout(30)
    return driver


def sentences(inner_text: str, article: str) -> list[str]:
    whole = squash(article)
    found = []
    for line in inner_text.splitlines():
        line = " ".join(line.split())
        for sentence in _SENTENCE_END.split(line):
            sentence = sentence.strip()
            if 40 <= len(sentence) <= 300 and squash(sentence) in whole:
                found.append(sentence)
    return list(dict.fromkeys(found))


def choose(name: str, candidates: list[str]) -> list[str]:
    chosen = [s for s in candidates if _DIGIT.search(s)][:1]
    rest = [s for s in candidates if s not in chosen]
    random.Random(name).shuffle(rest)
    return chosen + rest[:3 - len(chosen)]


def main(scrapinghub: Path, readability: Path) -> None:
    pages: list[tuple[str, bytes, str, str, str, str]] = []  # name, body, url, lang, ...
    truth = json.loads(git_show(scrapinghub, "ground-truth.json"))
    for key, item in sorted(truth.items()):
        body = gzip.decompress(git_show(scrapinghub, f"html/{key}.html.gz"))
        pages.append((key, body, item["url"], "", item["articleBody"],
                      "scrapinghub/article-extraction-benchmark (MIT)"))
    for name, language in READABILITY.items():
        body = git_show(readability, f"test/test-pages/{name}/source.html")
        expected = git_show(readability, f"test/test-pages/{name}/expected.html")
        import lxml.html
        article = lxml.html.fromstring(expected.decode("utf-8")).text_content()
        metadata = json.loads(git_show(readability,
                                       f"test/test-pages/{name}/expected-metadata.json"))
        pages.append((name, body, metadata.get("url") or f"readability:{name}", language,
                      article, "mozilla/readability test pages (Apache-2.0)"))

    host = FixtureHost()
    driver = browser()
    entries = []
    (OUT / "pages").mkdir(parents=True, exist_ok=True)
    try:
        for name, body, url, language, article, origin in pages:
            host.routes[f"/{name}"] = Route(body=body, validators=False)
            try:
                driver.get(f"http://127.0.0.1:{host.port}/{name}")
                inner = driver.execute_script("return document.body.innerText") or ""
            except Exception as exc:
                print(f"{name}: {type(exc).__name__}", file=sys.stderr)
                continue
            chosen = choose(name, sentences(inner, article))
            if len(chosen) < 2:
                print(f"{name}: {len(chosen)} sentence(s), left out", file=sys.stderr)
                continue
            (OUT / "pages" / f"{name}.html.gz").write_bytes(gzip.compress(body, 9, mtime=0))
            entries.append({"name": name, "url": url,
                            "site": urlsplit(url).hostname or url,
                            "language": language or None, "origin": origin,
                            "sentences": chosen})
    finally:
        driver.quit()
    (OUT / "corpus.json").write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n",
                                     encoding="utf-8")
    print(f"{len(entries)} pages from {len({e['site'] for e in entries})} sites, "
          f"{sum(len(e['sentences']) for e in entries)} cited sentences")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
