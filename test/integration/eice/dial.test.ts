import { createHash, createHmac } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTunnel, type TunnelStream } from '../../../main/eice/tunnel';
import { appErrorOf } from '../../support/appErrorOf';
import { aTarget, FakeEice, makeTestPki, testCredentials, type TestPki } from '../../support/fakeEice';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.dispose());

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tlsFake(): Promise<FakeEice> {
  const fake = await FakeEice.start({ key: pki.key, cert: pki.cert });
  cleanups.push(() => fake.stop());
  return fake;
}

async function open(env: NodeJS.ProcessEnv, target = aTarget()): Promise<TunnelStream> {
  const t = await openTunnel(target, { credentials: testCredentials, env });
  cleanups.push(() => {
    t.destroy();
  });
  return t;
}

async function roundTrip(t: TunnelStream, text: string): Promise<string> {
  const back = new Promise<string>((resolve) => t.once('data', (d: Buffer) => resolve(d.toString())));
  t.write(text);
  return back;
}

/** Checks a presigned URL the way the service does: recompute SigV4 with the Host it received. */
function signatureValid(url: URL, host: string): boolean {
  const q = url.searchParams;
  const enc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const pairs = [...q.entries()].filter(([k]) => k !== 'X-Amz-Signature').map(([k, v]) => `${enc(k)}=${enc(v)}`).sort();
  const canonical = ['GET', url.pathname, pairs.join('&'), `host:${host}`, '', q.get('X-Amz-SignedHeaders'), createHash('sha256').update('').digest('hex')].join('\n');
  const date = q.get('X-Amz-Date')!;
  const scope = q.get('X-Amz-Credential')!.split('/').slice(1).join('/');
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const [day, region, service] = scope.split('/');
  const h = (k: Buffer | string, d: string): Buffer => createHmac('sha256', k).update(d).digest();
  const key = h(h(h(h('AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', day!), region!), service!), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex') === q.get('X-Amz-Signature');
}

/** A minimal HTTP CONNECT proxy; `auth` demands Proxy-Authorization. */
async function connectProxy(auth?: string): Promise<{ port: number; targets: string[] }> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createHttpServer();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    if (auth && req.headers['proxy-authorization'] !== `Basic ${Buffer.from(auth).toString('base64')}`) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="p"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    targets.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = connect(Number(port), host!.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as AddressInfo).port, targets };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('the tunnel dialer over real TLS', () => {
  it('dials BASTIONLESS_EICE_ADDRESS, keeping the DNS name for SNI, Host and the signature, trusting NODE_EXTRA_CA_CERTS', async () => {
    const fake = await tlsFake();
    const t = await open({ BASTIONLESS_EICE_ADDRESS: fake.address, NODE_EXTRA_CA_CERTS: pki.caFile });
    expect(await roundTrip(t, 'over tls')).toBe('over tls');
    const seen = fake.seen[0]!;
    expect(seen.servername).toBe(aTarget().dnsName);
    expect(seen.host).toBe(aTarget().dnsName);
    expect(signatureValid(seen.url, seen.host!)).toBe(true);
    expect(signatureValid(seen.url, fake.address)).toBe(false);
  });

  it('refuses a server it cannot verify, with EIC_TLS_FAILED', async () => {
    const fake = await tlsFake();
    const untrusted = await appErrorOf(open({ BASTIONLESS_EICE_ADDRESS: fake.address }));
    expect(untrusted.code).toBe('EIC_TLS_FAILED');
    expect(untrusted.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
    const wrongName = await appErrorOf(
      open(
        { BASTIONLESS_EICE_ADDRESS: fake.address, NODE_EXTRA_CA_CERTS: pki.caFile },
        aTarget({ region: 'eu-west-1', dnsName: 'eice-0123456789abcdef0.ec2-instance-connect-endpoint.eu-west-1.amazonaws.com' }),
      ),
    );
    expect(wrongName.code).toBe('EIC_TLS_FAILED');
    expect(fake.seen).toHaveLength(0);
  });

  it('goes through an HTTPS_PROXY with CONNECT, and around it for NO_PROXY', async () => {
    const fake = await tlsFake();
    const proxy = await connectProxy();
    const env = { BASTIONLESS_EICE_ADDRESS: fake.address, NODE_EXTRA_CA_CERTS: pki.caFile, HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` };
    const t = await open(env);
    expect(await roundTrip(t, 'via proxy')).toBe('via proxy');
    expect(proxy.targets).toEqual([fake.address]);
    expect(fake.seen[0]!.servername).toBe(aTarget().dnsName);
    const direct = await open({ ...env, NO_PROXY: '.amazonaws.com' });
    expect(await roundTrip(direct, 'direct')).toBe('direct');
    expect(proxy.targets).toHaveLength(1);
  });

  it('sends proxy credentials from the URL, and explains a 407 without them', async () => {
    const fake = await tlsFake();
    const proxy = await connectProxy('alice:s3cret');
    const base = { BASTIONLESS_EICE_ADDRESS: fake.address, NODE_EXTRA_CA_CERTS: pki.caFile };
    const denied = await appErrorOf(open({ ...base, HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` }));
    expect(denied.code).toBe('EIC_PROXY_FAILED');
    expect(denied.message).toContain('407');
    expect(denied.hint).toMatch(/user name and password/);
    const t = await open({ ...base, HTTPS_PROXY: `http://alice:s3cret@127.0.0.1:${proxy.port}` });
    expect(await roundTrip(t, 'authenticated')).toBe('authenticated');
    expect(JSON.stringify(denied.toJSON())).not.toContain('s3cret');
  });

  it('says the proxy is unreachable rather than blaming AWS', async () => {
    const port = await closedPort();
    const error = await appErrorOf(open({ BASTIONLESS_EICE_ADDRESS: '127.0.0.1:1', HTTPS_PROXY: `http://127.0.0.1:${port}` }));
    expect(error.code).toBe('EIC_PROXY_FAILED');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('names DNS failures and refused connections', async () => {
    const dns = await appErrorOf(open({}, aTarget({ dnsName: 'eice-0123456789abcdef0.ec2-instance-connect-endpoint.us-east-1.invalid' })));
    expect(dns.code).toBe('EIC_DNS_FAILED');
    expect(dns.message).toContain('.invalid');
    const port = await closedPort();
    const refused = await appErrorOf(open({ BASTIONLESS_EICE_ADDRESS: `127.0.0.1:${port}` }));
    expect(refused.code).toBe('EIC_NETWORK');
    expect(refused.retryable).toBe(true);
  });
});
