"""CredentialClient: the broker's two services over one mTLS channel."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional, TypeVar, Union

import grpc
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from ._generated.rcm.credentials.v1 import credentials_pb2 as pb
from ._generated.rcm.credentials.v1 import credentials_pb2_grpc as pb_grpc
from .errors import Unavailable, from_rpc_error
from .retry import RetryPolicy

LOG = logging.getLogger("rcm_credentials")
USER_AGENT = "rcm-credentials-python/1.0"
MAX_TOTP_PERIOD = 300  # seconds; a credential's totp_period is 10..300

Response = TypeVar("Response", bound=Message)
PathLike = Union[str, Path]


class CredentialClient:
    """A client of the credential broker for portal workers and tenant admins.

    The caller's tenant and role come from its client certificate. Every call has a deadline
    (``timeout`` seconds, per attempt; each method takes its own ``timeout`` too). Calls that are
    safe to repeat are retried on UNAVAILABLE under ``retry``: reads, and the writes that carry an
    idempotency key (generated here for Store, Rotate and BeginRotation when none is given) or a
    rotation id (CompleteRotation). Other writes (Delete, ReportLoginOutcome, the admin changes)
    are tried once. Failures raise :class:`rcm_credentials.RcmError` subclasses. Use it as a
    context manager, or call :meth:`close`.

    Args:
        target: ``host:port`` of the broker's gRPC port.
        cert, key: the client certificate and its private key (PEM files).
        ca: the CA that signed the broker's server certificate (PEM file).
        timeout: default deadline in seconds for one attempt of a call.
        retry: how often and how long to wait when retrying; ``NO_RETRY`` turns retries off.
        server_name: the name to check in the server certificate, when it is not ``target``'s host.
    """

    def __init__(self, target: str, cert: PathLike, key: PathLike, ca: PathLike, *, timeout: float = 10.0,
                 retry: RetryPolicy = RetryPolicy(), server_name: Optional[str] = None) -> None:
        credentials = grpc.ssl_channel_credentials(root_certificates=Path(ca).read_bytes(),
                                                   private_key=Path(key).read_bytes(),
                                                   certificate_chain=Path(cert).read_bytes())
        options = [("grpc.primary_user_agent", USER_AGENT)]
        if server_name:
            options.append(("grpc.ssl_target_name_override", server_name))
        self._channel = grpc.secure_channel(target, credentials, options)
        self._credentials = pb_grpc.CredentialServiceStub(self._channel)
        self._admin = pb_grpc.CredentialAdminServiceStub(self._channel)
        self.timeout = timeout
        self.retry = retry

    def close(self) -> None:
        """Closes the channel; calls in flight fail CANCELLED."""
        self._channel.close()

    def __enter__(self) -> "CredentialClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- what workers call ------------------------------------------------------------------

    def get_credentials(self, portal_id: str, include_mfa_seed: bool = False, *,
                        timeout: Optional[float] = None) -> pb.GetCredentialsResponse:
        """The portal's current credentials and their ``version`` (the seed only for admins that ask)."""
        request = pb.GetCredentialsRequest(portal_id=portal_id, include_mfa_seed=include_mfa_seed)
        return self._call(self._credentials.GetCredentials, request, timeout, retryable=True)

    def totp(self, portal_id: str, min_remaining_seconds: int = 0, exclusive: bool = False, *,
             timeout: Optional[float] = None) -> pb.GenerateTotpResponse:
        """The portal's TOTP code with at least ``min_remaining_seconds`` left (the broker waits for
        the next step when fewer remain). ``exclusive``: nobody else gets this step's code; another
        caller in the same step gets :class:`ResourceExhausted` with ``retry_after``, or, with
        ``min_remaining_seconds``, the next step's code when it starts. The default deadline is the
        client's plus the longest such wait: ``min_remaining_seconds``, or for an exclusive code the
        longest TOTP period (300 s). An exclusive request claims its step, so it is not retried."""
        request = pb.GenerateTotpRequest(portal_id=portal_id, min_remaining_seconds=min_remaining_seconds,
                                         exclusive=exclusive)
        wait = MAX_TOTP_PERIOD if exclusive and min_remaining_seconds else min_remaining_seconds
        deadline = timeout if timeout is not None else self.timeout + wait
        return self._call(self._credentials.GenerateTotp, request, deadline, retryable=not exclusive)

    def report_login_outcome(self, portal_id: str, outcome: Union[str, int], version: int, detail: str = "", *,
                             timeout: Optional[float] = None) -> pb.ReportLoginOutcomeResponse:
        """Reports a login with credentials ``version``: ``outcome`` is ``SUCCESS``, ``AUTH_FAILED``,
        ``LOCKED``, ``MFA_FAILED`` (or the enum value). When the answer's ``current_version`` is
        newer than ``version``, the password changed: get the credentials again. Never retried
        (each failure counts towards the pause)."""
        request = pb.ReportLoginOutcomeRequest(portal_id=portal_id, outcome=_login_outcome(outcome),
                                               version=version, detail=detail)
        return self._call(self._credentials.ReportLoginOutcome, request, timeout, retryable=False)

    def begin_rotation(self, portal_id: str, *, password: str = "", password_policy: Optional[Mapping] = None,
                       idempotency_key: Optional[str] = None,
                       timeout: Optional[float] = None) -> pb.BeginRotationResponse:
        """Takes a new password as pending (generated under ``password_policy``, e.g.
        ``{"length": 24}``, when ``password`` is empty) to set on the portal, then
        :meth:`complete_rotation`. Retried with its idempotency key."""
        request = pb.BeginRotationRequest(portal_id=portal_id, new_credentials=pb.Credentials(password=password),
                                          password_policy=pb.PasswordPolicy(**(password_policy or {})),
                                          idempotency_key=idempotency_key or _new_key())
        return self._call(self._credentials.BeginRotation, request, timeout, retryable=True)

    def complete_rotation(self, portal_id: str, rotation_id: str, succeeded: bool, failure_reason: str = "", *,
                          timeout: Optional[float] = None) -> pb.CompleteRotationResponse:
        """Ends a rotation begun with :meth:`begin_rotation`; idempotent, so retried."""
        request = pb.CompleteRotationRequest(portal_id=portal_id, rotation_id=rotation_id, succeeded=succeeded,
                                             failure_reason=failure_reason)
        return self._call(self._credentials.CompleteRotation, request, timeout, retryable=True)

    # --- what admins call -------------------------------------------------------------------

    def store_credentials(self, portal_id: str, username: str, password: str, *, mfa_seed: str = "",
                          metadata: Optional[Mapping[str, str]] = None, backend: int = pb.SECRET_BACKEND_UNSPECIFIED,
                          idempotency_key: Optional[str] = None,
                          timeout: Optional[float] = None) -> pb.StoreCredentialsResponse:
        """Stores credentials as the portal's new current version. Retried with its idempotency key."""
        request = pb.StoreCredentialsRequest(
            portal_id=portal_id,
            credentials=pb.Credentials(username=username, password=password, mfa_seed=mfa_seed,
                                       metadata=dict(metadata or {})),
            backend=backend, idempotency_key=idempotency_key or _new_key())
        return self._call(self._credentials.StoreCredentials, request, timeout, retryable=True)

    def rotate_credentials(self, portal_id: str, *, username: str = "", password: str = "",
                           password_policy: Optional[Mapping] = None, idempotency_key: Optional[str] = None,
                           timeout: Optional[float] = None) -> pb.RotateCredentialsResponse:
        """Replaces the password (generated under ``password_policy`` when empty) in one call; a
        failed rotation is an answer with ``success`` false. Retried with its idempotency key."""
        request = pb.RotateCredentialsRequest(
            portal_id=portal_id, new_credentials=pb.Credentials(username=username, password=password),
            password_policy=pb.PasswordPolicy(**(password_policy or {})),
            idempotency_key=idempotency_key or _new_key())
        return self._call(self._credentials.RotateCredentials, request, timeout, retryable=True)

    def delete_credentials(self, portal_id: str, *, timeout: Optional[float] = None) -> pb.DeleteCredentialsResponse:
        """Deletes the portal's secret. A write without an idempotency key: never retried."""
        request = pb.DeleteCredentialsRequest(portal_id=portal_id)
        return self._call(self._credentials.DeleteCredentials, request, timeout, retryable=False)

    def register_endpoint(self, portal_id: str, name: str = "", portal_type: str = "", legacy_config_json: str = "",
                          *, timeout: Optional[float] = None) -> pb.RegisterEndpointResponse:
        """Registers the portal in the caller's tenant, or updates its name and type."""
        request = pb.RegisterEndpointRequest(portal_id=portal_id, name=name, portal_type=portal_type,
                                             legacy_config_json=legacy_config_json)
        return self._call(self._admin.RegisterEndpoint, request, timeout, retryable=False)

    def set_rotation_schedule(self, portal_id: str, rotation_interval_days: int = 0, auto_rotate: bool = False,
                              notification_emails: Iterable[str] = (), rotate_now: bool = False, *,
                              timeout: Optional[float] = None) -> pb.SetRotationScheduleResponse:
        """Creates or replaces the portal's rotation schedule."""
        request = pb.SetRotationScheduleRequest(portal_id=portal_id, rotation_interval_days=rotation_interval_days,
                                                auto_rotate=auto_rotate, notification_emails=list(notification_emails),
                                                rotate_now=rotate_now)
        return self._call(self._admin.SetRotationSchedule, request, timeout, retryable=False)

    def get_rotation_schedule(self, portal_id: str, *,
                              timeout: Optional[float] = None) -> pb.GetRotationScheduleResponse:
        """The portal's rotation schedule (:class:`NotFound` when it has none)."""
        request = pb.GetRotationScheduleRequest(portal_id=portal_id)
        return self._call(self._admin.GetRotationSchedule, request, timeout, retryable=True)

    def list_due_rotations(self, due_before: Optional[datetime] = None, page_size: int = 0, page_token: str = "", *,
                           timeout: Optional[float] = None) -> pb.ListDueRotationsResponse:
        """One page of the tenant's due rotations, earliest first (workers may call it too)."""
        request = pb.ListDueRotationsRequest(due_before=_timestamp(due_before), page_size=page_size,
                                             page_token=page_token)
        return self._call(self._admin.ListDueRotations, request, timeout, retryable=True)

    def query_access_log(self, portal_id: str = "", since: Optional[datetime] = None,
                         until: Optional[datetime] = None, page_size: int = 0, page_token: str = "", *,
                         timeout: Optional[float] = None) -> pb.QueryAccessLogResponse:
        """One page of the tenant's access log, newest first; pass ``next_page_token`` back for the next."""
        request = pb.QueryAccessLogRequest(portal_id=portal_id, since=_timestamp(since), until=_timestamp(until),
                                           page_size=page_size, page_token=page_token)
        return self._call(self._admin.QueryAccessLog, request, timeout, retryable=True)

    def verify_audit_log(self, since: Optional[datetime] = None, until: Optional[datetime] = None, *,
                         timeout: Optional[float] = None) -> pb.VerifyAuditLogResponse:
        """Recomputes the tenant's audit hash chains over [since, until)."""
        request = pb.VerifyAuditLogRequest(since=_timestamp(since), until=_timestamp(until))
        return self._call(self._admin.VerifyAuditLog, request, timeout, retryable=True)

    def resume_credentials(self, portal_id: str, *, timeout: Optional[float] = None) -> pb.ResumeCredentialsResponse:
        """Hands a paused credential out again."""
        request = pb.ResumeCredentialsRequest(portal_id=portal_id)
        return self._call(self._admin.ResumeCredentials, request, timeout, retryable=False)

    def revoke_client_certificate(self, fingerprint_sha256: str = "", serial_number: str = "", issuer: str = "",
                                  reason: str = "", *,
                                  timeout: Optional[float] = None) -> pb.RevokeClientCertificateResponse:
        """Revokes a client certificate of the tenant, by fingerprint or by serial number and issuer."""
        request = pb.RevokeClientCertificateRequest(fingerprint_sha256=fingerprint_sha256,
                                                    serial_number=serial_number, issuer=issuer, reason=reason)
        return self._call(self._admin.RevokeClientCertificate, request, timeout, retryable=False)

    def list_revoked_certificates(self, *, timeout: Optional[float] = None) -> pb.ListRevokedCertificatesResponse:
        """The tenant's revoked client certificates, newest first."""
        request = pb.ListRevokedCertificatesRequest()
        return self._call(self._admin.ListRevokedCertificates, request, timeout, retryable=True)

    def migrate_legacy_credentials(self, dry_run: bool = False, limit: int = 0,
                                   backend: int = pb.SECRET_BACKEND_UNSPECIFIED, start_after: str = "", *,
                                   timeout: Optional[float] = None) -> pb.MigrateLegacyCredentialsResponse:
        """Moves one page of legacy config.credentials into the secret store."""
        request = pb.MigrateLegacyCredentialsRequest(dry_run=dry_run, limit=limit, backend=backend,
                                                     start_after=start_after)
        return self._call(self._admin.MigrateLegacyCredentials, request, timeout, retryable=False)

    def purge_legacy_credentials(self, dry_run: bool = False, limit: int = 0, start_after: str = "", *,
                                 timeout: Optional[float] = None) -> pb.PurgeLegacyCredentialsResponse:
        """Removes verified legacy config.credentials, one page at a time."""
        request = pb.PurgeLegacyCredentialsRequest(dry_run=dry_run, limit=limit, start_after=start_after)
        return self._call(self._admin.PurgeLegacyCredentials, request, timeout, retryable=False)

    # --- one call, with deadline and retries --------------------------------------------------

    def _call(self, method: Callable[..., Response], request: Message, timeout: Optional[float], *,
              retryable: bool) -> Response:
        attempts = self.retry.max_attempts if retryable else 1
        deadline = self.timeout if timeout is None else timeout
        for attempt in range(1, attempts + 1):
            try:
                return method(request, timeout=deadline)
            except grpc.RpcError as e:
                error = from_rpc_error(e)
                if not isinstance(error, Unavailable) or attempt == attempts:
                    raise error from e
                delay = self.retry.delay(attempt, error.retry_after)
                LOG.warning("retrying %s after UNAVAILABLE (%s), attempt %d of %d, in %.2f s",
                            type(request).__name__.removesuffix("Request"), error.reason or "no reason",
                            attempt + 1, attempts, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")


def _new_key() -> str:
    return str(uuid.uuid4())


def _login_outcome(outcome: Union[str, int]) -> int:
    if isinstance(outcome, str):
        name = outcome.upper()
        return pb.LoginOutcome.Value(name if name.startswith("LOGIN_OUTCOME_") else "LOGIN_OUTCOME_" + name)
    return outcome


def _timestamp(value: Optional[datetime]) -> Optional[Timestamp]:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp
