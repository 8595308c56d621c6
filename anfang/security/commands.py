"""CLI: ``anfang audit verify``, ``anfang evidence verify``, ``anfang keys generate|rotate|show``.

Verification commands exit 0 when intact, 1 when problems were found (each printed on its own line, naming
the entry or file), 2 when they could not run — so scripts and cron jobs can alarm on the exit status.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path("./anfang-data")


def _print_problems(problems: list[Any], ok_message: str) -> int:
    if not problems:
        print(ok_message)
        return 0
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s) found", file=sys.stderr)
    return 1


def _audit_verify(args: argparse.Namespace) -> int:
    from sqlalchemy import create_engine, inspect

    from anfang.security.audit import AuditLog
    from anfang.security.keys import KeyStore, MissingKeyError

    url = args.db or f"sqlite:///{(Path(args.data_dir) / 'anfang.db').resolve()}"
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        print(f"error: no database at {url}", file=sys.stderr)
        return 2
    engine = create_engine(url)
    if not inspect(engine).has_table("audit_log"):
        print(f"error: {url} has no audit_log table", file=sys.stderr)
        return 2
    try:
        signer = KeyStore(args.data_dir).signer()
    except MissingKeyError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    log = AuditLog(engine, signer, create=False)
    return _print_problems(log.verify(), "audit log intact")


def _evidence_verify(args: argparse.Namespace) -> int:
    from anfang.security.evidence import verify_bundle

    trusted = args.trust or None
    return _print_problems(verify_bundle(args.bundle, trusted), f"bundle {args.bundle} intact")


def _keys(args: argparse.Namespace) -> int:
    from anfang.security.keys import KeyStore, MissingKeyError

    store = KeyStore(args.data_dir)
    try:
        if args.keys_command == "generate":
            print(f"generated platform key {store.generate(force=args.force)}")
        elif args.keys_command == "rotate":
            old, new = store.rotate()
            print(f"rotated platform key {old} -> {new} (old public key kept for verification)")
        else:
            current = store.current_key_id()
            for kid, key in store.public_keys().items():
                mark = "*" if kid == current else " "
                print(f"{mark} {kid}  {key.to_hex()}")
            for dev, key in store.devices().items():
                print(f"  device {dev}  {key.key_id()}")
            if current is None:
                print("no platform key yet: run `anfang keys generate`", file=sys.stderr)
                return 1
    except (FileExistsError, MissingKeyError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


def add_parser(subparsers: Any) -> None:
    """Register ``audit``, ``evidence`` and ``keys`` on the main CLI's subparsers."""
    audit = subparsers.add_parser("audit", help="audit log tools").add_subparsers(dest="audit_command", required=True)
    av = audit.add_parser("verify", help="check the audit hash chain and signed checkpoints")
    av.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    av.add_argument("--db", help="SQLAlchemy URL (default: sqlite <data-dir>/anfang.db)")
    av.set_defaults(func=_audit_verify)

    evidence = subparsers.add_parser("evidence", help="evidence bundle tools")
    ev_sub = evidence.add_subparsers(dest="evidence_command", required=True)
    ev = ev_sub.add_parser("verify", help="verify an exported bundle offline (directory or .zip)")
    ev.add_argument("bundle", type=Path)
    ev.add_argument("--trust", action="append", metavar="KEY_ID", help="accept only these signing key ids")
    ev.set_defaults(func=_evidence_verify)

    keys = subparsers.add_parser("keys", help="platform SM2 keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    for name, text in (
        ("generate", "create the platform key pair"),
        ("rotate", "new signing key; old public keys stay for verification"),
        ("show", "list key ids and public keys"),
    ):
        p = keys_sub.add_parser(name, help=text)
        p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
        if name == "generate":
            p.add_argument("--force", action="store_true", help="replace an existing key (prefer rotate)")
        p.set_defaults(func=_keys)
