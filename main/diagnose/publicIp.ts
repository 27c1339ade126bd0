import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { request as httpRequest } from 'node:http';
import { rootCertificates } from 'node:tls';
import { AppError } from '../../preload/contract';
import { ProxyAgent, type AwsNetwork } from '../aws/awsNetwork';

/** AWS's own "what is my IP" service: it answers the address AWS sees, as plain text. */
export const CHECKIP_URL = 'https://checkip.amazonaws.com/';

/**
 * This computer's public IPv4 address as AWS sees it: what an endpoint with PreserveClientIp
 * shows the instance. Goes through the same proxy and extra CAs as the AWS calls.
 * BASTIONLESS_CHECKIP_URL replaces the service (tests point it at the sandbox).
 */
export function fetchPublicIp(network: Pick<AwsNetwork, 'env' | 'proxyFor' | 'extraCas'>, signal: AbortSignal): Promise<string> {
  const url = new URL(network.env['BASTIONLESS_CHECKIP_URL']?.trim() || CHECKIP_URL);
  const protocol = url.protocol === 'http:' ? 'http:' : 'https:';
  const proxy = network.proxyFor(url.hostname, protocol);
  const extra = network.extraCas();
  const ca = extra.length > 0 ? [...rootCertificates, ...extra] : undefined;
  const agent = proxy ? new ProxyAgent(proxy, ca ? { ca } : {}, ca) : protocol === 'https:' ? new HttpsAgent(ca ? { ca } : {}) : undefined;
  const send = protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'GET', timeout: 5000, signal, ...(agent ? { agent } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 200) body += chunk;
      });
      res.on('end', () => {
        const ip = body.trim();
        if (res.statusCode === 200 && /^(\d{1,3}\.){3}\d{1,3}$/.test(ip)) resolve(ip);
        else reject(new AppError('AWS_NETWORK', `${url.host} did not answer with an IP address (HTTP ${res.statusCode ?? '?'}).`, { hint: 'Check your internet connection and proxy.' }));
      });
    });
    req.on('timeout', () => req.destroy(new AppError('AWS_NETWORK', `${url.host} did not answer in time.`, { hint: 'Check your internet connection and proxy.', retryable: true })));
    req.on('error', (error) =>
      reject(error instanceof AppError ? error : new AppError('AWS_NETWORK', `Could not ask ${url.host} for this computer's public address (${(error as NodeJS.ErrnoException).code ?? error.message}).`, { hint: 'Check your internet connection and proxy.', cause: error, retryable: true })),
    );
    req.end();
  });
}
