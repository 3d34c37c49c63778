// Types of @rcm/credentials-client. Messages are plain objects with the proto's field names
// (proto/rcm/credentials/v1/credentials.proto): enums as their names, int64 as numbers,
// timestamps as {seconds, nanos}. Answers have every field (defaults filled in).

export interface Timestamp { seconds: number; nanos: number; }
export interface CallOptions { /** this call's deadline per attempt, instead of the client's */ timeoutMs?: number; }
export interface ClientOptions {
  /** default deadline of one attempt of a call (10000) */ timeoutMs?: number;
  /** how often and how long to wait when retrying; NO_RETRY: never */ retry?: RetryPolicy;
  /** the name to check in the server certificate, when not the target's host */ serverName?: string;
  /** folder holding rcm/credentials/v1/credentials.proto (the repository's proto/) */ protoRoot?: string;
  /** where retries are reported (console) */ logger?: { warn(message: string): void };
}

export type RotationStatus = 'ROTATION_STATUS_UNSPECIFIED' | 'ROTATION_STATUS_ACTIVE' | 'ROTATION_STATUS_FAILED'
  | 'ROTATION_STATUS_PENDING' | 'ROTATION_STATUS_PAUSED';
export type LoginOutcome = 'LOGIN_OUTCOME_SUCCESS' | 'LOGIN_OUTCOME_AUTH_FAILED' | 'LOGIN_OUTCOME_LOCKED'
  | 'LOGIN_OUTCOME_MFA_FAILED';
export type SecretBackend = 'SECRET_BACKEND_UNSPECIFIED' | 'SECRET_BACKEND_SSM_PARAMETER_STORE'
  | 'SECRET_BACKEND_SECRETS_MANAGER';
export type CredentialSource = 'CREDENTIAL_SOURCE_UNSPECIFIED' | 'CREDENTIAL_SOURCE_SECRET_STORE'
  | 'CREDENTIAL_SOURCE_LEGACY_CONFIG';

export interface Credentials { username: string; password: string; mfa_seed: string; metadata: Record<string, string>; }
export interface PasswordPolicy { length?: number; exclude_symbols?: boolean; exclude_characters?: string; }

export interface GetCredentialsResponse {
  credentials: Credentials; source: CredentialSource; version: number; last_rotated_at: Timestamp | null;
  rotation_status: RotationStatus;
}
export interface GenerateTotpResponse {
  code: string; valid_until: Timestamp; step: number; period_seconds: number; valid_from: Timestamp;
}
export interface ReportLoginOutcomeResponse { paused: boolean; consecutive_failures: number; current_version: number; }
export interface StoreCredentialsResponse { version: number; stored_at: Timestamp; rotation_status: RotationStatus; }
export interface RotateCredentialsResponse {
  success: boolean; rotation_status: RotationStatus; version: number; rotated_at: Timestamp | null; error: string;
}
export interface BeginRotationResponse {
  rotation_id: string; pending_credentials: Credentials; pending_version: number; expires_at: Timestamp;
}
export interface CompleteRotationResponse { rotation_status: RotationStatus; version: number; rotated_at: Timestamp | null; }

/** An answer of an admin RPC; see its message in the proto. */
export type Answer = Record<string, any>;

export class CredentialClient {
  constructor(target: string, files: { cert: string; key: string; ca: string }, options?: ClientOptions);
  close(): void;
  getCredentials(request: { portal_id: string; include_mfa_seed?: boolean }, options?: CallOptions):
    Promise<GetCredentialsResponse>;
  totp(request: { portal_id: string; min_remaining_seconds?: number; exclusive?: boolean }, options?: CallOptions):
    Promise<GenerateTotpResponse>;
  reportLoginOutcome(request: { portal_id: string; outcome: LoginOutcome; version: number; detail?: string },
    options?: CallOptions): Promise<ReportLoginOutcomeResponse>;
  beginRotation(request: { portal_id: string; new_credentials?: Partial<Credentials>; password_policy?: PasswordPolicy;
    idempotency_key?: string }, options?: CallOptions): Promise<BeginRotationResponse>;
  completeRotation(request: { portal_id: string; rotation_id: string; succeeded: boolean; failure_reason?: string },
    options?: CallOptions): Promise<CompleteRotationResponse>;
  storeCredentials(request: { portal_id: string; credentials: Partial<Credentials>; backend?: SecretBackend;
    idempotency_key?: string }, options?: CallOptions): Promise<StoreCredentialsResponse>;
  rotateCredentials(request: { portal_id: string; new_credentials?: Partial<Credentials>;
    password_policy?: PasswordPolicy; idempotency_key?: string }, options?: CallOptions):
    Promise<RotateCredentialsResponse>;
  deleteCredentials(request: { portal_id: string }, options?: CallOptions): Promise<{ deleted: boolean }>;
  registerEndpoint(request: { portal_id: string; name?: string; portal_type?: string; legacy_config_json?: string },
    options?: CallOptions): Promise<{ created: boolean }>;
  setRotationSchedule(request: { portal_id: string; rotation_interval_days?: number; auto_rotate?: boolean;
    notification_emails?: string[]; rotate_now?: boolean }, options?: CallOptions):
    Promise<{ next_rotation_at: Timestamp }>;
  getRotationSchedule(request: { portal_id: string }, options?: CallOptions): Promise<Answer>;
  listDueRotations(request?: { due_before?: Timestamp; page_size?: number; page_token?: string },
    options?: CallOptions): Promise<Answer>;
  queryAccessLog(request?: { portal_id?: string; since?: Timestamp; until?: Timestamp; page_size?: number;
    page_token?: string }, options?: CallOptions): Promise<Answer>;
  verifyAuditLog(request?: { since?: Timestamp; until?: Timestamp }, options?: CallOptions): Promise<Answer>;
  resumeCredentials(request: { portal_id: string }, options?: CallOptions):
    Promise<{ rotation_status: RotationStatus }>;
  revokeClientCertificate(request: { fingerprint_sha256?: string; serial_number?: string; issuer?: string;
    reason?: string }, options?: CallOptions): Promise<Answer>;
  listRevokedCertificates(request?: {}, options?: CallOptions): Promise<Answer>;
  migrateLegacyCredentials(request?: { dry_run?: boolean; limit?: number; backend?: SecretBackend;
    start_after?: string }, options?: CallOptions): Promise<Answer>;
  purgeLegacyCredentials(request?: { dry_run?: boolean; limit?: number; start_after?: string },
    options?: CallOptions): Promise<Answer>;
}

export function timestamp(date: Date): Timestamp;

export class RetryPolicy {
  constructor(options?: { maxAttempts?: number; initialBackoffMs?: number; maxBackoffMs?: number });
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  delayMs(attempt: number, retryAfterSeconds?: number | null, random?: () => number): number;
}
export const NO_RETRY: RetryPolicy;

export class RcmError extends Error {
  constructor(code: number, message: string, details?: { reason?: string; domain?: string; retryAfter?: number | null });
  /** gRPC status code */ readonly code: number;
  /** its name, e.g. NOT_FOUND */ readonly codeName: string;
  /** the broker's description */ readonly description: string;
  /** ErrorInfo.reason; '' when the broker never answered */ readonly reason: string;
  /** ErrorInfo.domain */ readonly domain: string;
  /** RetryInfo.retry_delay in seconds */ readonly retryAfter: number | null;
}
export class InvalidArgument extends RcmError {}
export class NotFound extends RcmError {}
export class AlreadyExists extends RcmError {}
export class PermissionDenied extends RcmError {}
export class Unauthenticated extends RcmError {}
export class FailedPrecondition extends RcmError {}
export class CredentialPaused extends FailedPrecondition {}
export class Aborted extends RcmError {}
export class ResourceExhausted extends RcmError {}
export class DeadlineExceeded extends RcmError {}
export class Unavailable extends RcmError {}
export class Unimplemented extends RcmError {}
export class Internal extends RcmError {}
export function fromServiceError(error: import('@grpc/grpc-js').ServiceError): RcmError;
