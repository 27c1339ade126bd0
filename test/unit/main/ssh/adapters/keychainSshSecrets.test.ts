import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeychainSshSecrets } from '../../../../../main/ssh/adapters/keychainSshSecrets';
import { MemorySecretStore } from '../../../../support/memorySecretStore';

describe('KeychainSshSecrets', () => {
  it('reads a key and a password from the keychain', async () => {
    const keychain = new MemorySecretStore();
    keychain.secrets.set('host:h-1:privateKey', 'KEY');
    keychain.secrets.set('host:h-1:password', 'pw');
    const secrets = new KeychainSshSecrets(keychain);
    expect(await secrets.readPrivateKey({ source: 'keychain', account: 'host:h-1:privateKey' })).toBe('KEY');
    expect(await secrets.readPassword('host:h-1:password')).toBe('pw');
    expect(await secrets.readPassword('host:h-2:password')).toBeUndefined();
  });

  it('says plainly when the keychain no longer has the key', async () => {
    const secrets = new KeychainSshSecrets(new MemorySecretStore());
    await expect(secrets.readPrivateKey({ source: 'keychain', account: 'host:h-1:privateKey' })).rejects.toMatchObject({ code: 'SSH_KEY_UNREADABLE' });
  });

  it('passes keychain failures through', async () => {
    const keychain = new MemorySecretStore();
    keychain.failWith = 'KEYCHAIN_UNAVAILABLE';
    await expect(new KeychainSshSecrets(keychain).readPrivateKey({ source: 'keychain', account: 'a' })).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
  });

  it('reads a key file, expanding ~/', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bl-home-'));
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'prod.pem'), 'PEM');
    expect(await new KeychainSshSecrets(new MemorySecretStore(), home).readPrivateKey({ source: 'file', path: '~/.ssh/prod.pem' })).toBe('PEM');
  });

  it('explains a missing file, a folder and a huge file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bl-keys-'));
    const secrets = new KeychainSshSecrets(new MemorySecretStore(), dir);
    await expect(secrets.readPrivateKey({ source: 'file', path: join(dir, 'gone.pem') })).rejects.toMatchObject({ code: 'SSH_KEY_UNREADABLE', message: `The key file ${join(dir, 'gone.pem')} does not exist.` });
    await expect(secrets.readPrivateKey({ source: 'file', path: dir })).rejects.toMatchObject({ code: 'SSH_KEY_INVALID' });
    writeFileSync(join(dir, 'big.pem'), Buffer.alloc(200 * 1024));
    await expect(secrets.readPrivateKey({ source: 'file', path: join(dir, 'big.pem') })).rejects.toMatchObject({ code: 'SSH_KEY_INVALID' });
  });

  it('names the system error when the file cannot be opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bl-keys-'));
    writeFileSync(join(dir, 'file'), 'x');
    // A path "under" a file fails the same way for every user (root reads any permission).
    await expect(new KeychainSshSecrets(new MemorySecretStore()).readPrivateKey({ source: 'file', path: join(dir, 'file', 'k.pem') })).rejects.toMatchObject({
      code: 'SSH_KEY_UNREADABLE',
      message: expect.stringContaining('(ENOTDIR)'),
    });
  });
});
