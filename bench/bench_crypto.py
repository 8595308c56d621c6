"""SM crypto speed against the usual international baselines, measured in the same run.

Prints SM3 vs hashlib.sha256 (MB/s), SM4-GCM vs AES-128-GCM (MB/s, both through ``cryptography``/OpenSSL)
and SM2 (pure-Python gmssl arithmetic) sign/verify in ms, with ratios, so the numbers mean something on
any machine. Run: ``.venv/bin/python bench/bench_crypto.py [--mb 64]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from anfang.security.sm import generate_sm2_keypair, sm2_sign, sm2_verify, sm3, sm4_encrypt  # noqa: E402


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Fastest of ``repeat`` runs: the least disturbed by other processes on a shared machine."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=32, help="payload size in MiB for hash/cipher throughput")
    parser.add_argument("--sm2-n", type=int, default=20, help="SM2 operations per timing")
    args = parser.parse_args()
    data = os.urandom(args.mb << 20)
    mb = float(args.mb)

    sm3_s = best_of(lambda: sm3(data))
    sha_s = best_of(lambda: hashlib.sha256(data).digest())
    print(f"SM3     {mb / sm3_s:8.1f} MB/s  SHA-256 {mb / sha_s:8.1f} MB/s  SM3/SHA-256 speed {sha_s / sm3_s:.2f}x")

    sm4_key, aes = os.urandom(16), AESGCM(os.urandom(16))
    nonce = os.urandom(12)
    sm4_s = best_of(lambda: sm4_encrypt(sm4_key, data))
    aes_s = best_of(lambda: aes.encrypt(nonce, data, None))
    print(f"SM4-GCM    {mb / sm4_s:8.1f} MB/s   AES-GCM {mb / aes_s:8.1f} MB/s   SM4/AES speed {aes_s / sm4_s:.3f}x")

    key = generate_sm2_keypair()
    msg = b"checkpoint head hash" * 4
    sig = sm2_sign(key, msg)
    n = args.sm2_n
    sign_ms = best_of(lambda: [sm2_sign(key, msg) for _ in range(n)], 3) / n * 1000
    verify_ms = best_of(lambda: [sm2_verify(key.public_key, msg, sig) for _ in range(n)], 3) / n * 1000
    print(f"SM2 sign   {sign_ms:8.2f} ms     SM2 verify {verify_ms:8.2f} ms (pure Python)")
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        ecc = ec.generate_private_key(ec.SECP256R1())
        ecsig = ecc.sign(msg, ec.ECDSA(hashes.SHA256()))
        es = best_of(lambda: [ecc.sign(msg, ec.ECDSA(hashes.SHA256())) for _ in range(n)], 3) / n * 1000
        ev = best_of(lambda: [ecc.public_key().verify(ecsig, msg, ec.ECDSA(hashes.SHA256())) for _ in range(n)], 3)
        ev = ev / n * 1000
        print(
            f"P-256 ECDSA sign {es:8.3f} ms  verify {ev:8.3f} ms (OpenSSL)   "
            f"SM2/ECDSA time: sign {sign_ms / es:.0f}x, verify {verify_ms / ev:.0f}x"
        )
    except Exception as err:  # baseline only; never fail the bench for it
        print(f"P-256 baseline unavailable: {err}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
