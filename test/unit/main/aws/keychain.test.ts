import { describe, expect, it } from 'vitest';
import { Keychain, secretAccounts, type KeytarModule } from '../../../../main/aws/keychain';
import { memoryLogger } from '../../../support/fakes';

/** A keytar stand-in: stores in a map, or throws the message a real backend throws. */
class FakeKeytar implements KeytarModule {
  readonly stored = new Map<string, string>();
  failure: string | undefined;
  async getPassword(service: string, account: string): Promise<string | null> {
    if (this.failure) throw new Error(this.failure);
    return this.stored.get(`${service}/${account}`) ?? null;
  }
  async setPassword(service: string, account: string, password: string): Promise<void> {
    if (this.failure) throw new Error(this.failure);
    this.stored.set(`${service}/${account}`, password);
  }
  async deletePassword(service: string, account: string): Promise<boolean> {
    if (this.failure) throw new Error(this.failure);
    return this.stored.delete(`${service}/${account}`);
  }
}

function keychain(platform: NodeJS.Platform, keytar: FakeKeytar | Error) {
  const { log, sink } = memoryLogger();
  let loads = 0;
  const kc = new Keychain({
    platform,
    log,
    loadKeytar: async () => {
      loads += 1;
      if (keytar instanceof Error) throw keytar;
      return keytar;
    },
  });
  return { kc, sink, loads: () => loads };
}

describe('Keychain', () => {
  it('stores under the bastionless service and reads back', async () => {
    const fake = new FakeKeytar();
    const { kc } = keychain('linux', fake);
    await kc.set('profile:app:1:secretAccessKey', 's3cr3t-value');
    expect(fake.stored.get('bastionless/profile:app:1:secretAccessKey')).toBe('s3cr3t-value');
    expect(await kc.get('profile:app:1:secretAccessKey')).toBe('s3cr3t-value');
    await kc.delete('profile:app:1:secretAccessKey');
    expect(await kc.get('profile:app:1:secretAccessKey')).toBeNull();
  });

  it('loads keytar lazily, once', async () => {
    const { kc, loads } = keychain('linux', new FakeKeytar());
    expect(loads()).toBe(0);
    await kc.get('a');
    await kc.get('b');
    expect(loads()).toBe(1);
  });

  it.each([
    ['linux', 'Cannot autolaunch D-Bus without X11 $DISPLAY', 'KEYCHAIN_UNAVAILABLE', /no D-Bus session/, /gnome-keyring or KWallet \(Secret Service\)/],
    ['linux', 'The name org.freedesktop.secrets was not provided by any .service files', 'KEYCHAIN_UNAVAILABLE', /no Secret Service/, /gnome-keyring or KWallet/],
    ['linux', 'Cannot create an item in a locked collection', 'KEYCHAIN_UNAVAILABLE', /it is locked/, /Unlock your keyring/],
    ['linux', 'Prompt dismissed', 'KEYCHAIN_DENIED', /refused/, /accept the keyring prompt/],
    ['darwin', 'User canceled the operation.', 'KEYCHAIN_DENIED', /macOS Keychain refused/, /Allow/],
    ['darwin', 'User interaction is not allowed.', 'KEYCHAIN_UNAVAILABLE', /locked/, /Keychain Access/],
    ['win32', 'Access is denied.', 'KEYCHAIN_DENIED', /Windows Credential Manager refused/, /Credential Manager/],
  ] as const)('on %s maps "%s" to %s with a platform hint', async (platform, message, code, text, hint) => {
    const fake = new FakeKeytar();
    fake.failure = message;
    const { kc } = keychain(platform, fake);
    const error = await kc.set('x', 'secret-value').then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(text);
    expect((error as { hint: string }).hint).toMatch(hint);
  });

  it('turns a keytar module that does not load into KEYCHAIN_UNAVAILABLE with an install hint', async () => {
    const { kc, loads } = keychain('linux', new Error('libsecret-1.so.0: cannot open shared object file'));
    await expect(kc.get('x')).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE', hint: expect.stringContaining('libsecret') });
    await expect(kc.set('x', 'secret-value')).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    expect(loads()).toBe(1);
  });

  it('never writes a secret into a log line or an error', async () => {
    const fake = new FakeKeytar();
    const { kc, sink } = keychain('linux', fake);
    await kc.set('x', 'a-very-secret-value-123');
    fake.failure = 'Cannot create an item in a locked collection';
    const error = await kc.set('y', 'another-secret-value-456').catch((e: unknown) => e as Error);
    expect(JSON.stringify(error)).not.toContain('another-secret-value-456');
    expect(sink.lines.join('\n')).not.toMatch(/a-very-secret-value-123|another-secret-value-456/);
  });

  it('refuses an empty secret', async () => {
    const { kc } = keychain('linux', new FakeKeytar());
    await expect(kc.set('x', '')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('gives each feature its own account prefix', () => {
    const accounts = [
      secretAccounts.profileSecretAccessKey('app:1'),
      secretAccounts.profileSessionToken('app:1'),
      secretAccounts.ssoToken('abc'),
      secretAccounts.ssoClient('abc'),
      secretAccounts.host('h-1', 'privateKey'),
      secretAccounts.host('h-1', 'windowsKey'),
      secretAccounts.host('h-1', 'password'),
    ];
    expect(new Set(accounts).size).toBe(accounts.length);
    expect(accounts.every((a) => /^(profile|sso|host):/.test(a))).toBe(true);
  });
});
