import { describe, expect, it } from 'vitest';
import { credentialsCheck } from '../../../../../main/diagnose/checks/credentialsCheck';
import { factError, facts, failed, NOW, ok } from '../factBuilders';

const run = (f = facts()) => credentialsCheck.evaluate(f, []);

describe('check 1: credentials and Region', () => {
  it('passes with working credentials and names the identity', () => {
    const v = run();
    expect(v.status).toBe('pass');
    expect(v.summary).toContain('arn:aws:iam::123456789012:user/alice');
  });

  it('fails when the credentials cannot be loaded, with the loader’s hint', () => {
    const v = run(facts({ credentials: failed(factError({ code: 'AWS_SSO_SIGN_IN_REQUIRED', message: 'The SSO sign-in has expired.', hint: 'Sign in again.', action: 'credentials' })), identity: undefined }));
    expect(v.status).toBe('fail');
    expect(v.explanation).toContain('Sign in again.');
  });

  it('fails when STS says the session expired', () => {
    const v = run(facts({ identity: failed(factError({ code: 'AWS_CREDENTIALS_EXPIRED', awsCode: 'ExpiredToken', message: 'expired', hint: 'Get fresh credentials.', action: 'sts:GetCallerIdentity' })) }));
    expect(v.status).toBe('fail');
    expect(v.summary).toMatch(/expired/);
  });

  it('fails when the expiry time has passed, warns when it is near', () => {
    expect(run(facts({ credentials: ok({ expiration: new Date(NOW.getTime() - 1000) }) })).status).toBe('fail');
    const soon = run(facts({ credentials: ok({ expiration: new Date(NOW.getTime() + 5 * 60_000) }) }));
    expect(soon.status).toBe('warn');
    expect(soon.summary).toContain('5 min');
    expect(run(facts({ credentials: ok({ expiration: new Date(NOW.getTime() + 3600_000) }) })).status).toBe('pass');
  });

  it('fails when the instance is in another Region, and offers to move the saved host', () => {
    const v = run(facts({ instance: ok(null), elsewhere: { region: 'us-east-1', via: 'inventory' } }));
    expect(v.status).toBe('fail');
    expect(v.summary).toBe('i-0a1b2c3d4e5f60006 is in us-east-1, not eu-west-1.');
    expect(v.fixes[0]?.action).toEqual({ kind: 'updateHost', hostId: 'h-0a1b2c3d4e5f6000', patch: { region: 'us-east-1' } });
  });

  it('only warns when GetCallerIdentity itself is denied', () => {
    expect(run(facts({ identity: failed(factError({ action: 'sts:GetCallerIdentity', awsCode: 'AccessDenied' })) })).status).toBe('warn');
  });
});
