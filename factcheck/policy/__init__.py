"""Policy: pure decisions over values, no database and no network.

What changed on a source (:mod:`~factcheck.policy.changes`), how a cited passage stands
on a page (:mod:`~factcheck.policy.evidence`), which verdicts went stale
(:mod:`~factcheck.policy.staleness`), and when a source is checked next
(:mod:`~factcheck.policy.schedule`). The recording (:mod:`factcheck.tracking.recording`)
and the queries call them; values in, decisions out.
"""
