import { describe, expect, it } from 'vitest';
import { instanceCheck } from '../../../../../main/diagnose/checks/instanceCheck';
import { factError, facts, failed, failure, instance, ok, windowsInstance } from '../factBuilders';

const run = (f = facts()) => instanceCheck.evaluate(f, []);

describe('check 3: instance', () => {
  it('passes for a running instance with passed status checks', () => {
    const v = run();
    expect(v.status).toBe('pass');
    expect(v.summary).toBe('Running, status checks passed; SSH on port 22.');
  });

  it('fails for a stopped instance and offers to start it', () => {
    const v = run(facts({ instance: ok(instance({ State: { Name: 'stopped' } })) }));
    expect(v.status).toBe('fail');
    expect(v.fixes.map((f) => f.action)).toEqual([{ kind: 'startInstance', instanceId: 'i-0a1b2c3d4e5f60006' }]);
  });

  it('fails when the instance does not exist in the Region', () => {
    expect(run(facts({ instance: ok(null) })).summary).toBe('There is no instance i-0a1b2c3d4e5f60006 in eu-west-1.');
  });

  it('fails on an impaired status check and warns while initializing', () => {
    expect(run(facts({ status: ok({ system: 'ok', instance: 'impaired', events: [] }) })).status).toBe('fail');
    expect(run(facts({ status: ok({ system: 'initializing', instance: 'initializing', events: [] }) })).status).toBe('warn');
  });

  it('warns about a port other than 22 and 3389', () => {
    const f = facts();
    const v = run({ ...f, subject: { ...f.subject, port: 2222 } });
    expect(v.status).toBe('warn');
    expect(v.explanation).toContain('22 and 3389');
  });

  it('fails when the endpoint refused the port, with the service’s words', () => {
    const f = facts({ failure: failure({ code: 'EIC_PORT_NOT_ALLOWED', step: 'tunnel', message: 'eice refused to open a tunnel to port 8080. AWS said: "The specified RemotePort is not valid."' }) });
    const v = run({ ...f, subject: { ...f.subject, port: 8080 } });
    expect(v.status).toBe('fail');
    expect(v.summary).toBe('The endpoint refused port 8080.');
    expect(v.explanation).toContain('The specified RemotePort is not valid.');
  });

  it('skips when the instance could not be read, naming the error', () => {
    const v = run(facts({ instance: failed(factError()) }));
    expect(v.status).toBe('skip');
    expect(v.evidence).toContainEqual({ label: 'Error', value: 'AWS_ACCESS_DENIED' });
  });

  it('fails when the saved host’s platform is not the instance’s', () => {
    const v = run(facts({ instance: ok(windowsInstance()) }));
    expect(v.status).toBe('fail');
    expect(v.summary).toBe('The host is saved as Linux, but the instance runs Windows.');
  });

  it('fails without a private address', () => {
    expect(run(facts({ instance: ok(instance({ PrivateIpAddress: undefined })) })).summary).toBe('The instance has no private address.');
  });
});
