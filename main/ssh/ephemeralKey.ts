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
 * accepts it, it is fast to make (well under a millisecond), and ssh2 takes the OpenSSH format
 * `generateKeyPairSync` writes (it refuses node:crypto's PKCS#8 ed25519 PEM). The private key
 * is never written anywhere: it stays in this object until the caller lets go of it.
 */
export function createEphemeralKey(): EphemeralKey {
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'bastionless-ephemeral' });
  const parsed = ssh2.utils.parseKey(pair.private);
  if (parsed instanceof Error) throw parsed;
  const privateKey = Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
  return { publicKey: pair.public.trim(), privateKey };
}
