'use strict';
/**
 * Typed errors of the broker's API. Every failed call rejects with a subclass of RcmError chosen
 * by the gRPC status code. The broker attaches a google.rpc.Status in the
 * `grpc-status-details-bin` trailer: its ErrorInfo.reason (a stable name such as
 * CREDENTIAL_PAUSED or PORTAL_NOT_FOUND) is `reason`, its RetryInfo.retry_delay (sent with
 * RESOURCE_EXHAUSTED for an exclusive TOTP step) is `retryAfter` in seconds. Messages are the
 * broker's own descriptions, which never hold a secret, an ARN or a parameter path.
 */
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protobuf = require('protobufjs');

const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const PAUSED_REASON = 'CREDENTIAL_PAUSED';

const googleRpc = loadGoogleRpc();

/** A call to the broker failed. */
class RcmError extends Error {
  /**
   * @param {number} code gRPC status code (grpc.status)
   * @param {string} message the broker's description, written for the caller
   * @param {{reason?: string, domain?: string, retryAfter?: number|null}} [details]
   */
  constructor(code, message, details = {}) {
    const codeName = grpc.status[code] ?? 'UNKNOWN';
    super(`${codeName}${details.reason ? ` (${details.reason})` : ''}: ${message}`);
    this.name = new.target.name;
    /** @type {number} gRPC status code */
    this.code = code;
    /** @type {string} its name, e.g. NOT_FOUND */
    this.codeName = codeName;
    /** @type {string} the broker's description */
    this.description = message;
    /** @type {string} ErrorInfo.reason; '' when the status had no details (no answer from the broker) */
    this.reason = details.reason ?? '';
    /** @type {string} ErrorInfo.domain (credentials.rcm.org for the broker's own errors) */
    this.domain = details.domain ?? '';
    /** @type {number|null} RetryInfo.retry_delay in seconds */
    this.retryAfter = details.retryAfter ?? null;
  }
}

/** Malformed input; nothing was changed. */
class InvalidArgument extends RcmError {}
/** No such portal in the caller's tenant (another tenant's answers the same), or no credentials. */
class NotFound extends RcmError {}
/** An idempotency key reused with another payload. */
class AlreadyExists extends RcmError {}
/** The role may not call this, or the address is outside the tenant's ranges. */
class PermissionDenied extends RcmError {}
/** The client certificate maps to no tenant (or is revoked). */
class Unauthenticated extends RcmError {}
/** The portal's state refuses the call (see `reason`). */
class FailedPrecondition extends RcmError {}
/** The credential is paused after failed logins until an admin resumes or replaces it. */
class CredentialPaused extends FailedPrecondition {}
/** Another change of the portal is in progress; retry later. */
class Aborted extends RcmError {}
/** An exclusive TOTP step went to another caller; `retryAfter` says when the next starts. */
class ResourceExhausted extends RcmError {}
/** The deadline passed (for TOTP: the wait for the next step would pass it). */
class DeadlineExceeded extends RcmError {}
/** The broker or a store behind it cannot serve now; safe to retry with backoff. */
class Unavailable extends RcmError {}
/** The broker does not serve this RPC. */
class Unimplemented extends RcmError {}
/** An unexpected failure in the broker; the message carries an incident id. */
class Internal extends RcmError {}

const BY_CODE = {
  [grpc.status.INVALID_ARGUMENT]: InvalidArgument,
  [grpc.status.NOT_FOUND]: NotFound,
  [grpc.status.ALREADY_EXISTS]: AlreadyExists,
  [grpc.status.PERMISSION_DENIED]: PermissionDenied,
  [grpc.status.UNAUTHENTICATED]: Unauthenticated,
  [grpc.status.FAILED_PRECONDITION]: FailedPrecondition,
  [grpc.status.ABORTED]: Aborted,
  [grpc.status.RESOURCE_EXHAUSTED]: ResourceExhausted,
  [grpc.status.DEADLINE_EXCEEDED]: DeadlineExceeded,
  [grpc.status.UNAVAILABLE]: Unavailable,
  [grpc.status.UNIMPLEMENTED]: Unimplemented,
  [grpc.status.INTERNAL]: Internal,
};

/**
 * The typed error for a failed call (a grpc-js ServiceError), with its ErrorInfo and RetryInfo.
 * @param {import('@grpc/grpc-js').ServiceError} error
 * @returns {RcmError}
 */
function fromServiceError(error) {
  const details = statusDetails(error.metadata);
  let Type = BY_CODE[error.code] ?? RcmError;
  if (Type === FailedPrecondition && details.reason === PAUSED_REASON) {
    Type = CredentialPaused;
  }
  // the Status' own message: grpc-js leaves some percent-escapes of the grpc-message header undecoded
  const message = details.message || error.details || grpc.status[error.code] || 'failed';
  const typed = new Type(error.code, message, details);
  typed.cause = error;
  return typed;
}

/** The message, ErrorInfo and RetryInfo of the `grpc-status-details-bin` trailer. */
function statusDetails(metadata) {
  const details = { message: '', reason: '', domain: '', retryAfter: null };
  const [bytes] = metadata ? metadata.get(STATUS_DETAILS_KEY) : [];
  if (!bytes) {
    return details;
  }
  const status = googleRpc.Status.decode(bytes);
  details.message = status.message;
  for (const any of status.details) {
    if (any.type_url.endsWith('/google.rpc.ErrorInfo')) {
      const info = googleRpc.ErrorInfo.decode(any.value);
      details.reason = info.reason;
      details.domain = info.domain;
    } else if (any.type_url.endsWith('/google.rpc.RetryInfo')) {
      const delay = googleRpc.RetryInfo.decode(any.value).retry_delay;
      details.retryAfter = delay ? Number(delay.seconds) + (delay.nanos || 0) / 1e9 : 0;
    }
  }
  return details;
}

function loadGoogleRpc() {
  const root = new protobuf.Root();
  const vendored = path.resolve(__dirname, '../../third_party/googleapis');
  root.resolvePath = (origin, target) =>
    target.startsWith('google/protobuf/') ? target : path.join(vendored, target); // protobufjs bundles google/protobuf
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
  return {
    Status: root.lookupType('google.rpc.Status'),
    ErrorInfo: root.lookupType('google.rpc.ErrorInfo'),
    RetryInfo: root.lookupType('google.rpc.RetryInfo'),
  };
}

module.exports = {
  RcmError, InvalidArgument, NotFound, AlreadyExists, PermissionDenied, Unauthenticated, FailedPrecondition,
  CredentialPaused, Aborted, ResourceExhausted, DeadlineExceeded, Unavailable, Unimplemented, Internal,
  fromServiceError,
};
