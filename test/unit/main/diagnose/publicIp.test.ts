import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchPublicIp } from '../../../../main/diagnose/publicIp';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A local stand-in for checkip.amazonaws.com answering `status` and `body`. */
async function checkip(status: number, body: string): Promise<string> {
  server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`;
}

const network = (url: string) => ({ env: { BASTIONLESS_CHECKIP_URL: url }, proxyFor: () => undefined, extraCas: () => [] });

describe('fetchPublicIp', () => {
  it('reads the address the service answers', async () => {
    const url = await checkip(200, '198.51.100.24\n');
    expect(await fetchPublicIp(network(url), new AbortController().signal)).toBe('198.51.100.24');
  });

  it('refuses an answer that is not an address, and a dead service, with AWS_NETWORK', async () => {
    const url = await checkip(200, '<html>captive portal</html>');
    await expect(fetchPublicIp(network(url), new AbortController().signal)).rejects.toMatchObject({ code: 'AWS_NETWORK' });
    // A port that was just free: nothing answers there.
    const gone = await new Promise<string>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const port = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(`http://127.0.0.1:${port}/`));
      });
    });
    await expect(fetchPublicIp(network(gone), new AbortController().signal)).rejects.toMatchObject({ code: 'AWS_NETWORK' });
  });
});
