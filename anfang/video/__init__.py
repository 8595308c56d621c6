"""Decoding helpers, snapshots and crops."""
