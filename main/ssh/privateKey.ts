import ssh2, { type ParsedKey } from 'ssh2';
import { AppError } from '../../preload/contract';

/** Asks for the key's passphrase; `retryMessage` says the last one was wrong. Rejects with CANCELLED. */
export type PassphrasePrompt = (retryMessage: string | undefined) => Promise<string>;

const MAX_PASSPHRASE_ATTEMPTS = 3;

/**
 * Parses a key pair's private key (OpenSSH or PEM; RSA, ECDSA or ed25519), asking for the
 * passphrase when it is encrypted and again when the passphrase is wrong. Fails with
 * SSH_KEY_INVALID (not a private key, or three wrong passphrases) or CANCELLED.
 */
export async function parsePrivateKey(text: string, keyName: string, askPassphrase: PassphrasePrompt): Promise<ParsedKey> {
  let first = toKey(ssh2.utils.parseKey(text));
  if (first instanceof Error && !isEncrypted(first)) throw invalid(keyName, first);
  if (!(first instanceof Error)) return ensurePrivate(first, keyName);
  let retryMessage: string | undefined;
  for (let attempt = 1; attempt <= MAX_PASSPHRASE_ATTEMPTS; attempt++) {
    const passphrase = await askPassphrase(retryMessage);
    first = toKey(ssh2.utils.parseKey(text, passphrase));
    if (!(first instanceof Error)) return ensurePrivate(first, keyName);
    // The key is known to be encrypted, so whatever the decrypted garbage made the parser say
    // ("integrity check failed", "malformed"...), the passphrase did not fit.
    retryMessage = 'That passphrase did not unlock the key. Try again.';
  }
  throw new AppError('SSH_KEY_INVALID', `The passphrase for ${keyName} was wrong ${MAX_PASSPHRASE_ATTEMPTS} times.`, {
    hint: 'Check the passphrase (it is the one you chose with ssh-keygen), then retry.',
  });
}

function toKey(parsed: ParsedKey | ParsedKey[] | Error): ParsedKey | Error {
  if (Array.isArray(parsed)) return parsed[0] ?? new Error('No key found');
  return parsed;
}

function isEncrypted(error: Error): boolean {
  return /no passphrase given/i.test(error.message);
}

function ensurePrivate(key: ParsedKey, keyName: string): ParsedKey {
  if (!key.isPrivateKey()) {
    throw new AppError('SSH_KEY_INVALID', `${keyName} is a public key, not a private key.`, {
      hint: 'Choose the private key file (the one without .pub).',
    });
  }
  return key;
}

function invalid(keyName: string, cause: Error): AppError {
  return new AppError('SSH_KEY_INVALID', `${keyName} is not a private key Bastionless can use.`, {
    hint: 'Use an OpenSSH or PEM private key (RSA, ECDSA or ed25519), such as the .pem file AWS gave you for the key pair.',
    cause,
  });
}
