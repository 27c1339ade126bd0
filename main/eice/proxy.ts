import { BlockList, connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { TunnelFailureError } from './errors';

/** The proxy a connection goes through; `display` is host:port, never the credentials. */
export interface ProxyChoice {
  url: URL;
  display: string;
}

/**
 * The HTTPS proxy for a wss:// connection to host:port, from `https_proxy`/`HTTPS_PROXY`
 * unless `no_proxy`/`NO_PROXY` exempts the host. Lower case wins, as in curl.
 * Throws a proxy failure for a value that is not an http(s) proxy URL: a misconfigured proxy
 * must not silently turn into a direct connection.
 */
export function proxyFor(host: string, port: number, env: NodeJS.ProcessEnv): ProxyChoice | undefined {
  const raw = (env['https_proxy'] ?? env['HTTPS_PROXY'] ?? '').trim();
  if (!raw) return undefined;
  const noProxy = env['no_proxy'] ?? env['NO_PROXY'] ?? '';
  if (isNoProxy(host, port, noProxy)) return undefined;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new TunnelFailureError({ kind: 'network', stage: 'proxy', errno: 'EINVAL', text: 'HTTPS_PROXY is not a valid URL.' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TunnelFailureError({
      kind: 'network',
      stage: 'proxy',
      errno: 'EPROTONOSUPPORT',
      text: `HTTPS_PROXY uses ${url.protocol.replace(':', '')}, but only http:// and https:// proxies are supported.`,
      proxy: url.host,
    });
  }
  return { url, display: `${url.hostname}:${proxyPort(url)}` };
}

function proxyPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * NO_PROXY matching as curl and Go do it: comma or space separated entries; `*` matches
 * everything; `example.com`, `.example.com` and `*.example.com` match the domain and its
 * subdomains; `host:port` matches that port only; IP literals and CIDR blocks match addresses.
 */
export function isNoProxy(host: string, port: number, noProxy: string): boolean {
  const name = stripBrackets(host).toLowerCase().replace(/\.$/, '');
  for (const rawEntry of noProxy.split(/[\s,]+/)) {
    let entry = rawEntry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1]!;
      if (bracketed[2]) entryPort = Number(bracketed[2]);
    } else if (/^[^:]+:\d+$/.test(entry)) {
      const i = entry.lastIndexOf(':');
      entryPort = Number(entry.slice(i + 1));
      entry = entry.slice(0, i);
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    if (entry.includes('/')) {
      if (cidrContains(entry, name)) return true;
      continue;
    }
    if (isIP(entry)) {
      if (isIP(name) && sameAddress(entry, name)) return true;
      continue;
    }
    const domain = entry.replace(/^\*?\./, '').replace(/\.$/, '');
    if (!domain) continue;
    if (name === domain || name.endsWith(`.${domain}`)) return true;
  }
  return false;
}

function sameAddress(a: string, b: string): boolean {
  const list = new BlockList();
  list.addAddress(a, isIP(a) === 6 ? 'ipv6' : 'ipv4');
  return list.check(b, isIP(b) === 6 ? 'ipv6' : 'ipv4');
}

function cidrContains(cidr: string, address: string): boolean {
  const [net, bits] = cidr.split('/');
  const family = isIP(net ?? '');
  if (!family || !isIP(address) || bits === undefined || !/^\d+$/.test(bits)) return false;
  const list = new BlockList();
  try {
    list.addSubnet(net!, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  } catch {
    return false;
  }
  return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

const MAX_PROXY_RESPONSE = 16 * 1024;

/**
 * Opens a raw TCP tunnel to host:port through an HTTP(S) proxy with CONNECT and resolves with
 * the socket once the proxy answers 200. The caller then starts TLS to the real server over it,
 * so the proxy sees only the host name and encrypted bytes. Failures are proxy failures with the
 * proxy's status, so they are never mistaken for the service refusing the tunnel.
 */
export function connectThroughProxy(proxy: ProxyChoice, host: string, port: number, ca?: string[]): Promise<Socket> {
  const { url } = proxy;
  const proxyHost = stripBrackets(url.hostname);
  const fail = (errno: string, text: string, extra: { proxyStatus?: number; cause?: unknown } = {}): TunnelFailureError =>
    new TunnelFailureError(
      { kind: 'network', stage: 'proxy', errno, text, proxy: proxy.display, ...(extra.proxyStatus ? { proxyStatus: extra.proxyStatus } : {}) },
      { cause: extra.cause },
    );
  return new Promise<Socket>((resolve, reject) => {
    const socket: Socket =
      url.protocol === 'https:'
        ? tlsConnect({ host: proxyHost, port: proxyPort(url), ...(isIP(proxyHost) ? {} : { servername: proxyHost }), ...(ca ? { ca } : {}) })
        : netConnect({ host: proxyHost, port: proxyPort(url) });
    let buffered = Buffer.alloc(0);
    const cleanup = (): void => {
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('end', onEnd);
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      cleanup();
      socket.destroy();
      reject(fail(error.code ?? 'UNKNOWN', `could not reach it (${error.code ?? error.message})`, { cause: error }));
    };
    const onEnd = (): void => {
      cleanup();
      socket.destroy();
      reject(fail('ECONNRESET', 'it closed the connection before answering CONNECT'));
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) {
        if (buffered.length > MAX_PROXY_RESPONSE) onError(Object.assign(new Error('proxy response too large'), { code: 'EPROTO' }));
        return;
      }
      cleanup();
      // Removing the data listener leaves the socket flowing: pause it so no byte is lost
      // before TLS takes it over.
      socket.pause();
      const statusLine = buffered.subarray(0, buffered.indexOf('\r\n')).toString('latin1');
      const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine)?.[1] ?? 0);
      if (status !== 200) {
        socket.destroy();
        reject(fail(status ? `HTTP_${status}` : 'EPROTO', status ? `it answered ${statusLine.slice(9).trim()}` : 'it did not answer with HTTP', { proxyStatus: status || undefined }));
        return;
      }
      const rest = buffered.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    socket.on('error', onError);
    socket.on('end', onEnd);
    socket.on('data', onData);
    const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
    const headers = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
    if (url.username || url.password) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.push(`Proxy-Authorization: Basic ${Buffer.from(credentials).toString('base64')}`);
    }
    socket.write(`${headers.join('\r\n')}\r\n\r\n`);
  });
}
