import { describe, expect, it } from 'vitest';
import { SSH_ALGORITHMS, algorithmsFor } from '../../../../main/ssh/algorithms';

describe('SSH algorithm lists', () => {
  it('never offers chacha20-poly1305 (Electron has no chacha20 cipher)', () => {
    const all = Object.values(algorithmsFor()).flat() as string[];
    expect(all.some((a) => a.includes('chacha20'))).toBe(false);
  });

  it('offers no SHA-1, CBC, arcfour or 3DES algorithm', () => {
    const all = Object.values(algorithmsFor()).flat() as string[];
    for (const name of all) {
      expect(name).not.toMatch(/-sha1|^ssh-rsa$|^ssh-dss$|cbc|arcfour|3des|group1-|md5/);
    }
  });

  it('prefers AES-GCM, curve25519 and ed25519 first', () => {
    const a = algorithmsFor();
    expect(a.cipher?.[0]).toBe('aes128-gcm@openssh.com');
    expect(a.kex?.[0]).toBe('curve25519-sha256');
    expect(a.serverHostKey?.[0]).toBe('ssh-ed25519');
  });

  it('puts the remembered host key type first, like OpenSSH', () => {
    expect(algorithmsFor('ecdsa-sha2-nistp256').serverHostKey?.slice(0, 2)).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
    // An RSA key is verified with the SHA-2 signature algorithms.
    expect(algorithmsFor('ssh-rsa').serverHostKey?.slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-ed25519']);
    expect(algorithmsFor('ssh-rsa').serverHostKey).toHaveLength(SSH_ALGORITHMS.serverHostKey.length);
  });

  it('ignores a remembered type it does not offer', () => {
    expect(algorithmsFor('ssh-dss').serverHostKey).toEqual([...SSH_ALGORITHMS.serverHostKey]);
  });

  it('hands out fresh arrays (ssh2 may keep them)', () => {
    const a = algorithmsFor();
    (a.cipher as string[]).pop();
    expect(algorithmsFor().cipher).toHaveLength(SSH_ALGORITHMS.cipher.length);
  });
});
