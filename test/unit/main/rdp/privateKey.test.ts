import { constants, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../preload/contract';
import { isEncryptedSshKey, loadRsaPrivateKey } from '../../../../main/rdp/privateKey';
import { decryptWindowsPassword } from '../../../../main/rdp/windowsPassword';
import { encryptedPkcs1, encryptedPkcs8, opensshEd25519Key, opensshRsaKey, puttyRsaKey, rsaTestKey } from './keyBuilders';

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

const PASSWORD = 'Gx7%Lm!q2;Rz@w9';

describe('loading a key pair private key', () => {
  it('reads PKCS#1 and PKCS#8 PEM and decrypts the password with either', () => {
    const key = rsaTestKey();
    const data = key.passwordData(PASSWORD);
    for (const text of [key.pkcs1Pem, key.pkcs8Pem, `\n  ${key.pkcs1Pem}\n\n`]) {
      expect(decryptWindowsPassword(data, loadRsaPrivateKey(text))).toBe(PASSWORD);
    }
  });

  it('reads passphrase-protected PKCS#8 and legacy PEM with the passphrase', () => {
    const key = rsaTestKey();
    const data = key.passwordData(PASSWORD);
    for (const text of [encryptedPkcs8(key, 'correct horse'), encryptedPkcs1(key, 'correct horse')]) {
      expect(decryptWindowsPassword(data, loadRsaPrivateKey(text, 'correct horse'))).toBe(PASSWORD);
      const missing = errorOf(() => loadRsaPrivateKey(text));
      expect(missing.code).toBe('RDP_KEY_PASSPHRASE_NEEDED');
      expect(missing.message).toMatch(/protected by a passphrase/);
      const wrong = errorOf(() => loadRsaPrivateKey(text, 'battery staple'));
      expect(wrong.code).toBe('RDP_KEY_PASSPHRASE_NEEDED');
      expect(wrong.message).toMatch(/does not unlock/);
    }
  });

  it('reads OpenSSH-format RSA keys, plain and encrypted', () => {
    const plain = opensshRsaKey();
    expect(isEncryptedSshKey(plain.text)).toBe(false);
    expect(decryptWindowsPassword(plain.passwordData(PASSWORD), loadRsaPrivateKey(plain.text))).toBe(PASSWORD);

    const locked = opensshRsaKey('s3same');
    expect(isEncryptedSshKey(locked.text)).toBe(true);
    expect(decryptWindowsPassword(locked.passwordData(PASSWORD), loadRsaPrivateKey(locked.text, 's3same'))).toBe(PASSWORD);
    expect(errorOf(() => loadRsaPrivateKey(locked.text)).message).toMatch(/protected by a passphrase/);
    expect(errorOf(() => loadRsaPrivateKey(locked.text, 'nope')).message).toMatch(/does not unlock/);
  });

  it('reads a PuTTY .ppk RSA key, and asks for the passphrase of an encrypted one', () => {
    const key = rsaTestKey();
    const ppk = puttyRsaKey(key);
    expect(isEncryptedSshKey(ppk)).toBe(false);
    expect(decryptWindowsPassword(key.passwordData(PASSWORD), loadRsaPrivateKey(ppk))).toBe(PASSWORD);
    const locked = ppk.replace('Encryption: none', 'Encryption: aes256-cbc');
    expect(isEncryptedSshKey(locked)).toBe(true);
    expect(errorOf(() => loadRsaPrivateKey(locked)).code).toBe('RDP_KEY_PASSPHRASE_NEEDED');
    // A damaged file (its MAC no longer matches) is refused, not half-read.
    const tampered = ppk.replace(/Private-MAC: (.)/, (_m, c: string) => `Private-MAC: ${c === '0' ? '1' : '0'}`);
    expect(tampered).not.toBe(ppk);
    expect(errorOf(() => loadRsaPrivateKey(tampered)).code).toBe('RDP_KEY_INVALID');
    const v3 = errorOf(() => loadRsaPrivateKey(ppk.replace('PuTTY-User-Key-File-2', 'PuTTY-User-Key-File-3')));
    expect(v3).toMatchObject({ code: 'RDP_KEY_INVALID', hint: /Export OpenSSH key/ });
  });

  it('explains that ED25519 and EC keys cannot decrypt a Windows password', () => {
    const ed = errorOf(() => loadRsaPrivateKey(opensshEd25519Key()));
    expect(ed.code).toBe('RDP_KEY_UNSUITABLE');
    expect(ed.message).toMatch(/ED25519.*RSA/);
    expect(ed.hint).toMatch(/RSA key pairs/);
    const edPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(errorOf(() => loadRsaPrivateKey(edPem)).code).toBe('RDP_KEY_UNSUITABLE');
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    expect(errorOf(() => loadRsaPrivateKey(ec.export({ type: 'sec1', format: 'pem' }).toString())).code).toBe('RDP_KEY_UNSUITABLE');
    expect(errorOf(() => loadRsaPrivateKey(ec.export({ type: 'pkcs8', format: 'pem' }).toString())).message).toMatch(/EC/);
  });

  it('says so when given a public key, an empty file, or something else', () => {
    const key = rsaTestKey();
    const pub = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(errorOf(() => loadRsaPrivateKey(pub)).message).toMatch(/public key/);
    expect(errorOf(() => loadRsaPrivateKey('ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ user@host')).message).toMatch(/public key/);
    expect(errorOf(() => loadRsaPrivateKey('   ')).code).toBe('RDP_KEY_INVALID');
    expect(errorOf(() => loadRsaPrivateKey('hello world')).message).toMatch(/does not contain a private key/);
    const damaged = key.pkcs1Pem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    const error = errorOf(() => loadRsaPrivateKey(damaged));
    expect(error.code).toBe('RDP_KEY_INVALID');
    // The key text never ends up in what the person (or the log) sees.
    expect(`${error.message} ${error.hint}`).not.toContain(key.pkcs1Pem.split('\n')[1]!);
  });
});

describe('decrypting the Windows password', () => {
  it('says the key does not match when it is another key pair', () => {
    const data = rsaTestKey().passwordData(PASSWORD);
    const other = rsaTestKey(2048, true);
    const error = errorOf(() => decryptWindowsPassword(data, other.privateKey, 'my-keypair'));
    expect(error.code).toBe('RDP_DECRYPT_FAILED');
    expect(error.message).toBe("This key does not match the instance's key pair.");
    expect(error.hint).toContain('"my-keypair"');
  });

  it('rejects tampered password data and data that is not base64', () => {
    const key = rsaTestKey();
    const bytes = Buffer.from(key.passwordData(PASSWORD).replace(/\s/g, ''), 'base64');
    bytes[100]! ^= 1;
    expect(errorOf(() => decryptWindowsPassword(bytes.toString('base64'), key.privateKey)).code).toBe('RDP_DECRYPT_FAILED');
    expect(errorOf(() => decryptWindowsPassword('not base64 at all!', key.privateKey)).message).toMatch(/cannot read/);
  });

  it('rejects a plaintext that is not a printable password', () => {
    const key = rsaTestKey();
    // Correctly padded, but no password: control characters, invalid UTF-8, empty.
    for (const plain of [Buffer.from([0x01, 0x41]), Buffer.from([0xc3, 0x28]), Buffer.alloc(0)]) {
      const forged = publicEncrypt({ key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, plain);
      expect(errorOf(() => decryptWindowsPassword(forged.toString('base64'), key.privateKey)).code).toBe('RDP_DECRYPT_FAILED');
    }
  });
});
