import { constants, createHash, createPublicKey, generateKeyPair as generateRsa, generateKeyPairSync, publicEncrypt, randomInt, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import ssh2 from 'ssh2';
import { openSshEd25519 } from '../../../main/ssh/ephemeralKey';

// ssh2 is CommonJS: Node's ESM loader (tsx) cannot see its named exports.
const { utils } = ssh2;

/** A key pair as EC2 knows it, plus the private half the sandbox hands to tests. */
export interface GeneratedKeyPair {
  type: 'rsa' | 'ed25519';
  /** What CreateKeyPair returns as KeyMaterial: PKCS#1 PEM for RSA, OpenSSH for ED25519 (as AWS does). */
  privateKey: string;
  /** The OpenSSH public line (`ssh-rsa AAAA...`), what sshd's authorized_keys holds. */
  publicKeyLine: string;
  /** AWS's KeyFingerprint: SHA-1 of the PKCS#8 DER private key for RSA, base64 SHA-256 of the public key for ED25519. */
  fingerprint: string;
  /** For RSA: the public key GetPasswordData encrypts with. */
  publicKey?: KeyObject;
}

function sshString(buf: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(buf.length);
  return Buffer.concat([len, buf]);
}

function sshMpint(bigEndian: Buffer): Buffer {
  let b = bigEndian;
  while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return sshString(b);
}

/** The OpenSSH `ssh-rsa` line of an RSA public key. */
export function rsaPublicKeyLine(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), sshMpint(Buffer.from(jwk.e!, 'base64url')), sshMpint(Buffer.from(jwk.n!, 'base64url'))]);
  return `ssh-rsa ${blob.toString('base64')}`;
}

const generateRsaAsync = promisify(generateRsa);

/**
 * A new key pair. RSA runs on the thread pool: 2048-bit generation takes a noticeable time on a
 * busy machine, and several can run at once without blocking the event loop.
 */
export async function generateKeyPair(type: 'rsa' | 'ed25519'): Promise<GeneratedKeyPair> {
  if (type === 'ed25519') {
    // The app's own writer: ssh2's generator drops a leading zero byte of the public key.
    const { pem, publicKeyLine } = openSshEd25519(generateKeyPairSync('ed25519').privateKey);
    const blob = Buffer.from(publicKeyLine.split(' ')[1]!, 'base64');
    return { type, privateKey: pem, publicKeyLine, fingerprint: createHash('sha256').update(blob).digest('base64') };
  }
  const { privateKey, publicKey } = await generateRsaAsync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const fingerprint = createHash('sha1').update(der).digest('hex').match(/../g)!.join(':');
  return { type, privateKey: pem, publicKeyLine: rsaPublicKeyLine(publicKey), fingerprint, publicKey };
}

/** A public key from an OpenSSH line or PEM, for ImportKeyPair. */
export function importPublicKey(material: string): { type: 'rsa' | 'ed25519'; publicKeyLine: string; fingerprint: string; publicKey?: KeyObject } {
  const parsed = utils.parseKey(material.trim());
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) throw new Error('No key found.');
  const line = `${key.type} ${key.getPublicSSH().toString('base64')}`;
  if (key.type === 'ssh-ed25519') return { type: 'ed25519', publicKeyLine: line, fingerprint: createHash('sha256').update(key.getPublicSSH()).digest('base64') };
  if (key.type === 'ssh-rsa') {
    const publicKey = createPublicKey(key.getPublicPEM());
    // AWS's fingerprint for an imported RSA key: MD5 of the DER public key.
    const der = publicKey.export({ type: 'spki', format: 'der' });
    return { type: 'rsa', publicKeyLine: line, fingerprint: createHash('md5').update(der).digest('hex').match(/../g)!.join(':'), publicKey };
  }
  throw new Error(`Key type ${key.type} is not supported (use ssh-rsa or ssh-ed25519).`);
}

const PASSWORD_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@%*()-_=+.?';

/** A Windows-style random Administrator password (letters, digits and symbols, 32 characters). */
export function newWindowsPassword(): string {
  let out = '';
  while (out.length < 32) out += PASSWORD_CHARS[randomInt(PASSWORD_CHARS.length)];
  // Guarantee each class appears, as Windows' complexity rules require.
  return `Aa9!${out.slice(4)}`;
}

/** GetPasswordData's PasswordData: base64 of the password RSA-encrypted with PKCS#1 v1.5 padding. */
export function encryptPassword(password: string, publicKey: KeyObject): string {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(password, 'utf8')).toString('base64');
}
