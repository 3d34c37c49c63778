'use strict';
/** CredentialClient: the broker's two services over one mTLS channel. */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { Unavailable, fromServiceError } = require('./errors');
const { RetryPolicy } = require('./retry');

/** The broker's API, from the repository's proto/ (loaded with proto-loader: maps stay maps). */
const DEFAULT_PROTO_ROOT = path.resolve(__dirname, '../../../proto');
const PROTO_FILE = 'rcm/credentials/v1/credentials.proto';
const USER_AGENT = 'rcm-credentials-node/1.0';
/** A credential's totp_period is 10..300 s: the longest an exclusive TOTP request may wait. */
const MAX_TOTP_PERIOD_SECONDS = 300;

/**
 * @typedef {object} ClientOptions
 * @property {number} [timeoutMs=10000] default deadline of one attempt of a call
 * @property {RetryPolicy} [retry] how often and how long to wait when retrying (NO_RETRY: never)
 * @property {string} [serverName] the name to check in the server certificate, when not the target's host
 * @property {string} [protoRoot] folder holding rcm/credentials/v1/credentials.proto
 * @property {{warn: (message: string) => void}} [logger=console] where retries are reported
 */

/**
 * @typedef {object} CallOptions
 * @property {number} [timeoutMs] this call's deadline per attempt, instead of the client's
 */

/**
 * A client of the credential broker for portal workers and tenant admins. Requests and answers are
 * plain objects with the proto's field names (snake_case, as in grpcurl's JSON); enums are their
 * names (e.g. 'LOGIN_OUTCOME_SUCCESS'), int64 fields numbers, timestamps {seconds, nanos}.
 *
 * The tenant and role come from the client certificate. Every call has a deadline. Calls that are
 * safe to repeat are retried on UNAVAILABLE: reads, and the writes that carry an idempotency key
 * (generated here for Store, Rotate and BeginRotation when none is given) or a rotation id
 * (CompleteRotation). Other writes (Delete, ReportLoginOutcome, the admin changes) are tried once.
 * Failures reject with RcmError subclasses.
 */
class CredentialClient {
  /**
   * @param {string} target host:port of the broker's gRPC port
   * @param {{cert: string, key: string, ca: string}} files PEM files: client certificate, its key, the broker's CA
   * @param {ClientOptions} [options]
   */
  constructor(target, { cert, key, ca }, options = {}) {
    const { timeoutMs = 10000, retry = new RetryPolicy(), serverName, protoRoot = DEFAULT_PROTO_ROOT,
      logger = console } = options;
    const api = loadApi(protoRoot);
    const credentials = grpc.credentials.createSsl(fs.readFileSync(ca), fs.readFileSync(key), fs.readFileSync(cert));
    const channelOptions = { 'grpc.primary_user_agent': USER_AGENT };
    if (serverName) {
      channelOptions['grpc.ssl_target_name_override'] = serverName;
    }
    this.credentialService = new api.CredentialService(target, credentials, channelOptions);
    this.adminService = new api.CredentialAdminService(target, credentials,
      { ...channelOptions, channelOverride: this.credentialService.getChannel() });
    this.timeoutMs = timeoutMs;
    this.retry = retry;
    this.logger = logger;
  }

  /** Closes the channel; calls in flight fail CANCELLED. */
  close() {
    this.credentialService.close();
  }

  // --- what workers call ------------------------------------------------------------------------

  /** The portal's current credentials and their `version` (mfa_seed only for admins that ask). */
  getCredentials(request, options) {
    return this.#call(this.credentialService, 'GetCredentials', request, options, true);
  }

  /**
   * The portal's TOTP code with at least `min_remaining_seconds` left (the broker waits for the
   * next step when fewer remain). `exclusive`: nobody else gets this step's code; another caller
   * in the same step gets ResourceExhausted with `retryAfter`, or, with min_remaining_seconds, the
   * next step's code when it starts. The default deadline adds the longest such wait. An exclusive
   * request claims its step, so it is not retried.
   */
  totp(request, options = {}) {
    const { min_remaining_seconds: minRemaining = 0, exclusive = false } = request;
    const waitSeconds = exclusive && minRemaining ? MAX_TOTP_PERIOD_SECONDS : minRemaining;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs + waitSeconds * 1000;
    return this.#call(this.credentialService, 'GenerateTotp', request, { timeoutMs }, !exclusive);
  }

  /**
   * Reports a login with credentials `version`; `outcome` is 'LOGIN_OUTCOME_SUCCESS',
   * '..._AUTH_FAILED', '..._LOCKED' or '..._MFA_FAILED'. When the answer's current_version is
   * newer, the password changed: get the credentials again. Never retried (failures count).
   */
  reportLoginOutcome(request, options) {
    return this.#call(this.credentialService, 'ReportLoginOutcome', request, options, false);
  }

  /** Takes a new password as pending, to set on the portal; retried with its idempotency key. */
  beginRotation(request, options) {
    return this.#call(this.credentialService, 'BeginRotation', withKey(request), options, true);
  }

  /** Ends a rotation begun with beginRotation; idempotent, so retried. */
  completeRotation(request, options) {
    return this.#call(this.credentialService, 'CompleteRotation', request, options, true);
  }

  // --- what admins call -------------------------------------------------------------------------

  /** Stores credentials as the portal's new current version; retried with its idempotency key. */
  storeCredentials(request, options) {
    return this.#call(this.credentialService, 'StoreCredentials', withKey(request), options, true);
  }

  /** Replaces the password in one call (success false when it failed); retried with its idempotency key. */
  rotateCredentials(request, options) {
    return this.#call(this.credentialService, 'RotateCredentials', withKey(request), options, true);
  }

  /** Deletes the portal's secret. A write without an idempotency key: never retried. */
  deleteCredentials(request, options) {
    return this.#call(this.credentialService, 'DeleteCredentials', request, options, false);
  }

  /** Registers a portal in the caller's tenant, or updates its name and type. */
  registerEndpoint(request, options) {
    return this.#call(this.adminService, 'RegisterEndpoint', request, options, false);
  }

  /** Creates or replaces a portal's rotation schedule. */
  setRotationSchedule(request, options) {
    return this.#call(this.adminService, 'SetRotationSchedule', request, options, false);
  }

  /** A portal's rotation schedule (NotFound when it has none). */
  getRotationSchedule(request, options) {
    return this.#call(this.adminService, 'GetRotationSchedule', request, options, true);
  }

  /** One page of the tenant's due rotations, earliest first (workers may call it too). */
  listDueRotations(request = {}, options) {
    return this.#call(this.adminService, 'ListDueRotations', request, options, true);
  }

  /** One page of the tenant's access log, newest first; pass next_page_token back as page_token. */
  queryAccessLog(request = {}, options) {
    return this.#call(this.adminService, 'QueryAccessLog', request, options, true);
  }

  /** Recomputes the tenant's audit hash chains over [since, until). */
  verifyAuditLog(request = {}, options) {
    return this.#call(this.adminService, 'VerifyAuditLog', request, options, true);
  }

  /** Hands a paused credential out again. */
  resumeCredentials(request, options) {
    return this.#call(this.adminService, 'ResumeCredentials', request, options, false);
  }

  /** Revokes a client certificate of the tenant, by fingerprint or by serial number and issuer. */
  revokeClientCertificate(request, options) {
    return this.#call(this.adminService, 'RevokeClientCertificate', request, options, false);
  }

  /** The tenant's revoked client certificates, newest first. */
  listRevokedCertificates(request = {}, options) {
    return this.#call(this.adminService, 'ListRevokedCertificates', request, options, true);
  }

  /** Moves one page of legacy config.credentials into the secret store. */
  migrateLegacyCredentials(request = {}, options) {
    return this.#call(this.adminService, 'MigrateLegacyCredentials', request, options, false);
  }

  /** Removes verified legacy config.credentials, one page at a time. */
  purgeLegacyCredentials(request = {}, options) {
    return this.#call(this.adminService, 'PurgeLegacyCredentials', request, options, false);
  }

  // --- one call, with deadline and retries ------------------------------------------------------

  async #call(service, method, request, options = {}, retryable) {
    const attempts = retryable ? this.retry.maxAttempts : 1;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await unary(service, method, request, timeoutMs);
      } catch (e) {
        const error = e.code === undefined ? e : fromServiceError(e);
        if (!(error instanceof Unavailable) || attempt >= attempts) {
          throw error;
        }
        const delayMs = this.retry.delayMs(attempt, error.retryAfter);
        this.logger.warn(`retrying ${method} after UNAVAILABLE (${error.reason || 'no reason'}),`
          + ` attempt ${attempt + 1} of ${attempts}, in ${Math.round(delayMs)} ms`);
        await sleep(delayMs);
      }
    }
  }
}

function unary(service, method, request, timeoutMs) {
  return new Promise((resolve, reject) => {
    service[method](request, { deadline: Date.now() + timeoutMs }, (error, response) =>
      (error ? reject(error) : resolve(response)));
  });
}

function withKey(request) {
  return request.idempotency_key ? request : { ...request, idempotency_key: crypto.randomUUID() };
}

function loadApi(protoRoot) {
  const definition = protoLoader.loadSync(PROTO_FILE, {
    includeDirs: [protoRoot], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).rcm.credentials.v1;
}

/**
 * A google.protobuf.Timestamp for a request field (since, until, due_before).
 * @param {Date} date
 * @returns {{seconds: number, nanos: number}}
 */
function timestamp(date) {
  const ms = date.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

module.exports = { CredentialClient, timestamp };
