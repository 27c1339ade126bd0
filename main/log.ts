/**
 * A scoped logger that writes JSON lines and redacts secrets. Everything logged passes through
 * `redact()`: keys that name a secret are dropped, and strings are scrubbed of private keys,
 * presigned-URL signatures, access key ids and every value registered with `registerSecret`.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  /** Receives one complete, already redacted JSON line (no trailing newline). */
  write(line: string): void;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

const registeredSecrets = new Set<string>();

/**
 * Remembers a secret value (a password, a session token) so any later log line that contains
 * it verbatim is scrubbed. Short values are ignored: redacting "a" would mangle every line.
 */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) registeredSecrets.add(value);
}

export function forgetSecret(value: string | undefined): void {
  if (value) registeredSecrets.delete(value);
}

const SECRET_KEY = /secret|password|passphrase|privatekey|private_key|sessiontoken|session_token|token$|authorization|signature|credential|cookie/i;
const PEM_PRIVATE = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const AMZ_QUERY = /(X-Amz-(?:Signature|Credential|Security-Token))=([^&\s"']+)/gi;
const ACCESS_KEY_ID = /\b(AKIA|ASIA|AROA|AIDA)([A-Z0-9]{12})([A-Z0-9]{4})\b/g;
const AWS_SECRET_LIKE = /(aws_secret_access_key|secretAccessKey|aws_session_token|sessionToken)(["'\s:=]+)([A-Za-z0-9/+=]{16,})/gi;

export function redactString(text: string): string {
  let out = text
    .replace(PEM_PRIVATE, '[redacted private key]')
    .replace(AMZ_QUERY, '$1=[redacted]')
    .replace(AWS_SECRET_LIKE, '$1$2[redacted]')
    .replace(ACCESS_KEY_ID, (_m, prefix: string, _mid: string, tail: string) => `${prefix}…${tail}`);
  for (const secret of registeredSecrets) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[depth]';
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { name: value.name, message: redactString(value.message), ...('code' in value ? { code: String((value as { code: unknown }).code) } : {}) };
  }
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  sink: LogSink;
  scope?: string;
  minLevel?: LogLevel;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions): Logger {
  const { sink, scope = 'main', minLevel = 'info', now = () => new Date() } = options;
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[level] < LEVELS[minLevel]) return;
    const record = { t: now().toISOString(), level, scope, msg: redactString(message), ...(fields ? (redact(fields) as object) : {}) };
    try {
      sink.write(JSON.stringify(record));
    } catch {
      // A broken log sink must never take a feature down with it.
    }
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (child) => createLogger({ sink, scope: `${scope}.${child}`, minLevel, now }),
  };
}

/** A sink that keeps lines in memory: for tests, and for the harness's log view. */
export class MemorySink implements LogSink {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 5000) this.lines.splice(0, 1000);
  }
}

/** Writes lines to stderr: for development and the command-line tunnel. */
export const stderrSink: LogSink = {
  write(line) {
    process.stderr.write(`${line}\n`);
  },
};
