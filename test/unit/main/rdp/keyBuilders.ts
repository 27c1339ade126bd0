import { constants, generateKeyPairSync, publicEncrypt, type KeyObject } from 'node:crypto';
import ssh2 from 'ssh2';

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
  return ssh2.utils.generateKeyPairSync('ed25519').private;
}
