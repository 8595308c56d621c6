"""``anfang config check FILE`` and ``anfang config schema``."""

from __future__ import annotations

import argparse
import sys

from anfang.config.loader import ConfigError, json_schema, load_config


def _check(args: argparse.Namespace) -> int:
    try:
        cfg = load_config(args.file)
    except ConfigError as err:
        print(err, file=sys.stderr)
        return 1
    rules = sum(len(c.rules) for c in cfg.cameras)
    print(f"{args.file}: OK — {len(cfg.cameras)} camera(s), {rules} rule(s), detector {cfg.detector.type}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    print(json_schema())
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="check a config file or print its JSON schema")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    c = csub.add_parser("check", help="validate a YAML config; errors name the file and the field")
    c.add_argument("file", help="path to the YAML config")
    c.set_defaults(func=_check)
    s = csub.add_parser("schema", help="print the config's JSON schema (for editors and integrators)")
    s.set_defaults(func=_schema)
