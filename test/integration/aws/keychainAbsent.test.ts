import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keychain } from '../../../main/aws/keychain';
import { ProfilesService } from '../../../main/aws/profilesService';
import { memoryLogger } from '../../support/fakes';

describe('Keychain with no D-Bus session at all', () => {
  it('fails with KEYCHAIN_UNAVAILABLE and a Secret Service hint, and never falls back to a file', async () => {
    // No bus address, no X display to autolaunch one, and an empty runtime folder (GLib's fallback).
    delete process.env['DBUS_SESSION_BUS_ADDRESS'];
    delete process.env['DISPLAY'];
    const runtime = join(mkdtempSync(join(tmpdir(), 'bl-nobus-')), 'run');
    mkdirSync(runtime, { mode: 0o700 });
    process.env['XDG_RUNTIME_DIR'] = runtime;

    const kc = new Keychain({ platform: 'linux', log: memoryLogger().log });
    const error = await kc.set('test:nobus', 'no-bus-secret-value').then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE', message: expect.stringContaining('no D-Bus session') });
    expect((error as { hint: string }).hint).toContain('Install and unlock gnome-keyring or KWallet (Secret Service)');
    await expect(kc.get('test:nobus')).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });

    const dataDir = mkdtempSync(join(tmpdir(), 'bl-nobus-data-'));
    const profiles = new ProfilesService({ dataDir, env: { HOME: dataDir }, keychain: kc, log: memoryLogger().log });
    await expect(profiles.save({ name: 'x', region: 'eu-west-1', accessKeyId: 'AKIANOBUSNOBUS000001', secretAccessKey: 'no-bus-secret-value-123' })).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    expect((await profiles.list()).some((p) => p.source === 'app')).toBe(false);
  });
});
