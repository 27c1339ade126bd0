import { createHash, randomBytes } from 'node:crypto';

/** A new AWS-style resource id: `prefix-` and 17 hex digits (the current EC2 id length). */
export function newId(prefix: string): string {
  return `${prefix}-0${randomBytes(8).toString('hex')}`;
}

/** An access key id of AWS's shape (20 characters) that always contains "EXAMPLE". */
export function newAccessKeyId(prefix: 'AKIA' | 'ASIA'): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = randomBytes(9);
  let middle = '';
  for (const b of bytes) middle += alphabet[b % alphabet.length];
  return `${prefix}${middle}EXAMPLE`;
}

/** A 40-character secret access key, marked as an example so no scanner mistakes it for a real one. */
export function newSecretAccessKey(): string {
  return `${randomBytes(23).toString('base64').replace(/[+/=]/g, 'x').slice(0, 30)}EXAMPLEKEY`;
}

/** An opaque session token (temporary credentials), marked as an example. */
export function newSessionToken(): string {
  return `IQoJb3JpZ2luX2VjEXAMPLE${randomBytes(96).toString('base64')}`;
}

/** The label AWS puts between the endpoint id and the service in EICE DNS names; stable per account and Region. */
export function eiceDnsLabel(accountId: string, region: string): string {
  return createHash('sha256').update(`${accountId}/${region}`).digest('hex').slice(0, 8);
}

/** `eice-....<label>.ec2-instance-connect-endpoint.<region>.amazonaws.com` and its FIPS twin, as AWS names them. */
export function eiceDnsNames(endpointId: string, accountId: string, region: string): { dnsName: string; fipsDnsName: string } {
  const label = eiceDnsLabel(accountId, region);
  return {
    dnsName: `${endpointId}.${label}.ec2-instance-connect-endpoint.${region}.amazonaws.com`,
    fipsDnsName: `${endpointId}.${label}.fips.ec2-instance-connect-endpoint.${region}.amazonaws.com`,
  };
}

/** A request id in AWS's UUID form. */
export function newRequestId(): string {
  return crypto.randomUUID();
}

/** The ARN of an EC2 resource from its id (the id prefix names the type). */
export function ec2Arn(region: string, accountId: string, resourceId: string): string {
  const type: Record<string, string> = {
    i: 'instance',
    eice: 'instance-connect-endpoint',
    sg: 'security-group',
    subnet: 'subnet',
    vpc: 'vpc',
    key: 'key-pair',
    ami: 'image',
    acl: 'network-acl',
    rtb: 'route-table',
  };
  const prefix = resourceId.split('-')[0] ?? '';
  const kind = type[prefix] ?? 'resource';
  return kind === 'image' ? `arn:aws:ec2:${region}::image/${resourceId}` : `arn:aws:ec2:${region}:${accountId}:${kind}/${resourceId}`;
}
