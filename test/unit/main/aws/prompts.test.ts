import { describe, expect, it } from 'vitest';
import { PromptBroker, type PromptOutcome } from '../../../../main/aws/prompts';
import type { CredentialPrompt } from '../../../../preload/contract';
import { memoryLogger } from '../../../support/fakes';

function broker(options: { mfaTimeoutMs?: number } = {}) {
  const requested: CredentialPrompt[] = [];
  const closed: [string, PromptOutcome][] = [];
  const b = new PromptBroker({ onRequested: (p) => requested.push(p), onClosed: (id, o) => closed.push([id, o]), log: memoryLogger().log, ...options });
  return { b, requested, closed };
}

const mfa = { kind: 'mfa' as const, profileId: 'config:admin', profileName: 'admin', mfaSerial: 'arn:aws:iam::1:mfa/a', reason: 'to assume role Admin' };
const sso = { kind: 'ssoSignIn' as const, profileId: 'config:dev', profileName: 'dev', startUrl: 'https://corp.awsapps.com/start', ssoRegion: 'us-east-1', reason: 'to get credentials' };

describe('PromptBroker', () => {
  it('asks for an MFA code and resolves with the answer', async () => {
    const { b, requested, closed } = broker();
    const code = b.askMfa(mfa);
    expect(requested[0]).toMatchObject({ ...mfa, promptId: expect.stringMatching(/^p-/) });
    expect(b.open()).toHaveLength(1);
    b.answer(requested[0]!.promptId, { mfaCode: '123456' });
    expect(await code).toBe('123456');
    expect(closed).toEqual([[requested[0]!.promptId, 'answered']]);
    expect(b.open()).toEqual([]);
    expect(() => b.answer(requested[0]!.promptId, { mfaCode: '123456' })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('rejects with CANCELLED on cancel, and with AWS_MFA_REQUIRED on timeout', async () => {
    const { b, requested } = broker({ mfaTimeoutMs: 1 });
    const cancelled = b.askMfa(mfa);
    b.answer(requested[0]!.promptId, { cancel: true });
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(b.askMfa(mfa)).rejects.toMatchObject({ code: 'AWS_MFA_REQUIRED' });
  });

  it('settles SSO prompts for a start URL when its sign-in completes, and refuses a code for them', async () => {
    const { b, requested, closed } = broker();
    const waiting = b.askSsoSignIn(sso);
    expect(() => b.answer(requested[0]!.promptId, { mfaCode: '123456' })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    b.completeSignIn('https://other.awsapps.com/start');
    expect(b.open()).toHaveLength(1);
    b.completeSignIn(sso.startUrl);
    await expect(waiting).resolves.toBeUndefined();
    expect(closed.at(-1)?.[1]).toBe('answered');
  });

  it('cancels everything on dispose and refuses new prompts', async () => {
    const { b } = broker();
    const waiting = b.askMfa(mfa);
    b.dispose();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(b.askMfa(mfa)).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
