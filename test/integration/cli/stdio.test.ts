import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aTarget, echo, FakeEice, makeTestPki, type TestPki } from '../../support/fakeEice';
import { isolatedHome, requireBuiltCli, startCli, type CliRun } from './cliProcess';

/**
 * The real `bastionless-tunnel` process against a TLS EICE stand-in, in the modes that need no
 * EC2 API (an address and an endpoint given): stdio for ProxyCommand and the local listener.
 * The sandbox tests (sandbox.test.ts) cover instance lookup, endpoint choice and key pushes.
 */
let pki: TestPki;
let home: ReturnType<typeof isolatedHome>;
beforeAll(() => {
  requireBuiltCli();
  pki = makeTestPki();
  home = isolatedHome();
});
afterAll(() => {
  pki.dispose();
  home.dispose();
});

const running: CliRun[] = [];
const fakes: FakeEice[] = [];
afterEach(async () => {
  for (const run of running.splice(0)) if (run.child.exitCode === null && run.child.pid) process.kill(run.child.pid, 'SIGKILL');
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

async function fake(): Promise<FakeEice> {
  const f = await FakeEice.start({ key: pki.key, cert: pki.cert });
  fakes.push(f);
  return f;
}

function cli(f: FakeEice, extra: string[] = []): CliRun {
  const t = aTarget();
  const run = startCli(
    ['--private-ip-address', t.privateIpAddress, '--instance-connect-endpoint-id', t.endpointId, '--instance-connect-endpoint-dns-name', t.dnsName, '--region', 'us-east-1', ...extra],
    {
      HOME: home.home,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      BASTIONLESS_EICE_ADDRESS: f.address,
      NODE_EXTRA_CA_CERTS: pki.caFile,
    },
  );
  running.push(run);
  return run;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * Writes `payload` to the CLI's stdin (the target echoes it) and ends stdin only once all of it
 * has come back, so EOF closes a drained tunnel; resolves with the exit code.
 */
function echoThrough(run: CliRun, payload: Buffer): Promise<number | null> {
  let got = 0;
  run.child.stdout.on('data', (d: Buffer) => {
    got += d.length;
    if (got === payload.length) run.child.stdin.end();
  });
  run.child.stdin.write(payload);
  return run.exited;
}

describe('bastionless-tunnel (stdio mode)', () => {
  it('carries stdin to the target and the target to stdout byte-exact, then exits 0 at EOF', async () => {
    const f = await fake();
    const run = cli(f);
    const payload = randomBytes(5 * 1024 * 1024);
    expect(await echoThrough(run, payload)).toBe(0);
    expect(sha(run.stdout())).toBe(sha(payload));
    expect(run.stderr()).toBe('');
    const q = f.seen[0]!.url.searchParams;
    expect(q.get('privateIpAddress')).toBe('10.0.1.23');
    expect(q.get('maxTunnelDuration')).toBe('3600');
  });

  it('exits 0 at once when stdin is empty', async () => {
    const f = await fake();
    const run = cli(f);
    run.child.stdin.end();
    expect(await run.exited).toBe(0);
    expect(run.stdout().length).toBe(0);
  });

  it('fails with one stderr line and nothing on stdout when the service refuses', async () => {
    const f = await fake();
    f.answer = () => ({
      refuse: { status: 403, headers: { 'x-amzn-requestid': 'req-42' }, body: '{"ErrorCode":"AccessDenied","Message":"User is not authorized to perform ec2-instance-connect:OpenTunnel"}' },
    });
    const run = cli(f);
    expect(await run.exited).toBe(1);
    expect(run.stdout().length).toBe(0);
    const lines = run.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bastionless-tunnel: EIC_TUNNEL_ACCESS_DENIED: .*OpenTunnel.* Hint: .* \(request id req-42\)$/);
    expect(run.stderr()).not.toContain('wJalrXUtnFEMI');
  });

  it('keeps to an IAM cap on the tunnel\'s duration, saying so on stderr; an explicit --max-tunnel-duration is asked as given', async () => {
    const f = await fake();
    const asked: string[] = [];
    f.answer = (seen) => {
      const seconds = seen.url.searchParams.get('maxTunnelDuration') ?? '';
      asked.push(seconds);
      return Number(seconds) > 900
        ? { refuse: { status: 403, body: `{"ErrorCode":"AccessDenied","Message":"not authorized: the request's ec2-instance-connect:maxTunnelDuration (${seconds}) is not at most 900"}` } }
        : { accept: echo };
    };
    const run = cli(f);
    const payload = randomBytes(100_000);
    expect(await echoThrough(run, payload)).toBe(0);
    expect(sha(run.stdout())).toBe(sha(payload));
    expect(asked).toEqual(['3600', '1800', '900']);
    expect(run.stderr()).toBe('bastionless-tunnel: Your IAM policy limits tunnels through eice-0123456789abcdef0 to 15 minutes, so Bastionless opens them for that long instead of 60 minutes.\n');

    asked.length = 0;
    const exact = cli(f, ['--max-tunnel-duration', '1800']);
    expect(await exact.exited).toBe(1);
    expect(asked).toEqual(['1800']);
    expect(exact.stderr()).toMatch(/^bastionless-tunnel: EIC_TUNNEL_ACCESS_DENIED: .*maxTunnelDuration \(1800\) is not at most 900/);
  });

  it('delivers what came before a failure, then exits 1 with the reason', async () => {
    const f = await fake();
    f.answer = () => ({
      accept: (ws) => {
        ws.send(Buffer.from('SSH-2.0-partial\r\n'));
        ws.close(1011, 'Unable to connect to target');
      },
    });
    const run = cli(f);
    expect(await run.exited).toBe(1);
    expect(run.stdout().toString()).toBe('SSH-2.0-partial\r\n');
    expect(run.stderr()).toMatch(/^bastionless-tunnel: EIC_TUNNEL_TARGET_UNREACHABLE: .*10\.0\.1\.23:22/);
  });

  it('closes the tunnel normally and exits 0 on SIGTERM', async () => {
    const f = await fake();
    let closeCode = 0;
    const closed = new Promise<void>((resolve) => {
      f.answer = () => ({
        accept: (ws) => {
          ws.on('message', (d: Buffer) => ws.send(d));
          ws.on('close', (code) => {
            closeCode = code;
            resolve();
          });
        },
      });
    });
    const run = cli(f);
    const first = new Promise<void>((r) => run.child.stdout.once('data', () => r()));
    run.child.stdin.write('hello');
    await first;
    process.kill(run.child.pid!, 'SIGTERM');
    expect(await run.exited).toBe(0);
    await closed;
    expect(closeCode).toBe(1000);
  });
});

describe('bastionless-tunnel --local-port', () => {
  it('listens on 127.0.0.1, opens a tunnel per connection, and stops cleanly on SIGINT', async () => {
    const f = await fake();
    const run = cli(f, ['--local-port', '0', '--max-websocket-connections', '2']);
    const line = await new Promise<string>((resolve) => {
      let text = '';
      run.child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\n')) resolve(text);
      });
    });
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1]);
    expect(line).toMatch(/at most 2 at once/);
    const echo = async (text: string): Promise<string> => {
      const s = connect(port, '127.0.0.1');
      const back = new Promise<string>((r) => s.once('data', (d: Buffer) => r(d.toString())));
      s.write(text);
      const value = await back;
      s.destroy();
      return value;
    };
    expect(await Promise.all([echo('one'), echo('two')])).toEqual(['one', 'two']);
    expect(f.seen).toHaveLength(2);
    process.kill(run.child.pid!, 'SIGINT');
    expect(await run.exited).toBe(0);
  });
});
