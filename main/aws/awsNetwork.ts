import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { AppError } from '../../preload/contract';
import type { Logger } from '../log';
import type { AwsEnv, IniSection } from './awsConfig';

/** The AWS services the app calls, with the names their endpoint settings use. */
export const AWS_SERVICES = {
  ec2: { envSuffix: 'EC2', configKey: 'ec2', host: 'ec2', fipsHost: 'ec2-fips' },
  eic: { envSuffix: 'EC2_INSTANCE_CONNECT', configKey: 'ec2_instance_connect', host: 'ec2-instance-connect', fipsHost: 'ec2-instance-connect-fips' },
  sts: { envSuffix: 'STS', configKey: 'sts', host: 'sts', fipsHost: 'sts-fips' },
  sso: { envSuffix: 'SSO', configKey: 'sso', host: 'portal.sso', fipsHost: 'portal.sso' },
  ssoOidc: { envSuffix: 'SSO_OIDC', configKey: 'sso_oidc', host: 'oidc', fipsHost: 'oidc' },
} as const;
export type AwsService = keyof typeof AWS_SERVICES;

/** The profile settings that change where and how requests go. */
export interface EndpointSettings {
  endpointUrl?: string;
  servicesSection?: IniSection;
  ignoreConfiguredEndpointUrls?: boolean;
  caBundle?: string;
  useFips?: boolean;
}

/** Sensible limits for calls to AWS APIs: fail in seconds, not minutes, when the network is gone. */
export const AWS_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 30_000 } as const;
export const AWS_MAX_ATTEMPTS = 4;

/**
 * Where AWS requests go and through what: endpoint overrides (AWS_ENDPOINT_URL_<SERVICE>,
 * AWS_ENDPOINT_URL, a profile's `[services]` section and `endpoint_url`), proxies
 * (HTTPS_PROXY / HTTP_PROXY / NO_PROXY), and extra certificate authorities (AWS_CA_BUNDLE or a
 * profile's `ca_bundle`, and NODE_EXTRA_CA_CERTS). Everything comes from the `env` it is given.
 */
export class AwsNetwork {
  private readonly caCache = new Map<string, string[]>();

  constructor(
    readonly env: AwsEnv,
    private readonly log: Logger,
  ) {}

  /** The endpoint URL override for a service, or undefined for AWS's own endpoint. */
  endpointFor(service: AwsService, settings: EndpointSettings = {}): string | undefined {
    const env = this.env;
    const ignore = (env['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'] ?? '').toLowerCase() === 'true' || settings.ignoreConfiguredEndpointUrls;
    if (ignore) return undefined;
    const spec = AWS_SERVICES[service];
    const candidates = [
      env[`AWS_ENDPOINT_URL_${spec.envSuffix}`],
      env['AWS_ENDPOINT_URL'],
      settings.servicesSection?.[`${spec.configKey}.endpoint_url`],
      settings.endpointUrl,
    ];
    const found = candidates.map((c) => c?.trim()).find((c) => !!c);
    if (!found) return undefined;
    try {
      const url = new URL(found);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
      return found;
    } catch {
      throw new AppError('AWS_PROFILE_INVALID', `The endpoint URL "${found}" for ${spec.host} is not a valid http(s) URL.`, {
        hint: `Fix AWS_ENDPOINT_URL_${spec.envSuffix} / AWS_ENDPOINT_URL, or endpoint_url in the profile.`,
      });
    }
  }

  /** Whether FIPS endpoints are asked for (AWS_USE_FIPS_ENDPOINT or the profile's use_fips_endpoint). */
  useFips(settings: EndpointSettings = {}): boolean {
    return (this.env['AWS_USE_FIPS_ENDPOINT'] ?? '').toLowerCase() === 'true' || !!settings.useFips;
  }

  /** The host a request for `service` goes to, for the NO_PROXY decision. */
  hostFor(service: AwsService, region: string, settings: EndpointSettings = {}): { host: string; protocol: 'https:' | 'http:' } {
    const override = this.endpointFor(service, settings);
    if (override) {
      const url = new URL(override);
      return { host: url.hostname, protocol: url.protocol === 'http:' ? 'http:' : 'https:' };
    }
    const spec = AWS_SERVICES[service];
    const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    return { host: `${this.useFips(settings) ? spec.fipsHost : spec.host}.${region}.${suffix}`, protocol: 'https:' };
  }

  /** The proxy URL to use for `host`, honouring NO_PROXY; undefined for a direct connection. */
  proxyFor(host: string, protocol: 'https:' | 'http:'): string | undefined {
    const env = this.env;
    const proxy =
      protocol === 'https:'
        ? env['HTTPS_PROXY'] || env['https_proxy'] || env['HTTP_PROXY'] || env['http_proxy']
        : env['HTTP_PROXY'] || env['http_proxy'];
    if (!proxy?.trim()) return undefined;
    if (bypassesProxy(host, env['NO_PROXY'] ?? env['no_proxy'] ?? '')) return undefined;
    return proxy.includes('://') ? proxy.trim() : `http://${proxy.trim()}`;
  }

  /**
   * Extra trusted CAs, added to Node's own list: AWS_CA_BUNDLE (or the profile's ca_bundle) and
   * NODE_EXTRA_CA_CERTS (Node only reads that one from its own start-up environment).
   */
  extraCas(settings: EndpointSettings = {}): string[] {
    const out: string[] = [];
    const bundle = this.env['AWS_CA_BUNDLE']?.trim() || settings.caBundle;
    if (bundle) out.push(...this.readCa(bundle, true));
    const extra = this.env['NODE_EXTRA_CA_CERTS']?.trim();
    if (extra) out.push(...this.readCa(extra, false));
    return out;
  }

  private readCa(path: string, required: boolean): string[] {
    const cached = this.caCache.get(path);
    if (cached) return cached;
    try {
      const text = readFileSync(path, 'utf8');
      const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      if (certs.length === 0) throw new Error('no PEM certificate in the file');
      this.caCache.set(path, certs);
      return certs;
    } catch (error) {
      if (!required) {
        // Node itself only warns about a bad NODE_EXTRA_CA_CERTS; do the same.
        this.log.warn('NODE_EXTRA_CA_CERTS could not be read', { path, error });
        this.caCache.set(path, []);
        return [];
      }
      throw new AppError('AWS_TLS_UNTRUSTED', `The CA bundle ${path} could not be read: ${error instanceof Error ? error.message : String(error)}.`, {
        hint: 'Point AWS_CA_BUNDLE (or ca_bundle in the profile) at a readable PEM file, or remove the setting.',
        cause: error,
      });
    }
  }

  /**
   * A request handler for calls to `service` in `region`: a proxy agent when HTTPS_PROXY applies
   * to that host, extra CAs when configured, keep-alive, and the timeouts above. Destroy it
   * (client.destroy()) when done.
   */
  httpHandlerFor(service: AwsService, region: string, settings: EndpointSettings = {}): NodeHttpHandler {
    const { host, protocol } = this.hostFor(service, region, settings);
    const extra = this.extraCas(settings);
    const ca = extra.length > 0 ? [...rootCertificates, ...extra] : undefined;
    const proxy = this.proxyFor(host, protocol);
    const agentOptions = { keepAlive: true, maxSockets: 50, ...(ca ? { ca } : {}) };
    let httpsAgent: HttpsAgent;
    let httpAgent: HttpAgent;
    if (proxy) {
      const agent = new ProxyAgent(proxy, agentOptions, ca);
      httpsAgent = agent as unknown as HttpsAgent;
      httpAgent = agent as unknown as HttpAgent;
    } else {
      httpsAgent = new HttpsAgent(agentOptions);
      httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 50 });
    }
    return new NodeHttpHandler({ httpsAgent, httpAgent, ...AWS_TIMEOUTS, throwOnRequestTimeout: true });
  }
}

/**
 * HttpsProxyAgent with extra CAs for the TLS session to the endpoint. https-proxy-agent opens
 * that session with the request's options only: CAs given to its constructor reach the proxy
 * connection but not the endpoint's, so an AWS_CA_BUNDLE endpoint behind a proxy failed.
 * Every proxied request of the app goes through this one, not HttpsProxyAgent itself.
 */
export class ProxyAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    options: ConstructorParameters<typeof HttpsProxyAgent<string>>[1],
    private readonly ca: string[] | undefined,
  ) {
    super(proxy, options);
  }

  override connect(req: Parameters<HttpsProxyAgent<string>['connect']>[0], opts: Parameters<HttpsProxyAgent<string>['connect']>[1]): ReturnType<HttpsProxyAgent<string>['connect']> {
    // AgentConnectOpts is a union over secureEndpoint; adding `ca` keeps whichever member it was.
    return super.connect(req, this.ca ? ({ ...opts, ca: this.ca } as typeof opts) : opts);
  }
}

/**
 * NO_PROXY as curl reads it: `*` for everything, comma or space separated host names (a leading
 * dot or not: suffix match), IP addresses, and an optional `:port` that is ignored here.
 */
export function bypassesProxy(host: string, noProxy: string): boolean {
  const target = host.toLowerCase().replace(/^\[|\]$/g, '');
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    if (!entry.startsWith('[') && entry.split(':').length === 2) entry = entry.split(':')[0] ?? entry;
    entry = entry.replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
    if (target === entry || target.endsWith(`.${entry}`)) return true;
  }
  return false;
}
