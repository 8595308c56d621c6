"""Hand-written migration scripts, one per schema change."""
