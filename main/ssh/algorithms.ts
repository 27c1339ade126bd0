import type { Algorithms } from 'ssh2';

/**
 * The transport algorithms Bastionless offers, most preferred first. ssh2's defaults are
 * replaced whole (not amended) so an ssh2 upgrade never widens what we offer.
 *
 * - No chacha20-poly1305@openssh.com: Electron's BoringSSL has no chacha20 cipher for Node's
 *   crypto, so negotiating it would fail after the handshake started. AES-GCM is as strong and
 *   hardware-accelerated almost everywhere.
 * - No SHA-1 (ssh-rsa signatures, hmac-sha1, group14-sha1, group1) and no CBC or arcfour:
 *   OpenSSH itself has disabled them by default since 8.8. Every AMI with OpenSSH 7.2 or later
 *   (Amazon Linux 2 has 7.4) speaks rsa-sha2-* and the lists below.
 */
export const SSH_ALGORITHMS = {
  kex: [
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
  ],
  cipher: ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr'],
  serverHostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  compress: ['none', 'zlib@openssh.com'],
} as const satisfies Record<keyof Algorithms, readonly string[]>;

/** The host key algorithms that verify a key of each stored key type. */
const HOST_KEY_ALGORITHMS_FOR_TYPE: Record<string, readonly string[]> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256'],
};

/**
 * The algorithm lists for one connection. When a host key is already known for the instance,
 * its type goes first, as OpenSSH does: an instance that has several host keys then presents
 * the one we remember, and a different key really means a changed key.
 */
export function algorithmsFor(knownKeyType?: string): AlgorithmLists {
  const hostKey = [...SSH_ALGORITHMS.serverHostKey] as string[];
  if (knownKeyType) {
    const preferred = HOST_KEY_ALGORITHMS_FOR_TYPE[knownKeyType] ?? [knownKeyType];
    const known = preferred.filter((a) => hostKey.includes(a));
    if (known.length > 0) hostKey.splice(0, hostKey.length, ...known, ...hostKey.filter((a) => !known.includes(a)));
  }
  return {
    kex: [...SSH_ALGORITHMS.kex],
    cipher: [...SSH_ALGORITHMS.cipher],
    serverHostKey: hostKey,
    hmac: [...SSH_ALGORITHMS.hmac],
    compress: [...SSH_ALGORITHMS.compress],
  };
}

/** One exact list per category (ssh2 also takes add/remove objects; we never do). */
export type AlgorithmLists = Record<keyof Algorithms, string[]>;
