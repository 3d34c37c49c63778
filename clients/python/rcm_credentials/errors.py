"""Typed errors of the broker's API.

Every failed call raises a subclass of :class:`RcmError` chosen by the gRPC status code. The
broker attaches a ``google.rpc.Status`` in the ``grpc-status-details-bin`` trailer: its
``ErrorInfo.reason`` (a stable name such as ``CREDENTIAL_PAUSED`` or ``PORTAL_NOT_FOUND``) is
``.reason``, and its ``RetryInfo.retry_delay`` (sent with RESOURCE_EXHAUSTED for an exclusive TOTP
step) is ``.retry_after`` in seconds. Messages are the broker's own descriptions, which never hold
a secret, an ARN or a parameter path.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

import grpc

from ._generated.google.rpc import error_details_pb2, status_pb2

STATUS_DETAILS_KEY = "grpc-status-details-bin"
PAUSED_REASON = "CREDENTIAL_PAUSED"


class RcmError(Exception):
    """A call to the broker failed.

    Attributes:
        code: the gRPC status code.
        message: the broker's description, written for the caller.
        reason: ``ErrorInfo.reason``, or ``""`` when the status had no details (a failure
            before the broker answered: connection refused, deadline, TLS).
        domain: ``ErrorInfo.domain`` (``credentials.rcm.org`` for the broker's own errors).
        retry_after: ``RetryInfo.retry_delay`` in seconds, or ``None``.
    """

    def __init__(self, code: grpc.StatusCode, message: str, reason: str = "", domain: str = "",
                 retry_after: Optional[float] = None) -> None:
        super().__init__(f"{code.name}{f' ({reason})' if reason else ''}: {message}")
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.retry_after = retry_after


class InvalidArgument(RcmError):
    """Malformed input; nothing was changed."""


class NotFound(RcmError):
    """No such portal in the caller's tenant (another tenant's portal answers the same), or no credentials."""


class AlreadyExists(RcmError):
    """An idempotency key reused with another payload."""


class PermissionDenied(RcmError):
    """The caller's role may not call this, or its address is outside the tenant's ranges."""


class Unauthenticated(RcmError):
    """The client certificate maps to no tenant (or is revoked)."""


class FailedPrecondition(RcmError):
    """The portal's state refuses the call (see ``.reason``)."""


class CredentialPaused(FailedPrecondition):
    """The credential is paused after failed logins until an admin resumes or replaces it."""


class Aborted(RcmError):
    """Another change of the portal is in progress; retry later."""


class ResourceExhausted(RcmError):
    """An exclusive TOTP step went to another caller; ``.retry_after`` says when the next starts."""


class DeadlineExceeded(RcmError):
    """The call's deadline passed (for TOTP: the wait for the next step would pass it)."""


class Unavailable(RcmError):
    """The broker or a store behind it cannot serve now; safe to retry with backoff."""


class Unimplemented(RcmError):
    """The broker does not serve this RPC."""


class Internal(RcmError):
    """An unexpected failure in the broker; the message carries an incident id for its log."""


_BY_CODE: Dict[grpc.StatusCode, Type[RcmError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.ABORTED: Aborted,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.UNIMPLEMENTED: Unimplemented,
    grpc.StatusCode.INTERNAL: Internal,
}


def from_rpc_error(error: grpc.RpcError) -> RcmError:
    """The typed error for a failed call, with the ErrorInfo and RetryInfo of its trailers."""
    code = error.code() if isinstance(error, grpc.Call) else grpc.StatusCode.UNKNOWN
    message = (error.details() if isinstance(error, grpc.Call) else None) or str(code.name)
    reason, domain, retry_after = _details(error)
    cls = _BY_CODE.get(code, RcmError)
    if cls is FailedPrecondition and reason == PAUSED_REASON:
        cls = CredentialPaused
    return cls(code, message, reason, domain, retry_after)


def _details(error: grpc.RpcError):
    """(reason, domain, retry_after) from the ``grpc-status-details-bin`` trailer."""
    reason, domain, retry_after = "", "", None
    trailers = error.trailing_metadata() if isinstance(error, grpc.Call) else None
    for key, value in trailers or ():
        if key != STATUS_DETAILS_KEY:
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                reason, domain = info.reason, info.domain
            elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                delay = error_details_pb2.RetryInfo()
                detail.Unpack(delay)
                retry_after = delay.retry_delay.seconds + delay.retry_delay.nanos / 1e9
    return reason, domain, retry_after
