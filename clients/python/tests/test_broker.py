"""rcm_credentials against the real broker: reads, writes, TOTP, tenancy, retries and error reasons."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
import unittest

from rcm_credentials import (NO_RETRY, CredentialPaused, FailedPrecondition, InvalidArgument, NotFound,
                             PermissionDenied, ResourceExhausted, Unavailable, pb)

from .env import STORE_ATTEMPTS, LocalAws, client, needs_broker, new_portal

SEED = "JBSWY3DPEHPK3PXP"
PUT_PARAMETER = "AmazonSSM.PutParameter"
DELETE_PARAMETER = "AmazonSSM.DeleteParameter"


def expected_totp(seed: str, step: int, digits: int = 6) -> str:
    """RFC 6238 with SHA-1, to check the broker's code independently."""
    digest = hmac.new(base64.b32decode(seed), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


@needs_broker
class BrokerTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.admin = client("ADMIN")
        cls.worker = client("WORKER")
        cls.other_admin = client("OTHER_ADMIN")
        cls.aws = LocalAws()

    @classmethod
    def tearDownClass(cls) -> None:
        for c in (cls.admin, cls.worker, cls.other_admin):
            c.close()

    def tearDown(self) -> None:
        self.aws.reset_faults()

    def stored_portal(self, password: str = "first-pw") -> str:
        portal = new_portal()
        self.admin.register_endpoint(portal, "Test portal", "insurance")
        self.admin.store_credentials(portal, "portal_user", password, mfa_seed=SEED,
                                     metadata={"portal_type": "insurance"})
        return portal

    def test_a_worker_reads_what_an_admin_stored_without_the_seed(self) -> None:
        portal = self.stored_portal("stored-pw")

        read = self.worker.get_credentials(portal)

        self.assertEqual("portal_user", read.credentials.username)
        self.assertEqual("stored-pw", read.credentials.password)
        self.assertEqual("", read.credentials.mfa_seed)
        self.assertEqual({"portal_type": "insurance"}, dict(read.credentials.metadata))
        self.assertEqual(1, read.version)
        self.assertEqual(pb.CREDENTIAL_SOURCE_SECRET_STORE, read.source)
        self.assertEqual(SEED, self.admin.get_credentials(portal, include_mfa_seed=True).credentials.mfa_seed)

    def test_a_rotation_with_a_generated_password_is_read_as_the_next_version(self) -> None:
        portal = self.stored_portal()

        rotated = self.admin.rotate_credentials(portal, password_policy={"length": 24})
        read = self.worker.get_credentials(portal)

        self.assertTrue(rotated.success, rotated.error)
        self.assertEqual(2, rotated.version)
        self.assertEqual(2, read.version)
        self.assertEqual(24, len(read.credentials.password))
        self.assertNotEqual("first-pw", read.credentials.password)

    def test_an_exclusive_code_with_time_left_goes_to_one_caller(self) -> None:
        portal = self.stored_portal()

        code = self.worker.totp(portal, min_remaining_seconds=10, exclusive=True)
        with self.assertRaises(ResourceExhausted) as taken:
            self.worker.totp(portal, exclusive=True)

        self.assertEqual(expected_totp(SEED, code.step), code.code)
        self.assertGreaterEqual(code.valid_until.seconds - time.time(), 9)
        self.assertEqual("TOTP_STEP_TAKEN", taken.exception.reason)
        self.assertGreater(taken.exception.retry_after, 0)
        self.assertLessEqual(taken.exception.retry_after, code.period_seconds)

    def test_another_tenants_portal_is_not_found_like_a_missing_one(self) -> None:
        portal = self.stored_portal()
        nowhere = new_portal()

        with self.assertRaises(NotFound) as foreign:
            self.other_admin.get_credentials(portal)
        with self.assertRaises(NotFound) as missing:
            self.other_admin.get_credentials(nowhere)

        self.assertEqual(missing.exception.reason, foreign.exception.reason)
        self.assertEqual(missing.exception.message.replace(nowhere, "<portal>"),
                         foreign.exception.message.replace(portal, "<portal>"))
        self.assertEqual("first-pw", self.worker.get_credentials(portal).credentials.password)

    def test_a_worker_may_not_delete(self) -> None:
        portal = self.stored_portal()

        with self.assertRaises(PermissionDenied) as denied:
            self.worker.delete_credentials(portal)

        self.assertTrue(denied.exception.reason)
        self.assertTrue(self.admin.delete_credentials(portal).deleted)

    def test_a_store_is_retried_through_a_secret_store_outage_with_its_idempotency_key(self) -> None:
        portal = new_portal()
        self.admin.register_endpoint(portal, "Test portal", "insurance")
        puts_before = self.aws.calls(PUT_PARAMETER)
        self.aws.fail(PUT_PARAMETER, "/" + portal, STORE_ATTEMPTS)  # every attempt of the first call

        with self.assertLogs("rcm_credentials", "WARNING") as retries:
            stored = self.admin.store_credentials(portal, "portal_user", "after-outage")

        self.assertEqual(1, stored.version)
        self.assertIn("retrying StoreCredentials after UNAVAILABLE (SECRET_STORE_UNAVAILABLE)", retries.output[0])
        self.assertGreater(self.aws.calls(PUT_PARAMETER) - puts_before, STORE_ATTEMPTS)
        self.assertEqual("after-outage", self.worker.get_credentials(portal).credentials.password)

    def test_a_write_without_an_idempotency_key_is_not_retried(self) -> None:
        portal = self.stored_portal("kept-pw")
        self.aws.fail(DELETE_PARAMETER, "/" + portal, STORE_ATTEMPTS)  # a second call would pass

        with self.assertRaises(Unavailable) as down:
            self.admin.delete_credentials(portal)

        self.assertEqual("SECRET_STORE_UNAVAILABLE", down.exception.reason)
        self.assertEqual("kept-pw", self.worker.get_credentials(portal).credentials.password)

    def test_without_retries_the_first_unavailable_is_raised(self) -> None:
        portal = new_portal()
        self.admin.register_endpoint(portal, "Test portal", "insurance")
        self.aws.fail(PUT_PARAMETER, "/" + portal, STORE_ATTEMPTS)

        with client("ADMIN", retry=NO_RETRY) as once, self.assertRaises(Unavailable):
            once.store_credentials(portal, "portal_user", "pw")

        with self.assertRaises(NotFound):
            self.worker.get_credentials(portal)

    def test_three_failed_logins_pause_the_credential_until_an_admin_resumes_it(self) -> None:
        portal = self.stored_portal()
        version = self.worker.get_credentials(portal).version

        answers = [self.worker.report_login_outcome(portal, "AUTH_FAILED", version, "wrong password")
                   for _ in range(3)]
        with self.assertRaises(CredentialPaused) as paused:
            self.worker.get_credentials(portal)
        with self.assertRaises(FailedPrecondition):
            self.worker.totp(portal)
        resumed = self.admin.resume_credentials(portal)

        self.assertEqual([False, False, True], [a.paused for a in answers])
        self.assertEqual(3, answers[-1].consecutive_failures)
        self.assertEqual("CREDENTIAL_PAUSED", paused.exception.reason)
        self.assertNotEqual(pb.ROTATION_STATUS_PAUSED, resumed.rotation_status)
        self.assertEqual(version, self.worker.get_credentials(portal).version)

    def test_malformed_input_is_invalid_argument_with_a_stable_reason(self) -> None:
        portal = self.stored_portal()
        cases = {
            "INVALID_PORTAL_ID": lambda: self.worker.get_credentials("not a portal id!"),
            "INVALID_MIN_REMAINING_SECONDS": lambda: self.worker.totp(portal, min_remaining_seconds=-1),
            "INVALID_CREDENTIALS": lambda: self.admin.store_credentials(portal, "u", "p", mfa_seed="not base32!"),
        }
        for reason, call in cases.items():
            with self.subTest(reason), self.assertRaises(InvalidArgument) as invalid:
                call()
            self.assertEqual(reason, invalid.exception.reason)
            self.assertEqual("credentials.rcm.org", invalid.exception.domain)

    def test_a_worker_rotation_is_begun_and_completed(self) -> None:
        portal = self.stored_portal()
        self.admin.set_rotation_schedule(portal, 90, auto_rotate=True, rotate_now=True)

        due = self.worker.list_due_rotations(page_size=1000)
        begun = self.worker.begin_rotation(portal, password_policy={"length": 20}, idempotency_key=portal + "-1")
        again = self.worker.begin_rotation(portal, password_policy={"length": 20}, idempotency_key=portal + "-1")
        completed = self.worker.complete_rotation(portal, begun.rotation_id, True)

        self.assertIn(portal, [d.portal_id for d in due.due])
        self.assertEqual(2, begun.pending_version)
        self.assertEqual(begun.rotation_id, again.rotation_id, "the same key answers the same rotation")
        self.assertEqual(pb.ROTATION_STATUS_ACTIVE, completed.rotation_status)
        self.assertEqual(2, completed.version)
        self.assertEqual(begun.pending_credentials.password, self.worker.get_credentials(portal).credentials.password)

    def test_the_access_log_records_the_calls_and_its_chains_verify(self) -> None:
        portal = self.stored_portal()
        self.worker.get_credentials(portal)

        page = self.admin.query_access_log(portal_id=portal, page_size=10)
        verified = self.admin.verify_audit_log()

        kinds = [entry.access_type for entry in page.entries]
        self.assertIn(pb.ACCESS_TYPE_RETRIEVE, kinds)
        self.assertIn(pb.ACCESS_TYPE_STORE, kinds)
        self.assertTrue(verified.intact, verified.finding)


if __name__ == "__main__":
    unittest.main()
