import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from '../../support/requireBinary';
import { eiceDnsLabel } from '../world/ids';

export interface SandboxCertificates {
  /** PEM of the sandbox's CA: what NODE_EXTRA_CA_CERTS points at. */
  caFile: string;
  caPem: string;
  /** The tunnel server's certificate chain and key (PEM). */
  cert: string;
  key: string;
  /** The DNS names the certificate covers. */
  names: string[];
}

function openssl(args: string[], cwd: string): Promise<void> {
  const bin = requireBinary('openssl', 'ca-certificates');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`openssl ${args[0]} failed (${code}): ${err.trim()}`))));
  });
}

/**
 * The DNS names EICE endpoints of this account get, per Region, as wildcards: DnsName is
 * `eice-<id>.<label>.ec2-instance-connect-endpoint.<region>.amazonaws.com` and FipsDnsName the
 * same with `.fips` before the service name; the label is fixed per account and Region, so one
 * wildcard per form covers every endpoint, including ones created later.
 */
export function eiceCertificateNames(accountId: string, regions: string[]): string[] {
  return regions.flatMap((region) => {
    const label = eiceDnsLabel(accountId, region);
    return [
      `*.${label}.ec2-instance-connect-endpoint.${region}.amazonaws.com`,
      `*.${label}.fips.ec2-instance-connect-endpoint.${region}.amazonaws.com`,
      // The AWS CLI's tests use the label-less form (eice-123.ec2-instance-connect-endpoint...).
      `*.ec2-instance-connect-endpoint.${region}.amazonaws.com`,
      `*.fips.ec2-instance-connect-endpoint.${region}.amazonaws.com`,
    ];
  });
}

/**
 * Makes a throw-away CA (EC P-256, valid two days) and a server certificate signed by it for
 * `names` (plus localhost and 127.0.0.1), with the openssl CLI, into `dir`. Private keys stay
 * in `dir` (0600); only the CA's certificate is meant to leave it.
 */
export async function createCertificates(dir: string, names: string[]): Promise<SandboxCertificates> {
  const stamp = Date.now().toString(36);
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=Bastionless Sandbox CA ${stamp}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const san = [...names.map((n) => `DNS:${n}`), 'DNS:localhost', 'IP:127.0.0.1'].join(',');
  writeFileSync(join(dir, 'server.ext'), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=ec2-instance-connect-endpoint.sandbox'], dir);
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'server.pem', '-extfile', 'server.ext'], dir);
  const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  return { caFile: join(dir, 'ca.pem'), caPem, cert: readFileSync(join(dir, 'server.pem'), 'utf8') + caPem, key: readFileSync(join(dir, 'server.key'), 'utf8'), names };
}
