import { createPrivateKey, type KeyObject } from 'node:crypto';
// ssh2 is CommonJS: Node's ESM loader (tsx, the demo) only sees a few named exports, not `utils`.
import ssh2 from 'ssh2';
import { AppError } from '../../preload/contract';

/**
 * Reads a key pair's private key as the person has it: the `.pem` AWS gave them (PKCS#1
 * `RSA PRIVATE KEY`, or PKCS#8), an OpenSSH-format key (`ssh-keygen` since 7.8), or a PuTTY
 * `.ppk`, possibly encrypted. Returns an RSA KeyObject, or throws an AppError that says what
 * is wrong with the file in the person's terms. The key text is never put in a message.
 */
export function loadRsaPrivateKey(text: string, passphrase?: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw invalidKey('The file is empty.');
  if (isPublicKey(trimmed)) {
    throw invalidKey('This is a public key, not the private key.', 'Pick the private key file (.pem) you downloaded when the key pair was created.');
  }
  if (/^PuTTY-User-Key-File-[3-9]:/.test(trimmed)) {
    // PuTTY 0.75+ saves PPK 3 (Argon2 key derivation) by default; only PPK 2 is readable here.
    throw invalidKey("This PuTTY key is in PuTTY's newer format (PPK 3), which Bastionless cannot read.", 'In PuTTYgen, load it and use Conversions > Export OpenSSH key, then pick the exported file.');
  }
  if (trimmed.includes('-----BEGIN OPENSSH PRIVATE KEY-----') || trimmed.startsWith('PuTTY-User-Key-File-')) {
    return loadWithSsh2(trimmed, passphrase);
  }
  const pem = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(trimmed);
  if (!pem) throw invalidKey('This file does not contain a private key.');
  const label = pem[1]!;
  if (label === 'EC PRIVATE KEY' || label === 'DSA PRIVATE KEY') throw unsuitable(label.startsWith('EC') ? 'an EC (ECDSA)' : 'a DSA');
  if (label !== 'RSA PRIVATE KEY' && label !== 'PRIVATE KEY' && label !== 'ENCRYPTED PRIVATE KEY') {
    throw invalidKey(`This file holds a "${label}", not a private key.`);
  }
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(trimmed);
  if (encrypted && !passphrase) throw passphraseNeeded(false);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: trimmed, format: 'pem', ...(encrypted ? { passphrase } : {}) });
  } catch (cause) {
    // OpenSSL and BoringSSL word these errors differently; what we know is what matters.
    if (encrypted) throw passphraseNeeded(true, cause);
    throw invalidKey('This private key file is damaged or in a format Bastionless cannot read.', undefined, cause);
  }
  return requireRsa(key);
}

function loadWithSsh2(text: string, passphrase: string | undefined): KeyObject {
  const encrypted = isEncryptedSshKey(text);
  if (encrypted && !passphrase) throw passphraseNeeded(false);
  const parsed = ssh2.utils.parseKey(text, encrypted ? passphrase : undefined);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) {
    if (encrypted) throw passphraseNeeded(true, key);
    throw invalidKey('This private key file is damaged or in a format Bastionless cannot read.', undefined, key);
  }
  if (key.type !== 'ssh-rsa') throw unsuitable(key.type === 'ssh-ed25519' ? 'an ED25519' : `a ${key.type}`);
  try {
    return requireRsa(createPrivateKey({ key: key.getPrivatePEM(), format: 'pem' }));
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw invalidKey('This private key file is damaged or in a format Bastionless cannot read.', undefined, cause);
  }
}

/**
 * Whether an OpenSSH or PuTTY key is protected by a passphrase, read from its header: ssh2's
 * own messages for "needs one" and "wrong one" are not a stable interface.
 */
export function isEncryptedSshKey(text: string): boolean {
  if (text.startsWith('PuTTY-User-Key-File-')) {
    const match = /^Encryption:\s*(\S+)/m.exec(text);
    return match !== null && match[1] !== 'none';
  }
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text)?.[1];
  if (!body) return false;
  const bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  // "openssh-key-v1\0", then the cipher name as a uint32 length and bytes ("none" when clear).
  const magic = 'openssh-key-v1\0';
  if (bytes.subarray(0, magic.length).toString('latin1') !== magic || bytes.length < magic.length + 4) return false;
  const length = bytes.readUInt32BE(magic.length);
  const cipher = bytes.subarray(magic.length + 4, magic.length + 4 + length).toString('latin1');
  return cipher !== 'none';
}

function isPublicKey(text: string): boolean {
  return /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-\S+|sk-\S+) AAAA/.test(text) || /-----BEGIN (RSA |SSH2 )?PUBLIC KEY-----/.test(text);
}

function requireRsa(key: KeyObject): KeyObject {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return key;
    case 'ed25519':
      throw unsuitable('an ED25519');
    case 'ec':
      throw unsuitable('an EC (ECDSA)');
    case 'rsa-pss':
      throw unsuitable('an RSA-PSS');
    default:
      throw unsuitable(`a ${key.asymmetricKeyType ?? 'non-RSA'}`);
  }
}

function unsuitable(kind: string): AppError {
  return new AppError('RDP_KEY_UNSUITABLE', `This is ${kind} key; Windows passwords need an RSA key pair.`, {
    hint: 'AWS encrypts the Windows password only with RSA key pairs (ED25519 key pairs cannot be used for Windows). Pick the RSA private key the instance was launched with.',
  });
}

function invalidKey(message: string, hint?: string, cause?: unknown): AppError {
  return new AppError('RDP_KEY_INVALID', message, {
    hint: hint ?? 'Pick the private key file (.pem) of the key pair the instance was launched with.',
    ...(cause === undefined ? {} : { cause }),
  });
}

function passphraseNeeded(wrong: boolean, cause?: unknown): AppError {
  return new AppError(
    'RDP_KEY_PASSPHRASE_NEEDED',
    wrong ? 'That passphrase does not unlock this private key.' : 'This private key is protected by a passphrase.',
    { hint: wrong ? 'Check the passphrase and try again.' : 'Enter the passphrase to unlock it; it is used once and never stored.', ...(cause === undefined ? {} : { cause }) },
  );
}
