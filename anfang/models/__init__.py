"""The offline model pack: built from registry packages, verified by sha256, loaded by plug-ins."""
