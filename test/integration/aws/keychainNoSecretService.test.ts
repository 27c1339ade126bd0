import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keychain } from '../../../main/aws/keychain';
import { memoryLogger } from '../../support/fakes';
import { startKeyring, type KeyringSession } from '../../support/keyring';

let bus: KeyringSession;

beforeAll(async () => {
  // A D-Bus session on which nothing provides org.freedesktop.secrets (and nothing can be activated).
  bus = await startKeyring({ secretService: false });
  process.env['DBUS_SESSION_BUS_ADDRESS'] = bus.env.DBUS_SESSION_BUS_ADDRESS;
});

afterAll(async () => {
  await bus?.stop();
});

describe('Keychain on a D-Bus session without a Secret Service', () => {
  it('fails with KEYCHAIN_UNAVAILABLE naming the missing Secret Service', async () => {
    const kc = new Keychain({ platform: 'linux', log: memoryLogger().log });
    const error = await kc.set('test:nosecrets', 'no-secret-service-value').then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE', message: expect.stringContaining('no Secret Service') });
    expect((error as { hint: string }).hint).toContain('gnome-keyring or KWallet');
  });
});
