import { z } from 'zod';

/**
 * Every error code the app can show. Codes are prefixed by the domain that raises them;
 * INVALID_INPUT and INTERNAL are shared. A code is a stable interface: the UI, tests and
 * "copy details" rely on it, so never rename one.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'INTERNAL',
  'NOT_FOUND',
  'CANCELLED',
  'IPC_UNTRUSTED_SENDER',
  'IPC_UNKNOWN_CHANNEL',
  'AWS_CREDENTIALS_MISSING',
  'AWS_CREDENTIALS_INVALID',
  'AWS_CREDENTIALS_EXPIRED',
  'AWS_ACCESS_DENIED',
  'AWS_THROTTLED',
  'AWS_REGION_DISABLED',
  'AWS_NETWORK',
  'AWS_REQUEST_FAILED',
  'AWS_PROFILE_NOT_FOUND',
  'AWS_PROFILE_INVALID',
  'AWS_MFA_REQUIRED',
  'AWS_MFA_INVALID',
  'AWS_SSO_SIGN_IN_REQUIRED',
  'AWS_SSO_SIGN_IN_FAILED',
  'AWS_CREDENTIAL_PROCESS_FAILED',
  'AWS_CLOCK_SKEW',
  'AWS_TLS_UNTRUSTED',
  'AWS_SERVICE_UNAVAILABLE',
  'EIC_NO_ENDPOINT',
  'EIC_ENDPOINT_NOT_READY',
  'EIC_TUNNEL_REFUSED',
  'EIC_TUNNEL_ACCESS_DENIED',
  'EIC_TUNNEL_TARGET_UNREACHABLE',
  'EIC_TUNNEL_CLOSED',
  'EIC_TUNNEL_EXPIRED',
  'EIC_TUNNEL_PROTOCOL',
  'EIC_CONNECTION_LIMIT',
  'EIC_PORT_NOT_ALLOWED',
  'EIC_QUOTA_EXCEEDED',
  'EIC_KEY_PUSH_FAILED',
  'EIC_DNS_FAILED',
  'EIC_TLS_FAILED',
  'EIC_PROXY_FAILED',
  'EIC_NETWORK',
  'EIC_CLOCK_SKEW',
  'EIC_FIPS_UNAVAILABLE',
  'EIC_INSTANCE_NOT_FOUND',
  'EIC_OPERATION_IN_PROGRESS',
  'EIC_GROUP_IN_USE',
  'EIC_ENDPOINT_CREATE_FAILED',
  'EIC_ENDPOINT_DELETE_FAILED',
  'EIC_SUBNET_FULL',
  'EIC_WAIT_TIMEOUT',
  'SSH_AUTH_FAILED',
  'SSH_HOST_KEY_CHANGED',
  'SSH_CONNECTION_LOST',
  'SSH_HANDSHAKE_FAILED',
  'SSH_KEY_UNREADABLE',
  'SSH_KEY_INVALID',
  'SSH_SHELL_REFUSED',
  'SSH_NOT_LINUX',
  'RDP_PASSWORD_NOT_READY',
  'RDP_KEY_UNSUITABLE',
  'RDP_KEY_MISSING',
  'RDP_DECRYPT_FAILED',
  'RDP_CLIENT_MISSING',
  'RDP_LAUNCH_FAILED',
  'RDP_KEY_INVALID',
  'RDP_KEY_PASSPHRASE_NEEDED',
  'KEYCHAIN_UNAVAILABLE',
  'KEYCHAIN_DENIED',
  'KEYCHAIN_SECRET_MISSING',
  'STORE_CORRUPT',
  'STORE_WRITE_FAILED',
  'STORE_IMPORT_INVALID',
] as const;

export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The serialised form of an AppError: what crosses IPC and what the UI shows. */
export const SerializedError = z.object({
  code: ErrorCode,
  /** One plain sentence saying what happened. */
  message: z.string(),
  /** What the person can do about it. */
  hint: z.string(),
  /** Whether trying the same thing again may work (throttling, a dropped network). */
  retryable: z.boolean(),
  /** The AWS request id, when AWS refused something: for support tickets. */
  requestId: z.string().optional(),
  /** ISO time the error happened: for "copy details". */
  at: z.string(),
});
export type SerializedError = z.infer<typeof SerializedError>;

export interface AppErrorOptions {
  hint?: string;
  cause?: unknown;
  retryable?: boolean;
  requestId?: string;
}

/**
 * The one error type every feature throws at its boundary. `cause` is kept for logs in main
 * and never serialised: library errors can carry request bodies or keys.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly retryable: boolean;
  readonly requestId: string | undefined;
  readonly at: string;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = options.hint ?? '';
    this.retryable = options.retryable ?? false;
    this.requestId = options.requestId;
    this.at = new Date().toISOString();
  }

  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      retryable: this.retryable,
      ...(this.requestId === undefined ? {} : { requestId: this.requestId }),
      at: this.at,
    };
  }

  static fromJSON(error: SerializedError): AppError {
    const e = new AppError(error.code, error.message, {
      hint: error.hint,
      retryable: error.retryable,
      ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
    });
    (e as { at: string }).at = error.at;
    return e;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** What every invoke resolves with: nothing throws across IPC (Electron keeps only `message`). */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

export const EnvelopeError = z.object({ ok: z.literal(false), error: SerializedError });
