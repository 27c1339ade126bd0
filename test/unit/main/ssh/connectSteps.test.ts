import { describe, expect, it } from 'vitest';
import { ConnectSteps } from '../../../../main/ssh/connectSteps';

describe('ConnectSteps', () => {
  it('lists the five steps in order, all pending', () => {
    const steps = new ConnectSteps(() => 0);
    expect(steps.snapshot().map((s) => [s.id, s.label, s.status])).toEqual([
      ['resolve', 'Resolving host', 'pending'],
      ['tunnel', 'Opening tunnel', 'pending'],
      ['key', 'Sending key', 'pending'],
      ['auth', 'Authenticating', 'pending'],
      ['shell', 'Starting shell', 'pending'],
    ]);
  });

  it('times each step, including steps that overlap', () => {
    let now = 1000;
    const steps = new ConnectSteps(() => now);
    steps.start('resolve');
    now += 5;
    steps.done('resolve', 'i-1');
    steps.start('tunnel');
    steps.start('key');
    now += 40;
    steps.done('key');
    now += 60;
    steps.done('tunnel');
    const byId = Object.fromEntries(steps.snapshot().map((s) => [s.id, s]));
    expect(byId['resolve']).toMatchObject({ status: 'done', durationMs: 5, detail: 'i-1' });
    expect(byId['key']).toMatchObject({ status: 'done', durationMs: 40 });
    expect(byId['tunnel']).toMatchObject({ status: 'done', durationMs: 100 });
    expect(byId['auth']).toEqual({ id: 'auth', label: 'Authenticating', status: 'pending' });
  });

  it('shows a running step with the time it has run so far', () => {
    let now = 0;
    const steps = new ConnectSteps(() => now);
    steps.start('auth');
    now = 250;
    expect(steps.snapshot().find((s) => s.id === 'auth')).toMatchObject({ status: 'running', durationMs: 250 });
    expect(steps.running()).toBe('auth');
  });

  it('after a failure, marks the failed step and skips the running and pending ones', () => {
    let now = 0;
    const steps = new ConnectSteps(() => now);
    steps.start('tunnel');
    steps.start('key');
    now = 30;
    steps.fail('key');
    steps.abandon();
    const status = Object.fromEntries(steps.snapshot().map((s) => [s.id, s.status]));
    expect(status).toEqual({ resolve: 'skipped', tunnel: 'skipped', key: 'failed', auth: 'skipped', shell: 'skipped' });
    expect(steps.snapshot().find((s) => s.id === 'tunnel')?.durationMs).toBe(30);
  });

  it('renames a step for one attempt', () => {
    const steps = new ConnectSteps(() => 0);
    steps.label('key', 'Loading key');
    expect(steps.snapshot().find((s) => s.id === 'key')?.label).toBe('Loading key');
  });
});
