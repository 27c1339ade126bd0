import type { KeyObject } from 'node:crypto';
import { AppError } from '../../preload/contract';
import { decryptRsaPkcs1v15, Pkcs1DecryptError } from './rsaPkcs1';

/** Windows publishes the password within about 15 minutes of launch (EC2Launch). */
export const PASSWORD_PUBLISH_MS = 15 * 60_000;

/**
 * Decrypts GetPasswordData's `PasswordData` (base64 of an RSA PKCS#1 v1.5 ciphertext) with
 * the key pair's private key. Throws RDP_DECRYPT_FAILED when the key is not the instance's.
 */
export function decryptWindowsPassword(passwordData: string, key: KeyObject, keyName?: string): string {
  const compact = passwordData.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw new AppError('RDP_DECRYPT_FAILED', 'AWS returned password data Bastionless cannot read.', {
      hint: 'Try again; if it keeps happening, get the password from the EC2 console (Connect > RDP client > Get password).',
    });
  }
  let plain: Buffer;
  try {
    plain = decryptRsaPkcs1v15(key, Buffer.from(compact, 'base64'));
  } catch (cause) {
    if (!(cause instanceof Pkcs1DecryptError)) throw cause;
    throw mismatch(keyName, cause);
  }
  // A wrong key that happens to unpad yields bytes, not a password: require printable UTF-8.
  let password: string;
  try {
    password = new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch (cause) {
    throw mismatch(keyName, cause);
  }
  if (password.length === 0 || /\p{Cc}/u.test(password)) throw mismatch(keyName);
  return password;
}

function mismatch(keyName: string | undefined, cause?: unknown): AppError {
  return new AppError('RDP_DECRYPT_FAILED', "This key does not match the instance's key pair.", {
    hint: keyName
      ? `Pick the private key of the key pair "${keyName}", the one the instance was launched with.`
      : 'Pick the private key of the key pair the instance was launched with.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The error for an empty PasswordData: says whether to wait (and how long, from the launch
 * time) or why waiting will not help.
 */
export function passwordNotReady(launchTime: Date | undefined, now: Date): AppError {
  if (!launchTime) {
    return new AppError('RDP_PASSWORD_NOT_READY', 'Windows has not published the Administrator password yet.', {
      hint: 'It appears within about 15 minutes of the instance starting. Try again in a few minutes.',
      retryable: true,
    });
  }
  const elapsedMs = Math.max(0, now.getTime() - launchTime.getTime());
  const remainingMs = PASSWORD_PUBLISH_MS - elapsedMs;
  if (remainingMs > 0) {
    const minutes = Math.max(1, Math.ceil(remainingMs / 60_000));
    const retryAt = new Date(launchTime.getTime() + PASSWORD_PUBLISH_MS);
    return new AppError('RDP_PASSWORD_NOT_READY', `Windows has not published the Administrator password yet (the instance started ${formatAgo(elapsedMs)}).`, {
      hint: `It appears within about 15 minutes of launch: try again in about ${minutes} minute${minutes === 1 ? '' : 's'} (around ${formatClock(retryAt)}).`,
      retryable: true,
    });
  }
  return new AppError('RDP_PASSWORD_NOT_READY', `The instance started ${formatAgo(elapsedMs)} but has no Administrator password to retrieve.`, {
    hint:
      'AWS only has a password when Windows generated one at first boot. Instances from custom AMIs, or whose password was changed or reset, have none: choose "Connect without password" and sign in with your own account, or reset it with EC2Launch or Systems Manager.',
    retryable: true,
  });
}

function formatAgo(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute ago';
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} hours ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

function formatClock(date: Date): string {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}
