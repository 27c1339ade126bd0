// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../../../preload/contract';
import { AppError } from '../../../../renderer/src/api';
import { ConnectPanel, type ConnectPanelActions } from '../../../../renderer/src/features/terminals/ConnectPanel';
import { registerDiagnoseHandler, type DiagnoseRequest } from '../../../../renderer/src/features/terminals/diagnoseHook';
import { DropBar } from '../../../../renderer/src/features/terminals/DropBar';
import { failure } from '../../../support/fakeMain';
import { click, queryButton as button, renderWithMain } from '../../../support/renderWithMain';
import { sessionInfo, steps } from './builders';

// The panels read nothing from main directly, but ErrorNotice and friends import the api module.
const ui = renderWithMain();

/** Actions that record what the panel asked for. */
function recorder(): ConnectPanelActions & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    retry: async () => void log.push('retry'),
    answer: async (promptId, answers) => void log.push(`answer ${promptId} ${JSON.stringify(answers)}`),
    decideHostKey: async (fingerprint, accept) => void log.push(`hostKey ${fingerprint} ${accept}`),
    diagnose: () => void log.push('diagnose'),
    close: () => void log.push('close'),
  };
}

const render = (info: SessionInfo, actions = recorder()) => {
  ui.render(<ConnectPanel info={info} actions={actions} />);
  return actions;
};

describe('the connect panel', () => {
  it('lists the steps with their state and duration while connecting', () => {
    render(sessionInfo({ status: 'connecting', steps: steps({ tunnel: 'running', key: 'done', auth: 'pending', shell: 'pending' }) }));
    const rows = [...ui.container.querySelectorAll('.progress-step')].map((li) => `${li.getAttribute('data-step')}:${li.getAttribute('data-status')}`);
    expect(rows).toEqual(['resolve:done', 'tunnel:running', 'key:done', 'auth:pending', 'shell:pending']);
    expect(ui.container.textContent).toContain('Connecting to web-1');
    expect(ui.container.textContent).toContain('300 ms');
    expect(button(/Retry/)).toBeUndefined();
  });

  it('stops on the failed step with the message and hint, and offers Retry but no Diagnose without a wizard', async () => {
    const info = sessionInfo({
      status: 'failed',
      failedStep: 'key',
      steps: steps({ tunnel: 'skipped', key: 'failed', auth: 'skipped', shell: 'skipped' }),
      error: failure('AWS_ACCESS_DENIED', 'Your IAM identity may not push keys to i-0123456789abcdef0.', 'Allow ec2-instance-connect:SendSSHPublicKey.'),
    });
    const actions = render(info);
    expect(ui.container.textContent).toContain('Could not connect to web-1');
    expect(ui.container.textContent).toContain('Your IAM identity may not push keys');
    expect(ui.container.textContent).toContain('Allow ec2-instance-connect:SendSSHPublicKey.');
    expect(ui.container.querySelector('[data-step="key"]')?.getAttribute('data-status')).toBe('failed');
    expect(button(/Diagnose/)).toBeUndefined();
    await click(/Retry/);
    expect(actions.log).toEqual(['retry']);
  });

  it('offers Diagnose once the troubleshooting wizard registers, and hands it the failure', async () => {
    const requests: DiagnoseRequest[] = [];
    const info = sessionInfo({ status: 'failed', failedStep: 'tunnel', error: failure('EIC_TUNNEL_TARGET_UNREACHABLE', 'The endpoint could not reach 10.0.1.5:22.') });
    const actions = render(info);
    expect(button(/Diagnose/)).toBeUndefined();
    let unregister: () => void = () => undefined;
    act(() => {
      unregister = registerDiagnoseHandler((r) => requests.push(r));
    });
    await click(/Diagnose/);
    expect(actions.log).toEqual(['diagnose']);
    act(() => unregister());
    expect(button(/Diagnose/)).toBeUndefined();
    expect(requests).toEqual([]);
  });

  it('shows both fingerprints of a changed host key and sends the decision for the presented one', async () => {
    const info = sessionInfo({
      status: 'failed',
      failedStep: 'auth',
      error: failure('SSH_HOST_KEY_CHANGED', 'The host key of web-1 (i-0123456789abcdef0) is not the one Bastionless saw before.'),
      hostKeyChange: {
        instanceId: 'i-0123456789abcdef0',
        knownAlgorithm: 'ssh-ed25519',
        knownFingerprint: 'SHA256:OLDOLDOLD',
        knownFirstSeen: '2026-01-01T00:00:00.000Z',
        presentedAlgorithm: 'ssh-ed25519',
        presentedFingerprint: 'SHA256:NEWNEWNEW',
      },
    });
    const actions = render(info);
    const table = ui.container.querySelector('[data-testid="host-key-change"]')?.textContent ?? '';
    expect(table).toContain('SHA256:OLDOLDOLD');
    expect(table).toContain('SHA256:NEWNEWNEW');
    // No plain Retry next to a key decision: retrying would only refuse again.
    expect(button(/^Retry$/)).toBeUndefined();
    await click(/Keep refusing/);
    await click(/Trust the new key/);
    expect(actions.log).toEqual(['hostKey SHA256:NEWNEWNEW false', 'hostKey SHA256:NEWNEWNEW true']);
  });

  it('asks main\'s question in a form, sends the answers and can cancel', async () => {
    const info = sessionInfo({
      status: 'connecting',
      steps: steps({ auth: 'running', shell: 'pending' }),
      prompt: { promptId: 'p1', kind: 'keyboard-interactive', title: 'Corp login', instructions: 'Answer both', fields: [{ label: 'Password:', echo: false }, { label: 'Code:', echo: true }] },
    });
    const actions = render(info);
    const inputs = [...ui.container.querySelectorAll('input')];
    expect(inputs.map((i) => i.type)).toEqual(['password', 'text']);
    const type = (input: HTMLInputElement, value: string) => {
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      setter.call(input, value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    };
    act(() => {
      type(inputs[0]!, 'pw');
      type(inputs[1]!, '123456');
    });
    await click(/Log in/);
    expect(actions.log).toEqual(['answer p1 ["pw","123456"]']);
    // The secret does not stay in the form.
    expect((ui.container.querySelector('input[type="password"]') as HTMLInputElement).value).toBe('');
    await click(/Cancel/);
    expect(actions.log[1]).toBe('answer p1 null');
  });

  it('says why main did not take the answers, and gives back what was typed', async () => {
    const info = sessionInfo({ status: 'connecting', prompt: { promptId: 'p3', kind: 'passphrase', title: 'Passphrase for prod.pem', fields: [{ label: 'Passphrase', echo: false }] } });
    const actions = {
      ...recorder(),
      answer: async () => {
        throw AppError.fromJSON(failure('NOT_FOUND', 'That question is no longer waiting for an answer.', 'It was answered, cancelled or replaced; look at the tab again.'));
      },
    };
    render(info, actions);
    const input = ui.container.querySelector('input[type="password"]') as HTMLInputElement;
    act(() => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, 'secret');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await click(/Unlock key/);
    const notice = ui.container.querySelector('.error-notice');
    expect(notice?.getAttribute('data-code')).toBe('NOT_FOUND');
    expect(notice?.textContent).toContain('look at the tab again');
    expect((ui.container.querySelector('input[type="password"]') as HTMLInputElement).value).toBe('secret');
  });

  it('says when the previous answer was wrong', () => {
    render(sessionInfo({ status: 'connecting', prompt: { promptId: 'p2', kind: 'passphrase', title: 'Passphrase for prod.pem', fields: [{ label: 'Passphrase', echo: false }], retryMessage: 'That passphrase did not unlock the key. Try again.' } }));
    expect(ui.container.querySelector('[role="alert"]')?.textContent).toBe('That passphrase did not unlock the key. Try again.');
    expect(button(/Unlock key/)).toBeDefined();
  });
});

describe('the drop bar', () => {
  const renderDrop = (info: SessionInfo) => {
    const log: string[] = [];
    ui.render(<DropBar info={info} onReconnect={async () => void log.push('reconnect')} onClose={() => log.push('close')} onDiagnose={() => log.push('diagnose')} />);
    return log;
  };

  it.each([
    ['expired', "Session ended: the endpoint's time limit"],
    ['connection-lost', 'Connection lost'],
    ['host-closed', 'The instance closed the connection'],
  ] as const)('says why a session dropped (%s) and offers Reconnect', async (reason, headline) => {
    const log = renderDrop(sessionInfo({ status: 'disconnected', drop: { reason, at: '2026-01-05T09:00:00.000Z' }, error: failure('SSH_CONNECTION_LOST', 'Lost.', 'Reconnect.') }));
    expect(ui.container.querySelector('[data-testid="drop-bar"]')?.getAttribute('data-reason')).toBe(reason);
    expect(ui.container.textContent).toContain(headline);
    await click(/^Reconnect$/);
    expect(log).toEqual(['reconnect']);
  });

  it('gives an exited shell its status, and counts down an automatic reconnect', () => {
    renderDrop(sessionInfo({ status: 'disconnected', drop: { reason: 'exited', at: '2026-01-05T09:00:00.000Z', exitCode: 130 } }));
    expect(ui.container.textContent).toContain('Session ended (exit 130)');
    renderDrop(
      sessionInfo({
        status: 'disconnected',
        drop: { reason: 'connection-lost', at: '2026-01-05T09:00:00.000Z' },
        autoReconnect: { enabled: true, attempt: 2, nextAttemptAt: new Date(Date.now() + 4000).toISOString() },
      }),
    );
    expect(ui.container.querySelector('[data-testid="auto-reconnect"]')?.textContent).toMatch(/Reconnecting by itself in [3-5] s \(attempt 2\)/);
    expect(button(/Reconnect now/)).toBeDefined();
  });
});
