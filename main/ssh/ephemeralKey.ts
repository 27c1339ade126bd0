import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import ssh2, { type ParsedKey } from 'ssh2';

/** A one-connection key pair for EC2 Instance Connect. Lives in memory only. */
export interface EphemeralKey {
  /** The OpenSSH public key line SendSSHPublicKey takes. */
  readonly publicKey: string;
  /** The parsed private key ssh2 signs with; dropped once the login is done. */
  readonly privateKey: ParsedKey;
}

/**
 * Makes a fresh ed25519 key pair for one connection. ed25519 because EC2 Instance Connect
 * accepts it and it is fast to make (well under a millisecond). ssh2 refuses node:crypto's
 * PKCS#8 ed25519 PEM, so the key is handed to it in the OpenSSH format (written by
 * `openSshEd25519` below). The private key is never written anywhere: it stays in this object
 * until the caller lets go of it.
 */
export function createEphemeralKey(): EphemeralKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const { pem, publicKeyLine } = openSshEd25519(privateKey, 'bastionless-ephemeral');
  const parsed = ssh2.utils.parseKey(pem);
  if (parsed instanceof Error) throw parsed;
  return { publicKey: publicKeyLine, privateKey: Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed };
}

/**
 * An ed25519 key in OpenSSH's own formats: the unencrypted `openssh-key-v1` private key PEM
 * (PROTOCOL.key) and the `ssh-ed25519 AAAA…` public key line.
 *
 * Why not ssh2's `utils.generateKeyPairSync('ed25519')`: it drops a public key's leading zero
 * byte, so about one key in 256 has a 31-byte public key that ssh2's own parser then refuses
 * ("Malformed OpenSSH private key"; mscdex/ssh2#1390, #1513, open). Here both halves come from
 * the JWK, always 32 bytes each.
 */
export function openSshEd25519(privateKey: KeyObject, comment = ''): { pem: string; publicKeyLine: string } {
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || !jwk.d || !jwk.x) throw new Error('not an ed25519 private key');
  const seed = Buffer.from(jwk.d, 'base64url');
  const pub = Buffer.from(jwk.x, 'base64url');
  const type = Buffer.from('ssh-ed25519');
  const publicBlob = Buffer.concat([sshString(type), sshString(pub)]);
  // Two equal random check words, the key, its comment, then padding 1, 2, 3… to 8 bytes.
  const check = randomBytes(4);
  const body = Buffer.concat([check, check, sshString(type), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(Buffer.from(comment))]);
  const padding = Buffer.from(Array.from({ length: (8 - (body.length % 8)) % 8 }, (_v, i) => i + 1));
  const none = sshString(Buffer.from('none'));
  const file = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    none, // cipher
    none, // KDF
    sshString(Buffer.alloc(0)), // KDF options
    uint32(1), // one key
    sshString(publicBlob),
    sshString(Buffer.concat([body, padding])),
  ]);
  const lines = file.toString('base64').match(/.{1,70}/g) ?? [];
  seed.fill(0);
  return {
    pem: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`,
    publicKeyLine: `ssh-ed25519 ${publicBlob.toString('base64')}${comment ? ` ${comment}` : ''}`,
  };
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function sshString(data: Buffer): Buffer {
  return Buffer.concat([uint32(data.length), data]);
}
