"""Structured records (GA/T 1400 shapes) built from finished tracks: model, builder observer, store, export."""
