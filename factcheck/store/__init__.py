"""Persistence: the tables, the engine and migrations, and the :class:`Database` over them.

Storing and querying only; the work done on the data (fetching, the recheck) is
:mod:`factcheck.tracking`'s, brought together with this in :class:`factcheck.Store`.
"""

from factcheck.store.database import Database, Summary
from factcheck.store.seeding import SeedReport

__all__ = ["Database", "SeedReport", "Summary"]
