"""Source tracking: when to check, what changed, and which verdicts need review."""
