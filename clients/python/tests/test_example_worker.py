"""examples/worker.py, run as a worker team would run it, against the real broker."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import unittest
from pathlib import Path

from rcm_credentials import pb

from .env import client, needs_broker, new_portal

WORKER = Path(__file__).resolve().parents[1] / "examples" / "worker.py"


def load_example():
    """examples/worker.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("example_worker", WORKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_broker
class ExampleWorkerTest(unittest.TestCase):

    def test_the_example_worker_logs_in_and_reports_it(self) -> None:
        portal = new_portal("py-example")
        with client("ADMIN") as admin:
            admin.register_endpoint(portal, "Example portal", "insurance")
            admin.store_credentials(portal, "portal_user", "example-pw", mfa_seed="JBSWY3DPEHPK3PXP")

        env = os.environ
        run = subprocess.run([sys.executable, str(WORKER), "--target", env["RCM_TARGET"],
                              "--cert", env["RCM_WORKER_CERT"], "--key", env["RCM_WORKER_KEY"],
                              "--ca", env["RCM_CA"], "--portal", portal],
                             capture_output=True, text=True, timeout=120)

        self.assertEqual(0, run.returncode, run.stdout + run.stderr)
        self.assertIn(f"{portal}: SUCCESS with version 1", run.stdout)
        self.assertNotIn("example-pw", run.stdout + run.stderr)

    def test_the_example_worker_reads_again_when_the_password_changed_meanwhile(self) -> None:
        portal = new_portal("py-example")
        example = load_example()
        with client("ADMIN") as admin, client("WORKER") as worker:
            admin.register_endpoint(portal, "Example portal", "insurance")
            # 15 s steps: the second login waits for the next step, as the first one took this one
            admin.store_credentials(portal, "portal_user", "old-pw", mfa_seed="JBSWY3DPEHPK3PXP",
                                    metadata={"totp_period": "15"})

            class PasswordChangedDuringLogin(example.FakePortal):
                """Refuses the first login because an admin rotated the password meanwhile."""

                def login(self, username: str, password: str, code: str) -> str:
                    if password == "old-pw":
                        admin.rotate_credentials(portal, password="new-pw")
                        return "AUTH_FAILED"
                    return super().login(username, password, code)

            outcome = example.log_in_once(worker, PasswordChangedDuringLogin(), portal)
            after = worker.get_credentials(portal)

        self.assertEqual("SUCCESS", outcome)
        self.assertEqual(2, after.version)
        self.assertEqual(pb.ROTATION_STATUS_ACTIVE, after.rotation_status)


if __name__ == "__main__":
    unittest.main()
