import { describe, expect, it } from 'vitest';
import type { CheckResult, DiagnosisReport } from '../../../../preload/contract';
import { reportText } from '../../../../main/diagnose/reportText';

const result = (id: CheckResult['id'], status: CheckResult['status'], summary: string, extra: Partial<CheckResult> = {}): CheckResult => ({ id, title: id, status, summary, explanation: '', evidence: [], fixes: [], ...extra });

function report(over: Partial<DiagnosisReport> = {}): DiagnosisReport {
  return {
    runId: 'd-abcdef12',
    revision: 7,
    state: 'done',
    target: { label: 'web-1', hostId: 'h-0a1b2c3d4e5f6000', profileId: 'config:dev', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60006', platform: 'linux' },
    failure: { code: 'EIC_TUNNEL_TARGET_UNREACHABLE', message: 'could not open a TCP connection', step: 'tunnel' },
    steps: [],
    checks: [
      result('credentials', 'pass', 'Signed in.'),
      result('securityGroups', 'fail', 'No SSH from the endpoint.', { explanation: 'No rule lets it in.\n\nAdd one.', evidence: [{ label: 'Instance groups', value: 'sg-1 (web)' }], fixes: [{ fixId: 'f', kind: 'authorizeIngress', label: 'Add the inbound rule', preview: [], rerun: [] }] }),
      result('os', 'warn', 'Unknown image.'),
      result('keyPair', 'skip', 'Not needed.'),
    ],
    applied: [{ fixId: 'f', kind: 'authorizeIngress', label: 'Add the inbound rule', outcome: 'Added it.', at: '2025-06-01T12:01:00.000Z' }],
    startedAt: '2025-06-01T12:00:00.000Z',
    finishedAt: '2025-06-01T12:00:02.000Z',
    ...over,
  };
}

describe('reportText', () => {
  it('puts failures first with their explanation, evidence and fixes, then the applied fixes', () => {
    const text = reportText(report(), { version: '1.2.3' });
    expect(text.split('\n').slice(0, 4)).toEqual([
      'Bastionless connection diagnosis (Bastionless 1.2.3)',
      'Target:   web-1 (i-0a1b2c3d4e5f60006, linux)',
      'Profile:  config:dev   Region: eu-west-1',
      'Started:  2025-06-01T12:00:00.000Z   Finished: 2025-06-01T12:00:02.000Z',
    ]);
    expect(text).toContain('Failure being explained:\n  EIC_TUNNEL_TARGET_UNREACHABLE at step "tunnel"');
    expect(text).toContain('Checks (1 fail, 1 warn, 1 pass, 1 skip):');
    const order = ['[FAIL] securityGroups', '[WARN] os', '[PASS] credentials', '[SKIP] keyPair'].map((l) => text.indexOf(l));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toContain('       No rule lets it in.\n       Add one.\n       - Instance groups: sg-1 (web)\n       > Fix offered: Add the inbound rule');
    expect(text).toContain('Fixes applied:\n  2025-06-01T12:01:00.000Z  Add the inbound rule: Added it.');
  });

  it('never lets a key or a signature through, even if one slipped into a message', () => {
    const leaked = report({ failure: { code: 'INTERNAL', message: 'oops -----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY----- and X-Amz-Signature=abcdef0123456789' } });
    const text = reportText(leaked);
    expect(text).not.toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(text).not.toContain('abcdef0123456789');
  });
});
