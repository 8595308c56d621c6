"""Zones, lines and the rules that turn tracks into events."""
