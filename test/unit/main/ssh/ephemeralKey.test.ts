import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import ssh2, { type ParsedKey } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { createEphemeralKey, openSshEd25519 } from '../../../../main/ssh/ephemeralKey';

function parse(pem: string): ParsedKey {
  const parsed = ssh2.utils.parseKey(pem);
  if (parsed instanceof Error) throw parsed;
  return Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
}

/** The raw 32-byte public key of an ed25519 KeyObject. */
const rawPublic = (key: KeyObject): Buffer => Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x!, 'base64url');

describe('ephemeral ed25519 keys', () => {
  it('writes keys ssh2 reads back, whose signatures the public half verifies', () => {
    for (let i = 0; i < 300; i++) {
      const { privateKey } = generateKeyPairSync('ed25519');
      const { pem, publicKeyLine } = openSshEd25519(privateKey, 'c');
      const parsed = parse(pem);
      expect(parsed.type).toBe('ssh-ed25519');
      expect(parsed.comment).toBe('c');
      const [type, blob, comment] = publicKeyLine.split(' ');
      expect([type, comment]).toEqual(['ssh-ed25519', 'c']);
      expect(parsed.getPublicSSH().toString('base64')).toBe(blob);
      const data = Buffer.from(`message ${i}`);
      expect(verify(null, data, createPublicKey(privateKey), parsed.sign(data))).toBe(true);
    }
  });

  it('keeps a public key that starts with a zero byte whole (ssh2’s own generator drops that byte)', () => {
    let key: KeyObject | undefined;
    // About one key in 256 starts with 0x00; 20 000 tries miss one with odds below 1e-30.
    for (let i = 0; i < 20_000 && !key; i++) {
      const candidate = generateKeyPairSync('ed25519').privateKey;
      if (rawPublic(candidate)[0] === 0) key = candidate;
    }
    expect(key).toBeDefined();
    const { pem, publicKeyLine } = openSshEd25519(key!);
    const blob = Buffer.from(publicKeyLine.split(' ')[1]!, 'base64');
    expect(blob.length).toBe(51);
    expect(blob.subarray(19)).toEqual(rawPublic(key!));
    expect(parse(pem).getPublicSSH()).toEqual(blob);
  });

  it('makes a new key each time, as an OpenSSH line and a parsed private key', () => {
    const a = createEphemeralKey();
    const b = createEphemeralKey();
    expect(a.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} bastionless-ephemeral$/);
    expect(a.publicKey).not.toBe(b.publicKey);
    expect(a.privateKey.getPublicSSH().toString('base64')).toBe(a.publicKey.split(' ')[1]);
  });

  it('refuses a key that is not ed25519', () => {
    expect(() => openSshEd25519(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)).toThrow(/ed25519/);
  });
});
