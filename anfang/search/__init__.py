"""Attribute, image and plate search; trajectories."""
