"""``anfang gb28181``: run the GB/T 28181 SIP platform that cameras and NVRs register to."""

from __future__ import annotations

import argparse

from anfang.gb28181.__main__ import DESCRIPTION, add_arguments, run_server


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gb28181", help="run the GB/T 28181 SIP server devices register to", description=DESCRIPTION)
    add_arguments(p)
    p.set_defaults(func=run_server)
