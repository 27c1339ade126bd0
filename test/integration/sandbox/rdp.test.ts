import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { portAccepts } from '../../sandbox/instances/managedProcess';
import { startRdpServer, type RdpServer } from '../../sandbox/instances/rdp';
import { requireBinary } from '../../support/requireBinary';

const started: RdpServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

/** `xfreerdp /auth-only`: 0 when NLA accepted the credentials, 147 when it refused them. */
function authOnly(server: RdpServer, user: string, password: string): Promise<number | null> {
  const xfreerdp = requireBinary('xfreerdp');
  return new Promise((resolve, reject) => {
    const child = spawn(xfreerdp, ['/auth-only', `/v:127.0.0.1:${server.port}`, `/u:${user}`, `/p:${password}`, '/cert:ignore'], {
      stdio: 'ignore',
      // The client needs an X display even for /auth-only: borrow the server's Xvfb.
      env: { ...process.env, DISPLAY: server.display },
    });
    child.once('error', reject);
    child.once('close', resolve);
  });
}

describe('startRdpServer', () => {
  it('accepts the right password over NLA and refuses a wrong one', async () => {
    const server = await startRdpServer({ user: 'Administrator', password: 'Sandbox-Pa55word!' });
    started.push(server);
    expect(server.display).toMatch(/^:\d+$/);
    expect(await authOnly(server, 'Administrator', 'Sandbox-Pa55word!')).toBe(0);
    expect(await authOnly(server, 'Administrator', 'wrong-password')).toBe(147);
    expect(await authOnly(server, 'Someone', 'Sandbox-Pa55word!')).toBe(147);
  });

  it('runs two servers side by side on their own displays and ports, and frees the port on stop', async () => {
    const [a, b] = await Promise.all([
      startRdpServer({ user: 'Administrator', password: 'first-Pa55' }),
      startRdpServer({ user: 'Administrator', password: 'second-Pa55' }),
    ]);
    started.push(a, b);
    expect(a.display).not.toBe(b.display);
    expect(a.port).not.toBe(b.port);
    expect(await authOnly(b, 'Administrator', 'second-Pa55')).toBe(0);
    expect(await authOnly(b, 'Administrator', 'first-Pa55')).toBe(147);

    await a.stop();
    expect(await portAccepts(a.port)).toBe(false);
  });

  it('refuses empty credentials before starting anything', async () => {
    await expect(startRdpServer({ user: '', password: 'x' })).rejects.toThrow(/user name/);
    await expect(startRdpServer({ user: 'Administrator', password: '' })).rejects.toThrow(/password/);
  });
});
