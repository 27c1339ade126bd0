import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../preload/contract';
import { loadRsaPrivateKey } from '../../../main/rdp/privateKey';
import { decryptWindowsPassword } from '../../../main/rdp/windowsPassword';
import { requireBinary } from '../../support/requireBinary';

/**
 * Vectors from another implementation: OpenSSL's own PKCS#1 v1.5 encryption (what AWS's side
 * amounts to), decrypted by our BigInt RSA, for 2048- and 4096-bit keys in the key formats
 * OpenSSL writes.
 */
const openssl = requireBinary('openssl', 'openssl');
const dir = mkdtempSync(join(tmpdir(), 'bastionless-rdp-vectors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: string): Buffer {
  return execFileSync(openssl, args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

function opensslEncrypt(keyFile: string, message: string): string {
  const plain = join(dir, 'plain.txt');
  writeFileSync(plain, message);
  const pub = join(dir, 'pub.pem');
  run(['pkey', '-in', keyFile, '-pubout', '-out', pub]);
  return run(['pkeyutl', '-encrypt', '-pubin', '-inkey', pub, '-pkeyopt', 'rsa_padding_mode:pkcs1', '-in', plain]).toString('base64');
}

describe('decrypting OpenSSL-made ciphertexts', () => {
  for (const bits of [2048, 4096]) {
    it(`${bits}-bit key: PKCS#8 from genpkey, PKCS#1 (traditional) and an encrypted PKCS#8`, () => {
      const pkcs8 = join(dir, `k${bits}.pem`);
      run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', pkcs8]);
      const pkcs1 = join(dir, `k${bits}-rsa.pem`);
      run(['pkey', '-in', pkcs8, '-traditional', '-out', pkcs1]);
      const locked = join(dir, `k${bits}-locked.pem`);
      run(['pkcs8', '-topk8', '-in', pkcs8, '-v2', 'aes-256-cbc', '-passout', 'pass:hunter22', '-out', locked]);
      expect(readFileSync(pkcs1, 'utf8')).toMatch(/BEGIN RSA PRIVATE KEY/);

      for (const password of ['x', 'Q9!z)mN4@v&Ly8pW', 'ünïcødé€ pass', 'P'.repeat(bits / 8 - 11)]) {
        const data = opensslEncrypt(pkcs8, password);
        expect(decryptWindowsPassword(data, loadRsaPrivateKey(readFileSync(pkcs8, 'utf8')))).toBe(password);
        expect(decryptWindowsPassword(data, loadRsaPrivateKey(readFileSync(pkcs1, 'utf8')))).toBe(password);
        expect(decryptWindowsPassword(data, loadRsaPrivateKey(readFileSync(locked, 'utf8'), 'hunter22'))).toBe(password);
      }
    });
  }

  it('says a different OpenSSL key does not match', () => {
    const a = join(dir, 'a.pem');
    const b = join(dir, 'b.pem');
    run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', a]);
    run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', b]);
    const data = opensslEncrypt(a, 'secret-pass');
    let error: unknown;
    try {
      decryptWindowsPassword(data, createPrivateKey(readFileSync(b, 'utf8')));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('RDP_DECRYPT_FAILED');
  });
});
