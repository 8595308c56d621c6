"""Sub-commands of the ``anfang`` CLI (each module exposes ``add_parser``)."""
