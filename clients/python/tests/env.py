"""The broker under test, as ClientSuitesIT (or a developer) describes it in environment variables.

RCM_TARGET (host:port), RCM_CA, RCM_WORKER_CERT/RCM_WORKER_KEY and RCM_ADMIN_CERT/RCM_ADMIN_KEY
(a worker and an admin of one tenant), RCM_OTHER_ADMIN_CERT/RCM_OTHER_ADMIN_KEY (an admin of
another tenant), RCM_AWS_URL (the local AWS endpoint, whose /_local/ control API injects faults).
"""

from __future__ import annotations

import json
import os
import unittest
import urllib.request
import uuid
from typing import Dict

from rcm_credentials import CredentialClient, RetryPolicy

REQUIRED = ("RCM_TARGET", "RCM_CA", "RCM_WORKER_CERT", "RCM_WORKER_KEY", "RCM_ADMIN_CERT", "RCM_ADMIN_KEY",
            "RCM_OTHER_ADMIN_CERT", "RCM_OTHER_ADMIN_KEY", "RCM_AWS_URL")
MISSING = [name for name in REQUIRED if not os.environ.get(name)]
needs_broker = unittest.skipIf(MISSING, f"no broker described: {', '.join(MISSING)} unset")

# The broker's AWS SDK tries each call rcm.aws.max-attempts times before it answers UNAVAILABLE.
STORE_ATTEMPTS = int(os.environ.get("RCM_AWS_MAX_ATTEMPTS", "3"))
FAST_RETRY = RetryPolicy(max_attempts=4, initial_backoff=0.05, max_backoff=0.5)


def client(role: str, **options) -> CredentialClient:
    """A client with the certificate of ``role``: ``WORKER``, ``ADMIN`` or ``OTHER_ADMIN``."""
    env = os.environ
    options.setdefault("retry", FAST_RETRY)
    return CredentialClient(env["RCM_TARGET"], env[f"RCM_{role}_CERT"], env[f"RCM_{role}_KEY"], env["RCM_CA"],
                            **options)


def new_portal(prefix: str = "py") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class LocalAws:
    """The local AWS endpoint's control API: call counts and injected faults."""

    def __init__(self, base_url: str = "") -> None:
        self.base_url = (base_url or os.environ["RCM_AWS_URL"]).rstrip("/")

    def fail(self, target: str, resource: str, count: int) -> None:
        """The next ``count`` calls to ``target`` naming ``resource`` answer 500 without applying."""
        self._send("POST", "faults", {"target": target, "resource": resource, "mode": "fail", "count": count})

    def reset_faults(self) -> None:
        self._send("POST", "faults/reset", {})

    def calls(self, target: str) -> int:
        counts: Dict[str, int] = self._send("GET", "calls", None)
        return counts.get(target, 0)

    def _send(self, method: str, route: str, body):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base_url}/_local/{route}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")
