"""Persistence: the tables, the engine and migrations, and the :class:`Store` over them."""

from factcheck.store.seeding import SeedReport
from factcheck.store.store import Store, Summary, open_store

__all__ = ["SeedReport", "Store", "Summary", "open_store"]
