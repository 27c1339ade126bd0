import { constants, createHash, createHmac, generateKeyPairSync, publicEncrypt, type KeyObject } from 'node:crypto';
import ssh2 from 'ssh2';
import { ed25519KeyPair } from '../../../support/sshKeys';

/** An RSA key pair in every format a person may hold, plus AWS-style password data for it. */
export interface RsaTestKey {
  publicKey: KeyObject;
  privateKey: KeyObject;
  /** `-----BEGIN RSA PRIVATE KEY-----`: what EC2 CreateKeyPair hands out (.pem). */
  pkcs1Pem: string;
  pkcs8Pem: string;
  /** Encrypts like EC2 GetPasswordData: base64 of RSAES-PKCS1-v1_5, wrapped like AWS's. */
  passwordData(password: string): string;
}

const cache = new Map<number, RsaTestKey>();

export function rsaTestKey(bits: 2048 | 4096 = 2048, fresh = false): RsaTestKey {
  const cached = cache.get(bits);
  if (cached && !fresh) return cached;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const key: RsaTestKey = {
    publicKey,
    privateKey,
    pkcs1Pem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    pkcs8Pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    passwordData: (password) => {
      const b64 = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(password, 'utf8')).toString('base64');
      // AWS wraps the base64 with line breaks and surrounding whitespace.
      return `\r\n${b64.replace(/.{76}/g, '$&\r\n')}\r\n`;
    },
  };
  if (!fresh) cache.set(bits, key);
  return key;
}

export function encryptedPkcs8(key: RsaTestKey, passphrase: string): string {
  return key.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();
}

export function encryptedPkcs1(key: RsaTestKey, passphrase: string): string {
  return key.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();
}

/** An OpenSSH-format RSA key (`ssh-keygen` since 7.8) and the ciphertext maker for it. */
export function opensshRsaKey(passphrase?: string): { text: string; passwordData(password: string): string } {
  const pair = ssh2.utils.generateKeyPairSync('rsa', { bits: 2048, ...(passphrase ? { passphrase, cipher: 'aes256-ctr' } : {}) });
  const parsed = ssh2.utils.parseKey(pair.public);
  if (parsed instanceof Error || Array.isArray(parsed)) throw new Error('ssh2 could not parse its own key');
  const publicPem = parsed.getPublicPEM();
  return {
    text: pair.private,
    passwordData: (password) => publicEncrypt({ key: publicPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(password)).toString('base64'),
  };
}

export function opensshEd25519Key(): string {
  return ed25519KeyPair().private;
}

/** An unencrypted PuTTY .ppk (format 2) of an RSA key, built by hand as puttygen writes it. */
export function puttyRsaKey(key: RsaTestKey, comment = 'rsa-key-20260105'): string {
  const jwk = key.privateKey.export({ format: 'jwk' });
  const mpint = (b64url: string | undefined): Buffer => {
    let bytes = Buffer.from(b64url ?? '', 'base64url');
    // mpints are signed: a leading high bit needs a zero byte in front.
    if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return lengthPrefixed(bytes);
  };
  const publicBlob = Buffer.concat([lengthPrefixed(Buffer.from('ssh-rsa')), mpint(jwk.e), mpint(jwk.n)]);
  const privateBlob = Buffer.concat([mpint(jwk.d), mpint(jwk.p), mpint(jwk.q), mpint(jwk.qi)]);
  const macKey = createHash('sha1').update('putty-private-key-file-mac-key').digest();
  const macData = Buffer.concat([
    lengthPrefixed(Buffer.from('ssh-rsa')),
    lengthPrefixed(Buffer.from('none')),
    lengthPrefixed(Buffer.from(comment)),
    lengthPrefixed(publicBlob),
    lengthPrefixed(privateBlob),
  ]);
  const mac = createHmac('sha1', macKey).update(macData).digest('hex');
  const lines = (bytes: Buffer): string[] => bytes.toString('base64').match(/.{1,64}/g) ?? [];
  const pub = lines(publicBlob);
  const priv = lines(privateBlob);
  return [
    'PuTTY-User-Key-File-2: ssh-rsa',
    'Encryption: none',
    `Comment: ${comment}`,
    `Public-Lines: ${pub.length}`,
    ...pub,
    `Private-Lines: ${priv.length}`,
    ...priv,
    `Private-MAC: ${mac}`,
    '',
  ].join('\n');
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
