"""``python -m consult.verify results.zip [--public-key KEY] [--quiet]``.

Exit status 0 when every check passes, 1 when any fails, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import sys

from .bundle import verify_bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m consult.verify",
        description="Check a consultation's results bundle: file hashes, signature, "
        "ballot log chains, and a recount of every question.",
    )
    parser.add_argument("bundle", help="the results.zip file")
    parser.add_argument(
        "--public-key",
        help="base64 Ed25519 public key the bundle must be signed with "
        "(as published at the site's keys/ address)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the problems")
    args = parser.parse_args(argv)
    report = verify_bundle(args.bundle, args.public_key)
    if not args.quiet:
        for line in report.passed:
            print(f"ok       {line}")
    for line in report.problems:
        print(f"MISMATCH {line}")
    if report.ok:
        print(f"VERIFIED: {len(report.passed)} checks passed.")
        return 0
    print(f"NOT VERIFIED: {len(report.problems)} problem(s), {len(report.passed)} checks passed.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
