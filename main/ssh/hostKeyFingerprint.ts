import { createHash } from 'node:crypto';
// ssh2 is CommonJS: Node's ESM loader (the demo, the CLI) only sees its default export.
import ssh2 from 'ssh2';

/** A host key as the person sees it: its type and OpenSSH's SHA256 fingerprint. */
export interface HostKeyIdentity {
  algorithm: string;
  /** `SHA256:` and the unpadded base64 of the key blob's SHA-256, as `ssh-keygen -l` prints. */
  fingerprint: string;
}

/**
 * Identifies the raw host key ssh2 hands to `hostVerifier` (the SSH wire-format public key
 * blob). The fingerprint covers the blob, so it is the same whichever signature algorithm
 * (rsa-sha2-256 or -512) the handshake used.
 */
export function hostKeyIdentity(keyBlob: Buffer): HostKeyIdentity {
  const fingerprint = `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
  const parsed = ssh2.utils.parseKey(keyBlob);
  const algorithm = parsed instanceof Error ? blobType(keyBlob) : (Array.isArray(parsed) ? parsed[0]?.type : parsed.type) ?? blobType(keyBlob);
  return { algorithm, fingerprint };
}

/** The type string at the start of an SSH key blob (uint32 length + name). */
function blobType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  if (length <= 0 || length > 64 || keyBlob.length < 4 + length) return 'unknown';
  return keyBlob.subarray(4, 4 + length).toString('latin1');
}
