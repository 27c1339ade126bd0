// @vitest-environment jsdom
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckResult, DiagnosisReport, FixPreview } from '../../../../../preload/contract';
import { DiagnoseDialog, sortChecks } from '../../../../../renderer/src/features/diagnose/DiagnoseDialog';
import { diagnoseStore } from '../../../../../renderer/src/features/diagnose/diagnoseStore';
import { click, queryButton as button, renderWithMain, settle } from '../../../../support/renderWithMain';

const ui = renderWithMain();
const { main } = ui;

const check = (id: CheckResult['id'], status: CheckResult['status'], summary: string, extra: Partial<CheckResult> = {}): CheckResult => ({ id, title: `Title of ${id}`, status, summary, explanation: '', evidence: [], fixes: [], ...extra });

function report(revision: number, over: Partial<DiagnosisReport> = {}): DiagnosisReport {
  return {
    runId: 'd-abcdef12',
    revision,
    state: 'done',
    target: { label: 'web-1', hostId: 'h-0a1b2c3d4e5f6000', profileId: 'config:dev', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60006', platform: 'linux' },
    steps: [{ id: 'credentials', label: 'Checking the credentials', status: 'done', durationMs: 12 }],
    checks: [
      check('credentials', 'pass', 'Signed in.'),
      check('securityGroups', 'fail', "The instance's groups do not let SSH in from the endpoint.", {
        explanation: 'No rule lets it in.',
        evidence: [{ label: 'Instance groups', value: 'sg-1 (web)' }],
        fixes: [{ fixId: 'authorizeIngress:sg-1:22:sg-2', kind: 'authorizeIngress', label: 'Add the inbound rule', preview: ['Add an inbound rule to sg-1 (web): TCP 22 from sg-2.'], rerun: ['securityGroups'] }],
      }),
      check('permissions', 'warn', 'Something to look at.', { fixes: [{ fixId: 'copy:policy', kind: 'copy', label: 'Copy the IAM policy', preview: [], text: '{"Version":"2012-10-17"}', rerun: [] }] }),
      check('keyPair', 'skip', 'Not needed.'),
    ],
    applied: [],
    startedAt: '2025-06-01T12:00:00.000Z',
    finishedAt: '2025-06-01T12:00:02.000Z',
    ...over,
  };
}

const PREVIEW: FixPreview = { fixId: 'authorizeIngress:sg-1:22:sg-2', lines: ['Add an inbound rule to sg-1 (web): TCP 22 from sg-2.'], calls: ['ec2:AuthorizeSecurityGroupIngress GroupId=sg-1 ...'], permission: { state: 'allowed' }, confirmToken: 't'.repeat(48) };

beforeEach(() => ui.render(<DiagnoseDialog />));
afterEach(() => act(() => diagnoseStore.close()));

describe('the diagnose dialog', () => {
  it('sorts failures first, then warnings, pending, passes and skipped', () => {
    expect(sortChecks(report(1).checks).map((c) => c.status)).toEqual(['fail', 'warn', 'pass', 'skip']);
  });

  it('opens on a request, shows the verdict and the checks failures first, and keeps the newest of crossing reports', async () => {
    // An event overtakes the reply to start: the newer revision wins.
    main.handlers.set('diagnose:start', () => {
      main.emit('diagnose:changed', report(5));
      return report(2, { state: 'running', checks: report(2).checks.map((c) => ({ ...c, status: 'pending' as const })) });
    });
    await act(async () => diagnoseStore.open({ target: { hostId: 'h-0a1b2c3d4e5f6000' as never }, label: 'web-1' }));
    await settle();
    expect(main.callsTo('diagnose:start')).toEqual([{ target: { hostId: 'h-0a1b2c3d4e5f6000' } }]);
    expect(document.querySelector('[data-testid="diagnosis"]')?.getAttribute('data-state')).toBe('done');
    expect(document.body.textContent).toContain('1 problem found, 1 warning.');
    expect([...document.querySelectorAll('[data-check]')].map((e) => e.getAttribute('data-check'))).toEqual(['securityGroups', 'permissions', 'credentials', 'keyPair']);
    // Failures are open with their explanation; passes are folded.
    expect((document.querySelector('[data-check="securityGroups"] details') as HTMLDetailsElement).open).toBe(true);
    expect((document.querySelector('[data-check="credentials"] details') as HTMLDetailsElement).open).toBe(false);
    // An older event never goes back.
    act(() => main.emit('diagnose:changed', report(3, { state: 'running' })));
    expect(document.querySelector('[data-testid="diagnosis"]')?.getAttribute('data-state')).toBe('done');
  });

  it('previews a fix (exactly what it does, the DryRun) before applying it with the preview’s token', async () => {
    main.handlers.set('diagnose:start', () => report(1));
    main.handlers.set('diagnose:previewFix', () => PREVIEW);
    main.handlers.set('diagnose:applyFix', () =>
      report(9, {
        checks: report(1).checks.map((c) => (c.id === 'securityGroups' ? { ...c, status: 'pass' as const, summary: 'The groups allow SSH.', fixes: [] } : c)),
        applied: [{ fixId: PREVIEW.fixId, kind: 'authorizeIngress', label: 'Add the inbound rule', outcome: 'Added inbound rule TCP 22 from sg-2 on sg-1.', at: '2025-06-01T12:01:00.000Z' }],
      }),
    );
    const tried: string[] = [];
    await act(async () => diagnoseStore.open({ target: { hostId: 'h-0a1b2c3d4e5f6000' as never }, label: 'web-1', retry: () => void tried.push('retry') }));
    await settle();
    await click(/^Add the inbound rule$/);
    await settle();
    expect(main.callsTo('diagnose:previewFix')).toEqual([{ runId: 'd-abcdef12', fixId: PREVIEW.fixId }]);
    expect(document.body.textContent).toContain('Bastionless will:');
    expect(document.body.textContent).toContain('AWS confirms (DryRun) that you are allowed to do this.');
    expect(main.callsTo('diagnose:applyFix')).toEqual([]);
    await click(/^Apply$/);
    await settle();
    expect(main.callsTo('diagnose:applyFix')).toEqual([{ runId: 'd-abcdef12', fixId: PREVIEW.fixId, confirmToken: PREVIEW.confirmToken }]);
    expect(document.querySelector('[data-check="securityGroups"]')?.getAttribute('data-status')).toBe('pass');
    expect(document.body.textContent).toContain('Added inbound rule TCP 22 from sg-2 on sg-1.');
    // After a fix, Try again is the main action: it reconnects and closes the wizard.
    expect(button(/Try again/)?.className).toContain('btn--primary');
    await click(/Try again/);
    expect(tried).toEqual(['retry']);
    expect(document.querySelector('[data-testid="diagnosis"]')).toBeNull();
    expect(main.callsTo('diagnose:dismiss')).toEqual([{ runId: 'd-abcdef12' }]);
  });

  it('copies a policy through main, shows it, and copies the report', async () => {
    main.handlers.set('diagnose:start', () => report(1));
    main.handlers.set('diagnose:copyFixText', () => null);
    main.handlers.set('diagnose:copyReport', () => ({ text: 'report' }));
    await act(async () => diagnoseStore.open({ target: { hostId: 'h-0a1b2c3d4e5f6000' as never }, label: 'web-1' }));
    await settle();
    expect(document.querySelector('pre[aria-label="Copy the IAM policy"]')?.textContent).toBe('{"Version":"2012-10-17"}');
    await click(/Copy the IAM policy/);
    expect(main.callsTo('diagnose:copyFixText')).toEqual([{ runId: 'd-abcdef12', fixId: 'copy:policy' }]);
    expect(button(/^Copied$/)).toBeDefined();
    await click(/Copy report/);
    expect(main.callsTo('diagnose:copyReport')).toEqual([{ runId: 'd-abcdef12' }]);
    expect(button(/Report copied/)).toBeDefined();
    // No Try again without a connection to retry.
    expect(button(/Try again/)).toBeUndefined();
  });

  it('says why it could not start, and Close forgets it', async () => {
    main.handlers.set('diagnose:start', () => {
      throw { code: 'NOT_FOUND', message: 'That session is no longer open, so its failure cannot be explained.', hint: 'Diagnose the host from its menu in Hosts instead.', retryable: false, at: '2025-06-01T12:00:00.000Z' };
    });
    await act(async () => diagnoseStore.open({ target: { hostId: 'h-0a1b2c3d4e5f6000' as never }, sessionId: 's-abcdef12', label: 'web-1' }));
    await settle();
    expect(document.body.textContent).toContain('That session is no longer open');
    await click(/^Close$/);
    expect(document.querySelector('[data-testid="diagnosis"]')).toBeNull();
  });
});
