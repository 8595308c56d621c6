"""The one ``anfang`` command.

Each sub-command lives in a small module with an ``add_parser(subparsers)`` function, so this file
only assembles them and sets up logging: the core's commands, then every component class's ``commands``
(class-level, so ``anfang --help`` builds no platform).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

# The core's sub-command modules; features add theirs through ``Component.commands``.
CORE_COMMANDS = (
    "anfang.cli.run",
    "anfang.cli.analyze",
    "anfang.cli.models",
    "anfang.cli.config_cmd",
)


def command_modules() -> list[str]:
    """Core commands, then each component's, in component order (a module named twice is added once)."""
    from anfang.component import component_classes

    names = list(CORE_COMMANDS)
    for cls in component_classes():
        names.extend(n for n in cls.commands if n not in names)
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anfang",
        description="anfang (安防): intelligent security platform — cameras in; detections, tracks, alarms out.",
        epilog="Start with `anfang demo`, then open the printed URL. `anfang COMMAND --help` for details.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in command_modules():  # a missing optional one must not break the others
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name and name.startswith(err.name):
                continue  # that feature is not in this build
            raise
        module.add_parser(sub)
    return parser


def setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S")
    if verbose < 2:
        for noisy in ("uvicorn.access", "alembic", "httpx"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    setup_logging(args.verbose, args.quiet)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
