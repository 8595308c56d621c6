"""CLI: ``anfang audit verify``, ``anfang evidence verify|export``, ``anfang keys ...``, ``backup``, ``restore``.

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

    from anfang.security.audit import AuditLog, load_mac_key
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
    try:
        mac_key = load_mac_key(Path(args.data_dir) / "keys" / "audit.mac", create=False)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    log = AuditLog(engine, signer, create=False, mac_key=mac_key)
    problems = log.verify()
    if log.before_mac:
        print(f"{log.before_mac} entr{'y' if log.before_mac == 1 else 'ies'} before MAC (hash chain and signed "
              "checkpoints only)")  # fmt: skip
    return _print_problems(problems, "audit log intact")


def _evidence_verify(args: argparse.Namespace) -> int:
    from anfang.security.evidence import verify_bundle

    if args.bundle is None and args.data_dir is None:
        print("error: give a bundle to verify, or --data-dir to check every stored picture", file=sys.stderr)
        return 2
    if args.bundle is None:
        return _verify_stored(args)
    trusted = args.trust or None
    return _print_problems(verify_bundle(args.bundle, trusted), f"bundle {args.bundle} intact")


def _verify_stored(args: argparse.Namespace) -> int:
    """Every stored picture and recording segment of a data dir against its at-rest signature sidecar."""
    from anfang.security.config import SecurityConfig
    from anfang.security.keys import KeyStore, MissingKeyError
    from anfang.security.media import MediaPolicy, media_key

    data_dir = Path(args.data_dir)
    if not data_dir.is_dir():
        print(f"error: no data dir {data_dir}", file=sys.stderr)
        return 2
    try:
        key = media_key(SecurityConfig.model_validate({"sm4_key_file": args.sm4_key_file}), data_dir, create=False)
        verifier = KeyStore(data_dir).signer()  # only the platform's keys count
    except (FileNotFoundError, ValueError, MissingKeyError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    policy = MediaPolicy(None, key, verifier=verifier)
    checked = unsigned = bad = 0
    problems = []
    for path, check in policy.stored_evidence(data_dir):
        try:
            result = check(path)
        except PermissionError as err:
            print(f"error: {err} (pass --sm4-key-file)", file=sys.stderr)
            return 2
        checked += 1
        unsigned += not result.signed
        bad += bool(result.problems)
        for p in result.problems:
            problems.append(f"[{p.kind}] {path.relative_to(data_dir).as_posix()}: {p.message}")
    for line in problems:
        print(line)
    print(f"{checked} stored picture(s) checked: {checked - bad - unsigned} intact, {bad} tampered, "
          f"{unsigned} unsigned")  # fmt: skip
    return 1 if problems else 0


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


def _evidence_export(args: argparse.Namespace) -> int:
    from anfang.security.config import SecurityConfig
    from anfang.security.export import export_event
    from anfang.security.keys import KeyStore, MissingKeyError
    from anfang.security.media import EvidenceTampered, MediaPolicy, media_key
    from anfang.store.db import make_engine
    from anfang.store.events import EventStore

    data_dir = Path(args.data_dir)
    if not (data_dir / "anfang.db").is_file() and not args.db:
        print(f"error: no database in {data_dir}", file=sys.stderr)
        return 2
    try:
        signer = KeyStore(data_dir).signer()
        key = media_key(SecurityConfig.model_validate({"sm4_key_file": args.sm4_key_file}), data_dir, create=False)
    except (MissingKeyError, FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    policy = MediaPolicy(None, key, verifier=signer)  # reads check the platform's signatures first
    store = EventStore(make_engine(args.db, data_dir), data_dir / "media", policy)
    try:
        out = export_event(store, signer, args.event_id, args.output)
    except KeyError:
        print(f"error: no event {args.event_id!r} in {data_dir}", file=sys.stderr)
        return 1
    except EvidenceTampered as err:
        detail = {"refused": "export", "why": str(err)}
        _audit_cli(store.engine, signer, data_dir, "evidence.tampered", args.event_id, detail)
        print(f"error: refused to export event {args.event_id}: {err}", file=sys.stderr)
        return 1
    print(f"exported event {args.event_id} to {out} (signed by key {signer.key_id})")
    return 0


def _audit_cli(engine: Any, signer: Any, data_dir: Path, action: str, target: str, detail: dict[str, Any]) -> None:
    """Append a CLI finding to the data dir's audit chain (as ``cli``); a database without one is left alone."""
    from sqlalchemy import inspect

    from anfang.security.audit import AuditLog, load_mac_key

    if inspect(engine).has_table("audit_log"):
        mac_key = load_mac_key(data_dir / "keys" / "audit.mac", create=False)
        AuditLog(engine, signer, create=False, mac_key=mac_key).append("cli", action, target, detail)


def _passphrase(args: argparse.Namespace) -> str | None:
    """From ``--passphrase-file`` (first line) or ``ANFANG_BACKUP_PASSPHRASE``; ``None`` (and a message) if neither."""
    import os

    from anfang.security.backup import PASSPHRASE_ENV

    if args.passphrase_file is not None:
        try:
            text = Path(args.passphrase_file).read_text(encoding="utf-8").splitlines()
        except OSError as err:
            print(f"error: --passphrase-file: {err}", file=sys.stderr)
            return None
        value = text[0] if text else ""
    else:
        value = os.environ.get(PASSPHRASE_ENV, "")
    if not value:
        print(f"error: backups are encrypted: give --passphrase-file FILE or set {PASSPHRASE_ENV}", file=sys.stderr)
        return None
    return value


def _backup(args: argparse.Namespace) -> int:
    from anfang.security.backup import backup

    passphrase = _passphrase(args)
    if passphrase is None:
        return 2
    try:
        manifest = backup(args.data_dir, args.output, passphrase)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"encrypted backup of {args.data_dir} written to {args.output}: {len(manifest['files'])} files")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from anfang.security.backup import BackupAuthError, restore

    passphrase = _passphrase(args)
    if passphrase is None:
        return 2
    try:
        problems = restore(args.archive, args.data_dir, passphrase)
    except BackupAuthError as err:
        print(f"error: restore refused: {err}", file=sys.stderr)
        return 1
    except (FileExistsError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return _print_problems(problems, f"restored into {args.data_dir}; every file matches the backup manifest")


def add_parser(subparsers: Any) -> None:
    """Register ``audit``, ``evidence`` and ``keys`` on the main CLI's subparsers."""
    audit = subparsers.add_parser("audit", help="audit log tools").add_subparsers(dest="audit_command", required=True)
    av = audit.add_parser("verify", help="check the audit hash chain and signed checkpoints")
    av.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    av.add_argument("--db", help="SQLAlchemy URL (default: sqlite <data-dir>/anfang.db)")
    av.set_defaults(func=_audit_verify)

    evidence = subparsers.add_parser("evidence", help="evidence bundle tools")
    ev_sub = evidence.add_subparsers(dest="evidence_command", required=True)
    ev = ev_sub.add_parser("verify", help="verify an exported bundle offline, or every stored picture (--data-dir)")
    ev.add_argument("bundle", type=Path, nargs="?")
    ev.add_argument("--trust", action="append", metavar="KEY_ID", help="accept only these signing key ids")
    ev.add_argument("--data-dir", type=Path, help="check every stored picture of this data dir (no bundle)")
    ev.add_argument("--sm4-key-file", type=Path, help="media key when pictures are encrypted at rest")
    ev.set_defaults(func=_evidence_verify)
    ex = ev_sub.add_parser("export", help="export one event as a signed evidence bundle (.zip or directory)")
    ex.add_argument("event_id")
    ex.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    ex.add_argument("--db", help="SQLAlchemy URL (default: sqlite <data-dir>/anfang.db)")
    ex.add_argument("--sm4-key-file", type=Path, help="media key when snapshots are encrypted at rest")
    ex.add_argument("-o", "--output", type=Path, required=True)
    ex.set_defaults(func=_evidence_export)

    bk = subparsers.add_parser("backup", help="encrypted backup of a data dir: database, keys, media (+ manifest)")
    bk.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    bk.add_argument("-o", "--output", type=Path, required=True, help="archive to write (encrypted .tar.gz)")
    bk.add_argument("--passphrase-file", type=Path, help="file whose first line is the passphrase "
                    "(default: $ANFANG_BACKUP_PASSPHRASE)")  # fmt: skip
    bk.set_defaults(func=_backup)
    rs = subparsers.add_parser("restore", help="restore a backup into a new data dir and verify every file")
    rs.add_argument("archive", type=Path)
    rs.add_argument("--data-dir", type=Path, required=True)
    rs.add_argument("--passphrase-file", type=Path, help="the backup's passphrase (default: $ANFANG_BACKUP_PASSPHRASE)")
    rs.set_defaults(func=_restore)

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
