import { describe, expect, it } from 'vitest';
import { describeTunnelFailure } from '../../../../../main/eice/errors';
import { failureCheck } from '../../../../../main/diagnose/checks/failureCheck';
import type { CheckVerdict } from '../../../../../main/diagnose/checkTypes';
import { facts, failure, IDS, ok, probe } from '../factBuilders';

const run = (f = facts(), earlier: CheckVerdict[] = []) => failureCheck.evaluate(f, earlier);
const context = { endpointId: IDS.endpoint, dnsName: 'x', privateIpAddress: '10.0.2.15', remotePort: 22, maxTunnelDuration: 3600, region: 'eu-west-1' };
const sgFail: CheckVerdict = { id: 'securityGroups', title: 'Security groups', status: 'fail', summary: "The instance's groups do not let SSH in from the endpoint.", explanation: '', evidence: [], fixes: [] };

describe('check 10: the failure’s own words', () => {
  it('explains "Unable to connect to target" with the check that found the cause, quoting AWS', () => {
    // The message exactly as the tunnel's error table writes it.
    const error = describeTunnelFailure({ kind: 'closed', closeCode: 1011, reason: 'Unable to connect to target', afterExpiry: false }, context);
    const v = run(facts({ failure: failure({ code: error.code, message: error.message }), probes: { tunnel: ok(probe({ outcome: 'failed', error: { code: error.code, message: error.message, hint: '', action: 'ec2-instance-connect:OpenTunnel' } })) } }), [sgFail]);
    expect(v.status).toBe('fail');
    expect(v.summary).toBe('"Unable to connect to target": the endpoint could not reach 10.0.2.15:22.');
    expect(v.explanation).toContain("security groups: The instance's groups do not let SSH in from the endpoint.");
    expect(v.evidence).toContainEqual({ label: 'AWS said', value: 'Unable to connect to target' });
  });

  it('blames the listener when the path checks all pass', () => {
    const error = describeTunnelFailure({ kind: 'closed', closeCode: 1011, reason: 'Unable to connect to target', afterExpiry: false }, context);
    const stillFailing = ok(probe({ outcome: 'failed', error: { code: error.code, message: error.message, hint: '', action: 'ec2-instance-connect:OpenTunnel' } }));
    expect(run(facts({ failure: failure({ code: error.code, message: error.message }), probes: { tunnel: stillFailing } })).explanation).toContain('nothing listens on port 22');
    // Once a test tunnel gets through, there is no one to blame.
    expect(run(facts({ failure: failure({ code: error.code, message: error.message }) })).explanation).not.toContain('nothing listens');
  });

  it('quotes an upgrade refusal’s Message', () => {
    const error = describeTunnelFailure({ kind: 'refused', status: 403, errorCode: 'AccessDenied', text: 'User is not authorized to perform ec2-instance-connect:OpenTunnel' }, context);
    const v = run(facts({ failure: failure({ code: error.code, message: error.message }), probes: {} }));
    expect(v.summary).toBe('AWS refused to open the tunnel (ec2-instance-connect:OpenTunnel).');
    expect(v.evidence).toContainEqual({ label: 'AWS said', value: 'User is not authorized to perform ec2-instance-connect:OpenTunnel' });
  });

  it('names a maxTunnelDuration cap found by the shorter test tunnel', () => {
    const error = describeTunnelFailure({ kind: 'refused', status: 403, errorCode: 'AccessDenied', text: 'not authorized: maxTunnelDuration (3600) is not at most 900' }, context);
    const probed = probe({ outcome: 'failed', error: { code: error.code, message: error.message, hint: '', action: 'ec2-instance-connect:OpenTunnel' }, allowedDuration: 900, triedDurations: [3600, 1800, 900] });
    const v = run(facts({ failure: failure({ code: error.code, message: error.message }), probes: { tunnel: ok(probed) } }));
    expect(v.summary).toBe('AWS refused the tunnel: your policy caps its duration below 3600 s.');
    expect(v.explanation).toContain('A test tunnel of 900 s was allowed');
  });

  it('counts a test tunnel allowed only for a shorter duration as what that tunnel found (the app keeps to the cap)', () => {
    const error = describeTunnelFailure({ kind: 'refused', status: 403, errorCode: 'AccessDenied', text: 'not authorized: maxTunnelDuration (3600) is not at most 900' }, context);
    const capped = probe({ outcome: 'failed', banner: undefined, error: { code: error.code, message: error.message, hint: '', action: 'ec2-instance-connect:OpenTunnel' }, allowedDuration: 900, triedDurations: [3600, 1800, 900], shorter: { outcome: 'reached', banner: 'SSH-2.0-OpenSSH_9.6' } });
    const v = run(facts({ probes: { tunnel: ok(capped) } }));
    expect(v.status).toBe('pass');
    expect(v.explanation).toContain('It was a 900-second tunnel: your IAM policy caps the duration');
    expect(v.evidence).toContainEqual({ label: 'Test tunnel just now', value: 'reached SSH (SSH-2.0-OpenSSH_9.6) for 900 s (3600 s was refused: an IAM cap)' });
    // A session refused before the cap was known: it works now, and says how.
    const earlier = run(facts({ failure: failure({ code: error.code, message: error.message }), probes: { tunnel: ok(capped) } }));
    expect(earlier.status).toBe('warn');
    expect(earlier.summary).toBe('AWS refused the tunnel: your policy caps its duration below 3600 s. It works now.');
    expect(earlier.explanation).toContain('trying again opens a 900-second tunnel');
  });

  it('does not claim a tunnel was opened when the flow stopped before it (a stopped instance)', () => {
    const v = run(facts({ failure: failure({ step: 'resolve', message: 'web-1 is stopped, and only a running instance can be reached.' }), probes: {} }));
    expect(v.summary).toBe('The instance cannot be reached in its current state.');
    expect(v.explanation).not.toContain('accepted the tunnel');
  });

  it('explains a sign-in that came after the key’s 60-second window', () => {
    const v = run(facts({ failure: failure({ code: 'SSH_AUTH_FAILED', step: 'auth', message: 'web-1 refused the key', keyAgeAtAuthMs: 75_000 }) }));
    expect(v.summary).toBe('The instance refused the pushed key.');
    expect(v.explanation).toContain('75 seconds old');
    expect(v.evidence).toContainEqual({ label: 'Key age at sign-in', value: '75 s' });
    expect(run(facts({ failure: failure({ code: 'SSH_AUTH_FAILED', step: 'auth', message: 'refused', keyAgeAtAuthMs: 2_000 }) })).explanation).not.toContain('seconds old');
  });

  it('says it works now when the failure was about the path and a test tunnel reaches sshd', () => {
    const v = run(facts({ failure: failure() }));
    expect(v.status).toBe('warn');
    expect(v.summary).toContain('It works now.');
  });

  it('without a failure, reports the test tunnel', () => {
    expect(run(facts()).status).toBe('pass');
    expect(run(facts({ probes: {} })).status).toBe('skip');
    expect(run(facts({ probes: { tunnel: ok(probe({ outcome: 'open', banner: undefined })) } })).status).toBe('warn');
  });
});
