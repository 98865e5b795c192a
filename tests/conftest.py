"""Shared fixtures: a migrated store on SQLite and on a real PostgreSQL.

PostgreSQL tests run against ``$FACTCHECK_TEST_POSTGRES_URL`` (default: the local
server, database ``test``), each test in a schema of its own that is dropped after.
When no server answers they skip with the reason, except in CI (``CI=true``),
where an unreachable server fails the run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from factcheck import Store, open_store
from factcheck.fixtureweb import FixtureHost
from factcheck.store.models import ClaimRow, EvidenceRow, SourceRow
from factcheck.text.anchor import word_diff

# Tests never reach an outside address: no lookups in the real Wayback Machine. The
# archive tests point at a loopback archive of their own.
os.environ["FACTCHECK_ARCHIVE_BASE"] = "off"
os.environ.pop("FACTCHECK_ARCHIVE_SETTLES", None)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
POSTGRES_URL = os.environ.get(
    "FACTCHECK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

_postgres_error: str | None = None
_postgres_checked = False

#: The fetch, safety and WARC tests run on both HTTP machineries under the httpx
#: interface: aiohttp's (the default) and httpx's own.
BOTH_MACHINERIES = {"test_fetch_loopback", "test_hostile", "test_safety", "test_attacks",
                    "test_archives", "test_soft404"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module in BOTH_MACHINERIES and "httpx_mock" not in metafunc.fixturenames:
        metafunc.fixturenames.append("http_machinery")
        metafunc.parametrize("http_machinery", ["aiohttp", "httpx"])


@pytest.fixture(autouse=True)
def _http_machinery(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """``$FACTCHECK_HTTP`` for the test: its parameter; httpx where pytest-httpx mocks
    httpx's transport; else the default (aiohttp)."""
    callspec = getattr(request.node, "callspec", None)
    chosen = callspec.params.get("http_machinery") if callspec else None
    if chosen is None and "httpx_mock" in request.fixturenames:
        chosen = "httpx"
    if chosen is None:
        monkeypatch.delenv("FACTCHECK_HTTP", raising=False)
    else:
        monkeypatch.setenv("FACTCHECK_HTTP", chosen)


def _postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can (asked once per run)."""
    global _postgres_checked, _postgres_error
    if not _postgres_checked:
        _postgres_checked = True
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                conn.execute(text("select 1"))
        except (OperationalError, ModuleNotFoundError) as exc:
            _postgres_error = f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string()} " \
                              f"is unreachable: {str(exc).splitlines()[0]}"
        finally:
            engine.dispose()
    return _postgres_error


def require_postgres() -> None:
    reason = _postgres_unreachable()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run)")
    pytest.skip(reason)


@pytest.fixture
def postgres_url() -> Iterator[URL]:
    """A URL on the PostgreSQL server whose search_path is a fresh, empty schema."""
    require_postgres()
    schema = f"fc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    try:
        yield make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> URL:
    return make_url(f"sqlite:///{tmp_path / 'factcheck.db'}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> URL:
    """Each test that takes it runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")  # type: ignore[no-any-return]


@pytest.fixture
def store(db_url: URL) -> Iterator[Store]:
    with open_store(db_url, migrate=True) as s:
        yield s


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A writable copy of seeds/ for tests that edit the seed file."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's folder (make demo: its database, WARC files and reports), made once;
    a test that changes it works on a copy."""
    from factcheck import demo

    folder = tmp_path_factory.mktemp("demo")
    assert demo.main([str(folder)]) == 0
    return folder


# -- the seeded article, for the reports and the desk ---------------------------------

HOSTILE = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'
ARTIFACTS = Path(os.environ.get("FACTCHECK_TEST_ARTIFACTS", ROOT / "build" / "test-artifacts"))


@pytest.fixture
def seeded(store: Store) -> Store:
    store.load_seeds(SEEDS)
    with Session(store.engine) as s, s.begin():
        s.execute(update(SourceRow).where(SourceRow.url.like("%nippon.com%"))
                  .values(title=HOSTILE))
    return store


def drift(store: Store) -> None:
    """The desk's view of a bad night: an evidence passage edited, a source whose name
    no longer resolves, both with the resolver's and the file system's words."""
    with Session(store.engine) as s, s.begin():
        budget = s.scalars(select(EvidenceRow).join(ClaimRow).where(
            ClaimRow.key == "fy2023-defense-budget")).first()
        assert budget is not None
        budget.status = "figures-changed"
        budget.status_reason = "a cited figure changed: 26.3 is now 20.3 [Errno -2]"
        budget.found_text = budget.quote.replace("26.3", "20.3")
        budget.diff = [list(op) for op in word_diff(budget.quote, budget.found_text)]
        source = budget.source
        source.state, source.state_reason = "gone", "[Errno -2] Name or service not known"
        source.title = "archive/2026.warc.gz"


# -- a real browser, for the pages people read ------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, driven by selenium through Debian's chromedriver (no downloads)."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (binary and driver_path):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium or chromedriver is missing (make test installs them)")
        pytest.skip("chromium and chromedriver are not installed: `apt-get install chromium "
                    "chromium-driver` (make test does)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--hide-scrollbars",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        yield driver
    finally:
        driver.quit()


#: The elements that hold text: none may stick out of the page's column.
OVERFLOW = """
const out = [];
const width = document.documentElement.clientWidth;
if (document.documentElement.scrollWidth > width) out.push('page scrolls sideways');
for (const el of document.querySelectorAll('h1,h2,h3,h4,p,li,blockquote,dt,dd,.verdict,.tag,q,a')) {
  const box = el.closest('header, main, footer') || document.body;
  const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
  if (r.width && (r.right > b.right + 1 || r.left < b.left - 1))
    out.push(el.tagName + '.' + el.className + ': ' + el.textContent.slice(0, 40));
  if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline')
    out.push('clipped ' + el.tagName + ': ' + el.textContent.slice(0, 40));
}
return out;
"""


# -- loopback fixture hosts -----------------------------------------------------------

@pytest.fixture
def fixture_hosts() -> Iterator[Callable[[int], list[FixtureHost]]]:
    """Loopback fixture hosts, as many as a test asks for, closed after it."""
    made: list[FixtureHost] = []

    def make(count: int = 1) -> list[FixtureHost]:
        hosts = [FixtureHost() for _ in range(count)]
        made.extend(hosts)
        return hosts

    yield make
    for host in made:
        host.close()
