import { constants, generateKeyPairSync, publicEncrypt, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptRsaPkcs1v15, modPow, Pkcs1DecryptError, rsaCrtKeyOf, unpadPkcs1Type2 } from '../../../../main/rdp/rsaPkcs1';

const keys = new Map<number, { privateKey: KeyObject; publicKey: KeyObject }>();
function rsaKey(bits: 2048 | 4096): { privateKey: KeyObject; publicKey: KeyObject } {
  let pair = keys.get(bits);
  if (!pair) {
    pair = generateKeyPairSync('rsa', { modulusLength: bits });
    keys.set(bits, pair);
  }
  return pair;
}

function encrypt(publicKey: KeyObject, message: string | Buffer): Buffer {
  // PKCS#1 v1.5 padding is still allowed for encryption: exactly what AWS does.
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(message));
}

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof Pkcs1DecryptError) return error.reason;
    throw error;
  }
  return 'no error';
}

describe('RSA PKCS#1 v1.5 decryption over BigInt', () => {
  for (const bits of [2048, 4096] as const) {
    it(`decrypts what node's publicEncrypt produced with a ${bits}-bit key`, () => {
      const { privateKey, publicKey } = rsaKey(bits);
      for (const message of ['x', 'Pa55w0rd!(aws)&=', 'ü€𝄞 unicode', 'A'.repeat(bits / 8 - 11)]) {
        expect(decryptRsaPkcs1v15(privateKey, encrypt(publicKey, message)).toString('utf8')).toBe(message);
      }
    });
  }

  it('decrypts binary messages, including ones with zero bytes and an empty one', () => {
    const { privateKey, publicKey } = rsaKey(2048);
    const binary = Buffer.from([0, 0, 2, 0, 255, 0, 1]);
    expect(decryptRsaPkcs1v15(privateKey, encrypt(publicKey, binary))).toEqual(binary);
    expect(decryptRsaPkcs1v15(privateKey, encrypt(publicKey, Buffer.alloc(0)))).toEqual(Buffer.alloc(0));
  });

  it('rejects a ciphertext made for another key', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ciphertext = encrypt(other.publicKey, 'secret');
    expect(reasonOf(() => decryptRsaPkcs1v15(rsaKey(2048).privateKey, ciphertext))).toMatch(/padding|range/);
    expect(reasonOf(() => decryptRsaPkcs1v15(rsaKey(4096).privateKey, ciphertext))).toBe('length');
  });

  it('rejects a tampered ciphertext', () => {
    const { privateKey, publicKey } = rsaKey(2048);
    const ciphertext = encrypt(publicKey, 'secret');
    for (const index of [0, 17, 128, 255]) {
      const tampered = Buffer.from(ciphertext);
      tampered[index]! ^= 0x5a;
      expect(reasonOf(() => decryptRsaPkcs1v15(privateKey, tampered))).toMatch(/padding|range/);
    }
    expect(reasonOf(() => decryptRsaPkcs1v15(privateKey, ciphertext.subarray(1)))).toBe('length');
    expect(reasonOf(() => decryptRsaPkcs1v15(privateKey, Buffer.concat([ciphertext, Buffer.from([0])])))).toBe('length');
    expect(reasonOf(() => decryptRsaPkcs1v15(privateKey, Buffer.alloc(256, 0xff)))).toBe('range');
  });

  it('refuses public and non-RSA keys', () => {
    expect(() => decryptRsaPkcs1v15(rsaKey(2048).publicKey, Buffer.alloc(256))).toThrow(/RSA private key/);
    const ed = generateKeyPairSync('ed25519');
    expect(() => decryptRsaPkcs1v15(ed.privateKey, Buffer.alloc(64))).toThrow(/RSA private key/);
  });

  it('reads the CRT parameters of the key', () => {
    const crt = rsaCrtKeyOf(rsaKey(2048).privateKey);
    expect(crt.k).toBe(256);
    expect(crt.p * crt.q).toBe(crt.n);
    expect((crt.qi * crt.q) % crt.p).toBe(1n);
  });
});

describe('modPow', () => {
  it('matches repeated multiplication', () => {
    const naive = (b: bigint, e: bigint, m: bigint): bigint => {
      let r = 1n;
      for (let i = 0n; i < e; i++) r = (r * b) % m;
      return r;
    };
    for (const [b, e, m] of [
      [4n, 13n, 497n],
      [2n, 0n, 7n],
      [0n, 5n, 7n],
      [123456789n, 1000n, 1000000007n],
      [-3n, 3n, 7n],
      [5n, 17n, 1n],
    ] as const) {
      expect(modPow(b, e, m)).toBe(naive(((b % m) + m) % m, e, m));
    }
  });
});

describe('EME-PKCS1-v1_5 type 2 unpadding', () => {
  const em = (ps: number[], message: number[], head = [0x00, 0x02]): Uint8Array => Uint8Array.from([...head, ...ps, 0x00, ...message]);
  const nonZero = (n: number): number[] => Array.from({ length: n }, (_, i) => (i % 255) + 1);

  it('returns the message after the separator', () => {
    expect([...unpadPkcs1Type2(em(nonZero(8), [0x41, 0x00, 0x42]))]).toEqual([0x41, 0x00, 0x42]);
    expect([...unpadPkcs1Type2(em(nonZero(200), [1]))]).toEqual([1]);
  });

  it('rejects a wrong first or second byte', () => {
    expect(reasonOf(() => unpadPkcs1Type2(em(nonZero(10), [1], [0x01, 0x02])))).toBe('padding');
    expect(reasonOf(() => unpadPkcs1Type2(em(nonZero(10), [1], [0x00, 0x01])))).toBe('padding');
    expect(reasonOf(() => unpadPkcs1Type2(em(nonZero(10), [1], [0x00, 0x00])))).toBe('padding');
  });

  it('rejects fewer than 8 padding bytes', () => {
    expect(reasonOf(() => unpadPkcs1Type2(em(nonZero(7), [1, 2, 3])))).toBe('padding');
    expect(reasonOf(() => unpadPkcs1Type2(em([], [1, 2, 3, 4, 5, 6, 7, 8, 9])))).toBe('padding');
  });

  it('rejects a block without a separator, and one too short to hold padding', () => {
    expect(reasonOf(() => unpadPkcs1Type2(Uint8Array.from([0, 2, ...nonZero(30)])))).toBe('padding');
    expect(reasonOf(() => unpadPkcs1Type2(Uint8Array.from([0, 2, 1, 1, 1, 0])))).toBe('padding');
  });
});
