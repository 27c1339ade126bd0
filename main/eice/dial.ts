import { readFileSync } from 'node:fs';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, rootCertificates, type TLSSocket } from 'node:tls';
import { AppError } from '../../preload/contract/errors';
import { TunnelFailureError } from './errors';
import { connectThroughProxy, proxyFor, type ProxyChoice } from './proxy';

/** Where a tunnel's TLS connection really goes, and how. */
export interface DialPlan {
  /** The endpoint's DNS name: TLS server name (SNI), Host header and signed host. */
  servername: string;
  /** What TCP dials: the DNS name itself, or BASTIONLESS_EICE_ADDRESS's host. */
  dialHost: string;
  dialPort: number;
  proxy: ProxyChoice | undefined;
  /** Trusted roots when NODE_EXTRA_CA_CERTS adds some; undefined means Node's defaults. */
  ca: string[] | undefined;
}

/** The sandbox (and anyone testing against a local EICE) sets this to dial host:port instead. */
export const EICE_ADDRESS_VARIABLE = 'BASTIONLESS_EICE_ADDRESS';

export function parseHostPort(value: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(value) ?? /^([^:[\]]+):(\d{1,5})$/.exec(value);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1]!, port };
}

const caCache = new Map<string, string[]>();

/**
 * Node reads NODE_EXTRA_CA_CERTS only when the process starts, but the app receives its
 * environment as an object (a sandbox's, a profile's): so tunnels add that file's certificates
 * to Node's bundled roots themselves.
 */
export function extraCaOf(env: NodeJS.ProcessEnv): string[] | undefined {
  const file = env['NODE_EXTRA_CA_CERTS'];
  if (!file) return undefined;
  const cached = caCache.get(file);
  if (cached) return cached;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AppError('EIC_TLS_FAILED', `Could not read the certificate file in NODE_EXTRA_CA_CERTS (${file}).`, {
      hint: 'Point NODE_EXTRA_CA_CERTS at a readable PEM file, or unset it.',
      cause,
    });
  }
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!certs || certs.length === 0) {
    throw new AppError('EIC_TLS_FAILED', `The file in NODE_EXTRA_CA_CERTS (${file}) holds no PEM certificate.`, {
      hint: 'Point NODE_EXTRA_CA_CERTS at a PEM file with -----BEGIN CERTIFICATE----- blocks, or unset it.',
    });
  }
  const ca = [...rootCertificates, ...certs];
  caCache.set(file, ca);
  return ca;
}

/** Decides, from the environment, how to reach an endpoint's DNS name. */
export function planDial(dnsName: string, env: NodeJS.ProcessEnv): DialPlan {
  let dialHost = dnsName;
  let dialPort = 443;
  const override = env[EICE_ADDRESS_VARIABLE]?.trim();
  if (override) {
    const parsed = parseHostPort(override);
    if (!parsed) {
      throw new AppError('INVALID_INPUT', `${EICE_ADDRESS_VARIABLE} must be host:port, not "${override}".`, {
        hint: `Set ${EICE_ADDRESS_VARIABLE} to something like 127.0.0.1:8443, or unset it to reach AWS.`,
      });
    }
    dialHost = parsed.host;
    dialPort = parsed.port;
  }
  // A proxy is skipped when NO_PROXY names either the endpoint or the overriding address.
  const proxy = proxyFor(dnsName, 443, env) ? proxyFor(dialHost, dialPort, env) : undefined;
  return { servername: dnsName, dialHost, dialPort, proxy, ca: extraCaOf(env) };
}

const DIAL_TIMEOUT_MS = 30_000;

type CreateConnection = (options: object, callback: (error: Error | null, socket?: Socket) => void) => undefined;

/**
 * A `createConnection` for ws/https: TCP (direct or through the proxy) to the planned address,
 * then TLS with the endpoint's DNS name as server name, verified against the planned roots.
 * It works through the callback form so the proxy's CONNECT can finish first.
 */
export function createDialer(plan: DialPlan): CreateConnection {
  return (_options, callback) => {
    let done = false;
    const finish = (error: Error | null, socket?: Socket): void => {
      if (done) {
        socket?.destroy();
        return;
      }
      done = true;
      clearTimeout(timer);
      callback(error, socket);
    };
    const timer = setTimeout(() => {
      finish(new TunnelFailureError({ kind: 'network', stage: plan.proxy ? 'proxy' : 'timeout', errno: 'ETIMEDOUT', text: 'timed out', ...(plan.proxy ? { proxy: plan.proxy.display } : {}) }));
    }, DIAL_TIMEOUT_MS);
    timer.unref();
    const tlsOptions = {
      servername: isIP(plan.servername) ? '' : plan.servername,
      ALPNProtocols: ['http/1.1'],
      ...(plan.ca ? { ca: plan.ca } : {}),
    };
    if (!plan.proxy) {
      const socket: TLSSocket = tlsConnect({ host: plan.dialHost, port: plan.dialPort, ...tlsOptions });
      finish(null, socket);
      return undefined;
    }
    connectThroughProxy(plan.proxy, plan.dialHost, plan.dialPort, plan.ca).then(
      (raw) => finish(null, tlsConnect({ socket: raw, ...tlsOptions })),
      (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
    );
    return undefined;
  };
}
