import { readFile } from 'node:fs/promises';
import { DescribeInstancesCommand, type DescribeInstancesCommandOutput } from '@aws-sdk/client-ec2';
import { SendSSHPublicKeyCommand, type SendSSHPublicKeyCommandOutput } from '@aws-sdk/client-ec2-instance-connect';
import { AppError } from '../../preload/contract/errors';
import { mapAwsError } from '../aws/errors';
import type { TunnelArgs } from './cliArgs';
import { chooseEndpoint, describeAllEndpoints, isUsableEndpoint, USABLE_ENDPOINT_STATES, type EndpointDescriber } from './endpoints';
import type { TunnelTarget } from './tunnel';

/** The EC2 calls the command line makes; an EC2Client satisfies it. */
export interface CliEc2 extends EndpointDescriber {
  /** Sends DescribeInstances (one instance id). */
  send(command: DescribeInstancesCommand): Promise<DescribeInstancesCommandOutput>;
  send(command: Parameters<EndpointDescriber['send']>[0]): ReturnType<EndpointDescriber['send']>;
}

/** The EC2 Instance Connect call for --push-key; an EC2InstanceConnectClient satisfies it. */
export interface CliInstanceConnect {
  /** Sends SendSSHPublicKey: the key is accepted by the instance's sshd for 60 s. */
  send(command: SendSSHPublicKeyCommand): Promise<SendSSHPublicKeyCommandOutput>;
}

export interface AwsCallContext {
  region: string;
  profile?: string;
}

/** EC2 error names that mean "no such instance" (or a malformed id that slipped past parsing). */
const INSTANCE_MISSING = new Set(['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed']);

function errorName(error: unknown): string {
  const e = error as { name?: unknown; Code?: unknown };
  return typeof e?.Code === 'string' ? e.Code : typeof e?.name === 'string' ? e.name : '';
}

/**
 * Works out where the tunnel goes from the command line: with --instance-id it looks the
 * instance up (its VPC, subnet, private address) and picks the endpoint as the AWS CLI does;
 * with --private-ip-address it uses the given endpoint. A given DNS name skips the endpoint
 * lookup, exactly as `aws ec2-instance-connect open-tunnel` does.
 */
export async function resolveCliTarget(args: TunnelArgs, ec2: CliEc2, context: AwsCallContext): Promise<TunnelTarget & { availabilityZone?: string }> {
  let privateIpAddress = args.privateIpAddress;
  let placement: Awaited<ReturnType<typeof describeInstance>> | undefined;
  if (args.instanceId) {
    placement = await describeInstance(ec2, args.instanceId, context);
    privateIpAddress = placement.privateIp;
  }
  if (!privateIpAddress) throw new AppError('INTERNAL', 'No target address was resolved.');

  const base = {
    ...(args.instanceId ? { instanceId: args.instanceId } : {}),
    region: context.region,
    privateIpAddress,
    remotePort: args.remotePort,
    ...(args.maxTunnelDuration !== undefined ? { maxTunnelDuration: args.maxTunnelDuration } : {}),
    ...(placement?.availabilityZone ? { availabilityZone: placement.availabilityZone } : {}),
  };
  if (args.endpointId && args.endpointDnsName) {
    return { ...base, endpointId: args.endpointId, dnsName: args.endpointDnsName };
  }
  if (args.endpointId) {
    const found = await call(() => describeAllEndpoints(ec2, undefined, [args.endpointId!]), 'look up the EC2 Instance Connect Endpoint', context, 'EIC_NO_ENDPOINT');
    const endpoint = found[0];
    if (!endpoint) {
      throw new AppError('EIC_NO_ENDPOINT', `There is no EC2 Instance Connect Endpoint ${args.endpointId} in ${context.region}.`, {
        hint: 'Check the endpoint id and the Region (--region), or leave --instance-connect-endpoint-id out to use the instance\'s own endpoint.',
      });
    }
    if (!isUsableEndpoint(endpoint)) {
      throw new AppError('EIC_ENDPOINT_NOT_READY', `The EC2 Instance Connect Endpoint ${endpoint.id} is ${endpoint.state}, so it cannot open tunnels.${endpoint.stateMessage ? ` AWS says: "${endpoint.stateMessage}"` : ''}`, {
        hint: endpoint.state === 'create-in-progress' ? 'A new endpoint takes a few minutes to become ready: try again shortly.' : `Endpoints open tunnels in these states: ${USABLE_ENDPOINT_STATES.join(', ')}.`,
        retryable: endpoint.state === 'create-in-progress',
      });
    }
    return { ...base, endpointId: endpoint.id, dnsName: endpoint.dnsName, ...(endpoint.fipsDnsName ? { fipsDnsName: endpoint.fipsDnsName } : {}) };
  }
  if (!placement) throw new AppError('INTERNAL', 'An endpoint id is required without an instance.');
  const endpoints = await call(() => describeAllEndpoints(ec2, [{ Name: 'vpc-id', Values: [placement.vpcId] }]), 'list the EC2 Instance Connect Endpoints', context, 'EIC_NO_ENDPOINT');
  const endpoint = chooseEndpoint(placement, endpoints);
  return { ...base, endpointId: endpoint.id, dnsName: endpoint.dnsName, ...(endpoint.fipsDnsName ? { fipsDnsName: endpoint.fipsDnsName } : {}) };
}

async function describeInstance(ec2: CliEc2, instanceId: string, context: AwsCallContext): Promise<{ instanceId: string; vpcId: string; subnetId: string; privateIp: string; availabilityZone?: string }> {
  let output: DescribeInstancesCommandOutput;
  try {
    output = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  } catch (error) {
    if (INSTANCE_MISSING.has(errorName(error))) throw instanceNotFound(instanceId, context);
    throw mapAwsError(error, { action: `look up ${instanceId}`, ...context });
  }
  const instance = output.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
  if (!instance) throw instanceNotFound(instanceId, context);
  const state = instance.State?.Name ?? 'unknown';
  if (state !== 'running') {
    throw new AppError('EIC_TUNNEL_TARGET_UNREACHABLE', `${instanceId} is ${state}, and tunnels reach only running instances.`, {
      hint: state === 'stopped' || state === 'stopping' ? 'Start the instance, wait until it is running, then retry.' : state === 'pending' ? 'It is starting: retry in a minute.' : 'Pick a running instance.',
      retryable: state === 'pending',
    });
  }
  if (!instance.VpcId || !instance.SubnetId) {
    throw new AppError('EIC_NO_ENDPOINT', `${instanceId} is not in a VPC, so no EC2 Instance Connect Endpoint can reach it.`, { hint: 'EICE works only for instances in a VPC.' });
  }
  // Like the AWS CLI: an IPv6-only instance is reached on its IPv6 address.
  const privateIp = instance.PrivateIpAddress || instance.Ipv6Address;
  if (!privateIp) {
    throw new AppError('EIC_TUNNEL_TARGET_UNREACHABLE', `${instanceId} has no private IP address to connect to.`, { hint: 'Check the instance\'s network interfaces.' });
  }
  return {
    instanceId,
    vpcId: instance.VpcId,
    subnetId: instance.SubnetId,
    privateIp,
    ...(instance.Placement?.AvailabilityZone ? { availabilityZone: instance.Placement.AvailabilityZone } : {}),
  };
}

function instanceNotFound(instanceId: string, context: AwsCallContext): AppError {
  return new AppError('EIC_INSTANCE_NOT_FOUND', `There is no instance ${instanceId} in ${context.region}${context.profile ? ` for profile "${context.profile}"` : ''}.`, {
    hint: 'Check the instance id, the Region (--region) and the profile (--profile).',
  });
}

async function call<T>(fn: () => Promise<T>, action: string, context: AwsCallContext, notFoundCode: 'EIC_NO_ENDPOINT'): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const name = errorName(error);
    if (name === 'InvalidInstanceConnectEndpointId.NotFound' || name === 'InvalidInstanceConnectEndpointId.Malformed') {
      throw new AppError(notFoundCode, `The EC2 Instance Connect Endpoint does not exist in ${context.region}.`, { hint: 'Check the endpoint id and the Region (--region).', cause: error });
    }
    throw mapAwsError(error, { action, ...context });
  }
}

const PUBLIC_KEY_LINE = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/;

/** Reads an OpenSSH public key file (one line). Throws INVALID_INPUT with the reason. */
export async function readPublicKeyFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError('INVALID_INPUT', `Could not read the public key file ${path} (${code ?? 'unreadable'}).`, {
      hint: 'Pass the .pub file of your key pair, for example ~/.ssh/id_ed25519.pub.',
      cause: error,
    });
  }
  if (/PRIVATE KEY-----/.test(text)) {
    throw new AppError('INVALID_INPUT', `${path} is a private key; --push-key needs the public key.`, { hint: 'Pass the matching .pub file (for example ~/.ssh/id_ed25519.pub).' });
  }
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l && !l.startsWith('#'));
  if (!line || !PUBLIC_KEY_LINE.test(line)) {
    throw new AppError('INVALID_INPUT', `${path} does not hold an OpenSSH public key.`, {
      hint: 'EC2 Instance Connect takes an ED25519 or RSA public key line ("ssh-ed25519 AAAA…"); make one with ssh-keygen -t ed25519.',
    });
  }
  return line;
}

/** EC2 Instance Connect's own exceptions, explained; anything else goes through mapAwsError. */
const PUSH_ERRORS: Record<string, (c: { instanceId: string; osUser: string }) => { message: string; hint: string; retryable?: boolean }> = {
  EC2InstanceNotFoundException: (c) => ({ message: `EC2 Instance Connect cannot find ${c.instanceId}.`, hint: 'Check the instance id, the Region and the profile.' }),
  EC2InstanceStateInvalidException: (c) => ({ message: `${c.instanceId} is not running, so no key can be pushed to it.`, hint: 'Start the instance and retry.' }),
  EC2InstanceUnavailableException: (c) => ({ message: `${c.instanceId} cannot take a key right now.`, hint: 'Retry in a minute.', retryable: true }),
  InvalidArgsException: (c) => ({ message: `EC2 Instance Connect refused the key for "${c.osUser}" on ${c.instanceId}.`, hint: 'Check the OS user name (ec2-user, ubuntu, admin…) and that the key is an ED25519 or RSA public key.' }),
  SerialConsoleSessionLimitExceededException: () => ({ message: 'Too many sessions are open to this instance.', hint: 'Close one and retry.', retryable: true }),
  ServiceException: (c) => ({ message: `EC2 Instance Connect failed to push the key to ${c.instanceId}.`, hint: 'This is on the AWS side: retry in a moment.', retryable: true }),
};

/** Pushes a public key with SendSSHPublicKey. Fails with EIC_KEY_PUSH_FAILED or AWS_*. */
export async function pushPublicKey(eic: CliInstanceConnect, input: { instanceId: string; osUser: string; publicKey: string; availabilityZone?: string }, context: AwsCallContext): Promise<void> {
  let output: SendSSHPublicKeyCommandOutput;
  try {
    output = await eic.send(
      new SendSSHPublicKeyCommand({
        InstanceId: input.instanceId,
        InstanceOSUser: input.osUser,
        SSHPublicKey: input.publicKey,
        ...(input.availabilityZone ? { AvailabilityZone: input.availabilityZone } : {}),
      }),
    );
  } catch (error) {
    const explain = PUSH_ERRORS[errorName(error)];
    if (explain) {
      const { message, hint, retryable } = explain(input);
      const requestId = (error as { $metadata?: { requestId?: string } }).$metadata?.requestId;
      throw new AppError('EIC_KEY_PUSH_FAILED', message, { hint, cause: error, retryable: retryable ?? false, ...(requestId ? { requestId } : {}) });
    }
    throw mapAwsError(error, { action: `push the SSH key to ${input.instanceId}`, ...context });
  }
  if (output.Success === false) {
    throw new AppError('EIC_KEY_PUSH_FAILED', `EC2 Instance Connect did not accept the key for ${input.instanceId}.`, {
      hint: 'Retry; if it keeps failing, check the OS user and the instance.',
      retryable: true,
      ...(output.RequestId ? { requestId: output.RequestId } : {}),
    });
  }
}
