"""Recording, playback and live streaming of camera video (see docs/recording.md)."""
