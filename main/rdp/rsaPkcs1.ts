import type { KeyObject } from 'node:crypto';

/**
 * RSA PKCS#1 v1.5 decryption (RFC 8017 §7.2.2) over raw RSA with BigInt.
 *
 * Why not `crypto.privateDecrypt`: Node 20+ refuses RSA_PKCS1_PADDING for decryption
 * (CVE-2023-46809, the Marvin attack) and Electron's BoringSSL build refuses it as well, yet
 * GetPasswordData returns exactly that. The Marvin/Bleichenbacher concern is a padding oracle:
 * an attacker who can submit many ciphertexts and observe failures. Here the only ciphertext is
 * the one AWS returned for the person's own instance, decrypted once, locally, so there is no
 * oracle to protect; the checks below are still strict so a wrong key is reported, never
 * mistaken for a password.
 */

/** Why a decryption was rejected: for the caller's error message and for tests. */
export type Pkcs1Failure = 'length' | 'range' | 'padding';

export class Pkcs1DecryptError extends Error {
  constructor(readonly reason: Pkcs1Failure) {
    super(`RSA PKCS#1 v1.5 decryption failed (${reason})`);
    this.name = 'Pkcs1DecryptError';
  }
}

interface RsaCrtKey {
  n: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qi: bigint;
  /** Modulus length in bytes (k in RFC 8017). */
  k: number;
}

function bigintFromBytes(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function bigintFromBase64Url(value: string | undefined, name: string): bigint {
  if (!value) throw new Error(`the RSA key has no ${name} component`);
  return bigintFromBytes(Buffer.from(value, 'base64url'));
}

/** I2OSP: `value` as exactly `length` big-endian bytes. */
function bytesFromBigint(value: bigint, length: number): Buffer {
  const hex = value.toString(16);
  if (hex.length > length * 2) throw new Pkcs1DecryptError('range');
  return Buffer.from(hex.padStart(length * 2, '0'), 'hex');
}

/**
 * base^exponent mod modulus, left-to-right with a 4-bit fixed window: about a quarter fewer
 * multiplications than plain square-and-multiply, which matters for 4096-bit keys.
 */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  const b = ((base % modulus) + modulus) % modulus;
  const table: bigint[] = [1n, b];
  for (let i = 2; i < 16; i++) table.push((table[i - 1]! * b) % modulus);
  const hex = exponent.toString(16);
  let result = 1n;
  for (const digit of hex) {
    result = (result * result) % modulus;
    result = (result * result) % modulus;
    result = (result * result) % modulus;
    result = (result * result) % modulus;
    const d = parseInt(digit, 16);
    if (d !== 0) result = (result * table[d]!) % modulus;
  }
  return result;
}

/** Reads the CRT parameters from the key's JWK export (works in Node and in Electron). */
export function rsaCrtKeyOf(key: KeyObject): RsaCrtKey {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa') {
    throw new Error('an RSA private key is required');
  }
  const jwk = key.export({ format: 'jwk' });
  const n = bigintFromBase64Url(jwk.n, 'n');
  return {
    n,
    p: bigintFromBase64Url(jwk.p, 'p'),
    q: bigintFromBase64Url(jwk.q, 'q'),
    dp: bigintFromBase64Url(jwk.dp, 'dp'),
    dq: bigintFromBase64Url(jwk.dq, 'dq'),
    qi: bigintFromBase64Url(jwk.qi, 'qi'),
    k: Math.ceil(n.toString(16).length / 2),
  };
}

/** RSADP with the Chinese remainder theorem (RFC 8017 §5.1.2, 2.b). */
function rsaDecryptPrimitive(c: bigint, key: RsaCrtKey): bigint {
  const m1 = modPow(c, key.dp, key.p);
  const m2 = modPow(c, key.dq, key.q);
  const h = (((m1 - m2) % key.p) + key.p) % key.p;
  return m2 + ((key.qi * h) % key.p) * key.q;
}

/**
 * EME-PKCS1-v1_5 decoding: EM = 0x00 || 0x02 || PS || 0x00 || M with PS at least 8 non-zero
 * bytes. Anything else is rejected.
 */
export function unpadPkcs1Type2(em: Uint8Array): Buffer {
  if (em.length < 11 || em[0] !== 0x00 || em[1] !== 0x02) throw new Pkcs1DecryptError('padding');
  let separator = -1;
  for (let i = 2; i < em.length; i++) {
    if (em[i] === 0x00) {
      separator = i;
      break;
    }
  }
  // The padding string runs from index 2 up to the separator: it must be at least 8 bytes.
  if (separator < 0 || separator - 2 < 8) throw new Pkcs1DecryptError('padding');
  return Buffer.from(em.subarray(separator + 1));
}

/**
 * Decrypts an RSAES-PKCS1-v1_5 ciphertext with an RSA private key. Throws Pkcs1DecryptError
 * when the ciphertext does not fit the key or does not unpad: in practice, the wrong key.
 */
export function decryptRsaPkcs1v15(key: KeyObject, ciphertext: Uint8Array): Buffer {
  const crt = rsaCrtKeyOf(key);
  if (ciphertext.length !== crt.k) throw new Pkcs1DecryptError('length');
  const c = bigintFromBytes(ciphertext);
  if (c >= crt.n) throw new Pkcs1DecryptError('range');
  const em = bytesFromBigint(rsaDecryptPrimitive(c, crt), crt.k);
  return unpadPkcs1Type2(em);
}
