#!/usr/bin/env python3
"""A portal worker's login loop against a fake payer portal.

For each login: get the credentials and their version, get an exclusive TOTP code with at least
10 s left, log in to the (fake) portal, report the outcome with that version, and start again from
the credentials when the answer's current_version is newer (the password changed meanwhile).

Against `./mvnw -Plocal` (tenant demo), after an admin stored credentials for the portal:

    /usr/bin/python3 clients/python/examples/worker.py --pki target/local/pki --portal bcbs

Prints what happened, never a password or a code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Set

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from rcm_credentials import CredentialClient, CredentialPaused, RcmError  # noqa: E402

MIN_REMAINING_SECONDS = 10


class FakePortal:
    """Stands in for a payer portal: refuses an empty password and a code used twice."""

    def __init__(self) -> None:
        self.used_codes: Set[str] = set()

    def login(self, username: str, password: str, code: str) -> str:
        """The login outcome as ReportLoginOutcome names it."""
        if not username or not password:
            return "AUTH_FAILED"
        if code in self.used_codes:
            return "MFA_FAILED"
        self.used_codes.add(code)
        return "SUCCESS"


def log_in_once(broker: CredentialClient, portal: FakePortal, portal_id: str) -> str:
    """One login, re-reading the credentials while the broker says they changed meanwhile."""
    while True:
        read = broker.get_credentials(portal_id)
        code = broker.totp(portal_id, min_remaining_seconds=MIN_REMAINING_SECONDS, exclusive=True)
        outcome = portal.login(read.credentials.username, read.credentials.password, code.code)
        report = broker.report_login_outcome(portal_id, outcome, read.version)
        if report.current_version <= read.version:
            print(f"{portal_id}: {outcome} with version {read.version}"
                  f" (consecutive failures {report.consecutive_failures})")
            return outcome
        print(f"{portal_id}: version {report.current_version} is newer than {read.version}; reading again")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", default="localhost:8443", help="the broker's gRPC host:port")
    parser.add_argument("--pki", default="target/local/pki", help="folder of the certificates below")
    parser.add_argument("--identity", default="demo-worker", help="<identity>.crt and .key in --pki")
    parser.add_argument("--cert", help="client certificate (default: --pki/--identity.crt)")
    parser.add_argument("--key", help="its private key (default: --pki/--identity.key)")
    parser.add_argument("--ca", help="the broker's CA (default: --pki/ca.crt)")
    parser.add_argument("--portal", required=True, help="portal id")
    parser.add_argument("--logins", type=int, default=1, help="how many logins")
    args = parser.parse_args()
    pki = Path(args.pki)
    cert = args.cert or pki / f"{args.identity}.crt"
    key = args.key or pki / f"{args.identity}.key"
    ca = args.ca or pki / "ca.crt"

    portal = FakePortal()
    with CredentialClient(args.target, cert, key, ca) as broker:
        for _ in range(args.logins):
            try:
                if log_in_once(broker, portal, args.portal) != "SUCCESS":
                    return 1
            except CredentialPaused:
                print(f"{args.portal}: paused after failed logins; an admin must resume or replace it")
                return 2
            except RcmError as e:
                print(f"{args.portal}: {e}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
