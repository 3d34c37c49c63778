"""Python client of the RCM credential broker (gRPC over mTLS).

    from rcm_credentials import CredentialClient
    with CredentialClient("localhost:8443", cert="worker.crt", key="worker.key", ca="ca.crt") as broker:
        creds = broker.get_credentials("bcbs")

``pb`` is the generated module of the broker's messages and enums (``pb.LOGIN_OUTCOME_SUCCESS``,
``pb.ROTATION_STATUS_PAUSED`` ...).
"""

from ._generated.rcm.credentials.v1 import credentials_pb2 as pb
from .client import CredentialClient
from .errors import (Aborted, AlreadyExists, CredentialPaused, DeadlineExceeded, FailedPrecondition, Internal,
                     InvalidArgument, NotFound, PermissionDenied, RcmError, ResourceExhausted, Unauthenticated,
                     Unavailable, Unimplemented)
from .retry import NO_RETRY, RetryPolicy

__all__ = [
    "CredentialClient", "RetryPolicy", "NO_RETRY", "pb",
    "RcmError", "InvalidArgument", "NotFound", "AlreadyExists", "PermissionDenied", "Unauthenticated",
    "FailedPrecondition", "CredentialPaused", "Aborted", "ResourceExhausted", "DeadlineExceeded", "Unavailable",
    "Unimplemented", "Internal",
]
