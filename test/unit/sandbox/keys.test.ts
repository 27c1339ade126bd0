import { constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { encryptPassword, generateKeyPair, importPublicKey, newWindowsPassword } from '../../sandbox/world/keys';

describe('sandbox key pairs', () => {
  it('makes RSA key pairs whose OpenSSH line matches the private key, and imports it back', async () => {
    const pair = await generateKeyPair('rsa');
    const parsed = ssh2.utils.parseKey(pair.privateKey);
    if (parsed instanceof Error || Array.isArray(parsed)) throw new Error('unparseable');
    expect(pair.publicKeyLine).toBe(`ssh-rsa ${parsed.getPublicSSH().toString('base64')}`);
    expect(importPublicKey(`${pair.publicKeyLine} me@host`)).toMatchObject({ type: 'rsa', publicKeyLine: pair.publicKeyLine });
  });

  it('makes ED25519 key pairs in OpenSSH format with AWS\u2019s SHA-256 fingerprint', async () => {
    const pair = await generateKeyPair('ed25519');
    expect(pair.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(pair.fingerprint).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(importPublicKey(pair.publicKeyLine).fingerprint).toBe(pair.fingerprint);
    expect(() => importPublicKey('ssh-dss AAAA')).toThrow();
  });

  it('encrypts the Windows password with PKCS#1 v1.5 so the key pair decrypts it', async () => {
    const pair = await generateKeyPair('rsa');
    const password = newWindowsPassword();
    expect(password).toMatch(/^Aa9!.{28}$/);
    const raw = privateDecrypt({ key: createPrivateKey(pair.privateKey), padding: constants.RSA_NO_PADDING }, Buffer.from(encryptPassword(password, pair.publicKey!), 'base64'));
    expect([raw[0], raw[1]]).toEqual([0, 2]);
    expect(raw.subarray(raw.indexOf(0, 2) + 1).toString('utf8')).toBe(password);
  });
});
