// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { diagnoseStore } from '../../../../../renderer/src/features/diagnose/diagnoseStore';
import { RdpSessionPanel } from '../../../../../renderer/src/features/rdp/RdpSessionPanel';
import { registerDiagnoseHandler } from '../../../../../renderer/src/features/terminals/diagnoseHook';
import { failure } from '../../../../support/fakeMain';
import { button, queryButton, renderWithMain, settle } from '../../../../support/renderWithMain';
import { rdpSession } from './builders';

const ui = renderWithMain();
const { main } = ui;

const render = (session = rdpSession()): void => ui.render(<RdpSessionPanel session={session} />);

describe('the RDP session panel', () => {
  it('shows the steps, the local address and the user, but never a password', () => {
    render();
    expect(ui.container.querySelector('h1')?.textContent).toBe('win-2022');
    expect(ui.container.querySelector('[data-testid="rdp-state"]')?.textContent).toBe('Tunnel open');
    expect([...ui.container.querySelectorAll('.progress-step')].map((li) => li.getAttribute('data-step') + ':' + li.className.split('--')[1])).toEqual([
      'password:done',
      'tunnel:done',
      'client:done',
      'connected:active',
    ]);
    expect(ui.container.querySelector('[data-testid="rdp-address"]')?.textContent).toBe('127.0.0.1:50000');
    expect(ui.container.textContent).toContain('Administrator');
    expect(ui.container.textContent).toContain('420 ms');
  });

  it('copies the password through main and says when it is cleared', async () => {
    main.handlers.set('rdp:copyPassword', () => ({ clearsAfterMs: 30_000 }));
    render();
    await act(async () => button(/Copy password/).click());
    await settle();
    expect(main.callsTo('rdp:copyPassword')).toEqual([{ sessionId: 's1' }]);
    expect(ui.container.textContent).toMatch(/cleared from the clipboard in 0:(30|29)/);
  });

  it('asks for the key file and sends its text, with "remember" as chosen', async () => {
    main.handlers.set('rdp:provideKey', () => rdpSession({ state: 'starting' }));
    render(rdpSession({ state: 'needsKey', keyPrompt: { keyName: 'win-key', need: 'key' }, local: undefined, hasPassword: false }));
    expect(ui.container.textContent).toContain('Private key for key pair “win-key”');
    const submit = button(/Decrypt password/);
    await act(async () => submit.click());
    expect(ui.container.textContent).toContain('Pick the private key file first.');
    expect(main.callsTo('rdp:provideKey')).toEqual([]);

    const input = ui.container.querySelector('input[type="file"]') as HTMLInputElement;
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMII...\n-----END RSA PRIVATE KEY-----\n';
    const file = new File([pem], 'win-key.pem');
    // jsdom's File has no text() (Chromium's does).
    Object.defineProperty(file, 'text', { value: async () => pem });
    Object.defineProperty(input, 'files', { value: [file] });
    await act(async () => input.dispatchEvent(new Event('change', { bubbles: true })));
    const remember = ui.container.querySelector('input[type="checkbox"]') as HTMLInputElement;
    await act(async () => remember.click());
    await act(async () => submit.click());
    await settle();
    expect(main.callsTo('rdp:provideKey')).toEqual([{ sessionId: 's1', remember: true, privateKey: '-----BEGIN RSA PRIVATE KEY-----\nMII...\n-----END RSA PRIVATE KEY-----\n' }]);
  });

  it('shows why the last key was refused, and asks for a passphrase', () => {
    render(
      rdpSession({
        state: 'needsKey',
        keyPrompt: { keyName: 'win-key', need: 'passphrase', problem: failure('RDP_KEY_PASSPHRASE_NEEDED', 'That passphrase does not unlock this private key.', 'Check the passphrase and try again.') },
      }),
    );
    expect(ui.container.textContent).toContain('That passphrase does not unlock this private key.');
    expect(ui.container.querySelector('input[type="password"]')).not.toBeNull();
    expect(ui.container.querySelector('input[type="file"]')).toBeNull();
  });

  it('offers to connect without the password when it is not ready, starting a new session', async () => {
    main.handlers.set('rdp:dismiss', () => null);
    main.handlers.set('rdp:launch', () => rdpSession({ sessionId: 's2', state: 'starting' }));
    render(
      rdpSession({
        state: 'failed',
        local: undefined,
        hasPassword: false,
        error: { ...failure('RDP_PASSWORD_NOT_READY', 'Windows has not published the Administrator password yet (the instance started 3 minutes ago).', 'Try again in about 12 minutes.'), retryable: true },
      }),
    );
    expect(ui.container.querySelector('[role="alert"]')?.textContent).toContain('Try again in about 12 minutes.');
    await act(async () => button(/Connect without password/).click());
    await settle();
    expect(main.callsTo('rdp:dismiss')).toEqual([{ sessionId: 's1' }]);
    expect(main.callsTo('rdp:launch')).toEqual([
      { instance: { profileId: 'dev', region: 'eu-west-1', instanceId: 'i-0123456789abcdef0' }, username: 'Administrator', withoutPassword: true },
    ]);
  });

  it('announces a passed auth-only sign-in check', () => {
    render(rdpSession({ client: { name: 'xfreerdp', passwordDelivered: true, state: 'exited', authOnly: true, authenticated: true, exitCode: 0 } }));
    expect(ui.container.querySelector('.banner--ok')?.textContent).toMatch(/Signed in: xfreerdp accepted the password/);
    expect(button(/Open client again/)).toBeTruthy();
  });

  it('tells a macOS user to paste the password', () => {
    render(rdpSession({ client: { name: 'Windows App', passwordDelivered: false, state: 'running', authOnly: false } }));
    expect(ui.container.textContent).toContain('Windows App cannot be handed the password: use Copy password and paste it when it asks.');
  });

  it('stops through main, and shows an action that failed', async () => {
    main.handlers.set('rdp:stop', () => {
      throw failure('NOT_FOUND', 'That RDP session no longer exists.');
    });
    render();
    await act(async () => button(/^Stop$/).click());
    await settle();
    expect(main.callsTo('rdp:stop')).toEqual([{ sessionId: 's1' }]);
    expect(ui.container.textContent).toContain('That RDP session no longer exists.');
  });

  it('offers Diagnose on a failed session once the troubleshooting wizard is there, and hands it the session', async () => {
    const failed = rdpSession({
      state: 'failed',
      hostId: 'h-0a1b2c3d4e5f6000',
      local: undefined,
      hasPassword: false,
      error: failure('EIC_TUNNEL_TARGET_UNREACHABLE', 'The endpoint could not reach 10.0.1.12:3389.', 'Check the instance’s security groups.'),
    });
    render(failed);
    expect(queryButton('Diagnose')).toBeUndefined();

    const off = registerDiagnoseHandler(() => undefined);
    render({ ...failed });
    main.handlers.set('diagnose:start', () => {
      throw failure('NOT_FOUND', 'That session is gone.');
    });
    await act(async () => button('Diagnose').click());
    await settle();
    expect(main.callsTo('diagnose:start')).toEqual([{ target: { hostId: 'h-0a1b2c3d4e5f6000' }, rdpSessionId: 's1' }]);
    expect(diagnoseStore.getSnapshot().request?.label).toBe('win-2022');

    // A session that is only closed (stopped by the person) has nothing to diagnose.
    render(rdpSession({ state: 'closed', closedReason: 'stopped' }));
    expect(queryButton('Diagnose')).toBeUndefined();
    act(() => diagnoseStore.close());
    off();
  });
});
