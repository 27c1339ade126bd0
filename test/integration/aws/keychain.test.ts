import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keychain, secretAccounts } from '../../../main/aws/keychain';
import { compose, type Composition } from '../../../main/compose';
import { RecordingDesktop } from '../../../main/desktop';
import { MemorySink } from '../../../main/log';
import { memoryLogger } from '../../support/fakes';
import { startKeyring, type KeyringSession } from '../../support/keyring';

// A real gnome-keyring on a private D-Bus session: keytar's libsecret, end to end.
let keyring: KeyringSession;
let app: Composition;
let dataDir: string;
const sink = new MemorySink();

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLEsessionTOKENvalue0123456789';

beforeAll(async () => {
  keyring = await startKeyring();
  // libsecret reads the bus address on its first connection, in this (per-file) process.
  process.env['DBUS_SESSION_BUS_ADDRESS'] = keyring.env.DBUS_SESSION_BUS_ADDRESS;
  dataDir = mkdtempSync(join(tmpdir(), 'bl-keychain-data-'));
  app = await compose({
    dataDir,
    version: '0.0.0-test',
    platform: 'linux',
    desktop: new RecordingDesktop(),
    logSink: sink,
    logLevel: 'debug',
    env: { HOME: keyring.env.HOME },
  });
});

afterAll(async () => {
  await app?.dispose();
  await keyring?.stop();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('Keychain on a real gnome-keyring', () => {
  it('stores, reads back and deletes a secret under service "bastionless"', async () => {
    const kc = new Keychain({ platform: 'linux', log: memoryLogger().log });
    await kc.set('test:roundtrip', 'round-trip-secret-value');
    expect(await kc.get('test:roundtrip')).toBe('round-trip-secret-value');
    // libsecret's own CLI sees it where the app says it is.
    expect(keyring.lookup('test:roundtrip')).toBe('round-trip-secret-value');
    await kc.delete('test:roundtrip');
    expect(await kc.get('test:roundtrip')).toBeNull();
    await kc.delete('test:roundtrip');
  });

  it('saves a profile through the contract with its secrets in the keychain and in no file', async () => {
    const saved = await app.api.profiles.save(
      { name: 'keychain test', region: 'eu-west-1', accessKeyId: 'AKIAKEYCHAINTEST0001', secretAccessKey: SECRET, sessionToken: TOKEN },
      { senderId: 'test' },
    );
    expect(saved).toMatchObject({ hasSecret: true, hasSessionToken: true, accessKeyIdHint: 'AKIA…0001' });
    expect(JSON.stringify(saved)).not.toContain(SECRET);
    expect(keyring.lookup(secretAccounts.profileSecretAccessKey(saved.id))).toBe(SECRET);
    expect(keyring.lookup(secretAccounts.profileSessionToken(saved.id))).toBe(TOKEN);

    const listed = await app.api.profiles.list({}, { senderId: 'test' });
    expect(listed.find((p) => p.id === saved.id)).toMatchObject({ hasSecret: true });
    expect(JSON.stringify(listed)).not.toContain(SECRET);

    // grep every file under the data folder: the secret and token are nowhere.
    const files = filesUnder(dataDir);
    expect(files.some((f) => f.endsWith('profiles.json'))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(bytes.includes(SECRET), `${file} holds the secret`).toBe(false);
      expect(bytes.includes(TOKEN), `${file} holds the session token`).toBe(false);
    }
    expect(sink.lines.join('\n')).not.toContain(SECRET);
    expect(sink.lines.join('\n')).not.toContain(TOKEN);

    await app.api.profiles.remove({ id: saved.id }, { senderId: 'test' });
    expect(keyring.lookup(secretAccounts.profileSecretAccessKey(saved.id))).toBeNull();
  });

  it('a locked keyring refuses writes with KEYCHAIN_UNAVAILABLE and nothing is saved', async () => {
    const kc = new Keychain({ platform: 'linux', log: memoryLogger().log });
    await kc.set('test:before-lock', 'value-before-lock');
    keyring.lock();
    await expect(kc.set('test:after-lock', 'value-after-lock')).rejects.toMatchObject({
      code: 'KEYCHAIN_UNAVAILABLE',
      message: expect.stringContaining('locked'),
      hint: expect.stringContaining('Unlock your keyring'),
    });
    // A locked collection hides its items rather than failing the read: the app says "missing", not "empty".
    expect(await kc.get('test:before-lock')).toBeNull();
    await expect(
      app.api.profiles.save({ name: 'while locked', region: 'eu-west-1', accessKeyId: 'AKIAKEYCHAINTEST0002', secretAccessKey: SECRET }, { senderId: 'test' }),
    ).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    const listed = await app.api.profiles.list({}, { senderId: 'test' });
    expect(listed.some((p) => p.name === 'while locked')).toBe(false);
  });
});
