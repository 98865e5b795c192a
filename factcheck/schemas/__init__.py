"""The JSON Schemas (draft 2020-12) of every ``--json`` output and of the report JSON:
one vocabulary, written down once.

``definitions.schema.json`` holds the shared parts (a claim, its evidence, a verdict, a
source, a run, a change, the review queue); each output's file (``claims.schema.json``,
``report.schema.json``, ...) refers to them. The same thing has the same name and shape
everywhere: a claim's cited words are ``quote``, an evidence link's are ``passage``; a
source's condition is ``source_state``/``state``; ``needs_review`` is a claim's boolean,
``review_queue`` a list of ``{claim, reasons}``, ``review_count`` a run's number;
``run`` is always a run's id; ``claim`` in a list of changes or a queue is
``DOCUMENT/KEY``.

    from factcheck.schemas import schema
    claims = schema("claims")  # refers to schema("definitions") by its $id
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["OUTPUTS", "schema"]

#: The outputs that have a schema (``schema(name)``).
OUTPUTS = tuple(sorted(
    p.name.removesuffix(".schema.json") for p in resources.files(__name__).iterdir()
    if p.name.endswith(".schema.json") and p.name != "definitions.schema.json"))


@cache
def _load(filename: str) -> str:
    return resources.files(__name__).joinpath(filename).read_text(encoding="utf-8")


def schema(name: str) -> dict[str, Any]:
    """The schema of output ``name`` (one of :data:`OUTPUTS`, or ``definitions``)."""
    if name not in (*OUTPUTS, "definitions"):
        raise KeyError(f"no schema {name!r}; there are: {', '.join(OUTPUTS)}")
    loaded: dict[str, Any] = json.loads(_load(f"{name}.schema.json"))
    return loaded
