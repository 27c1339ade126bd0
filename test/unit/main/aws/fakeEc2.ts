import {
  DescribeImagesCommand,
  DescribeInstanceConnectEndpointsCommand,
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Ec2InstanceConnectEndpoint,
  type Image,
  type Instance,
} from '@aws-sdk/client-ec2';

/** A builder for DescribeInstances records with valid defaults. */
export function ec2Instance(overrides: Partial<Instance> & { name?: string } = {}): Instance {
  const { name = 'web-1', ...rest } = overrides;
  return {
    InstanceId: 'i-0123456789abcdef0',
    State: { Name: 'running', Code: 16 },
    InstanceType: 't3.micro',
    Architecture: 'x86_64',
    PlatformDetails: 'Linux/UNIX',
    PrivateIpAddress: '10.0.1.10',
    VpcId: 'vpc-0aaa',
    SubnetId: 'subnet-0aaa',
    Placement: { AvailabilityZone: 'eu-west-1a' },
    SecurityGroups: [{ GroupId: 'sg-0aaa', GroupName: 'web' }],
    KeyName: 'main-key',
    ImageId: 'ami-0al2023',
    LaunchTime: new Date('2024-06-01T10:00:00Z'),
    Tags: [{ Key: 'Name', Value: name }, { Key: 'env', Value: 'prod' }],
    ...rest,
  };
}

export function ec2Endpoint(overrides: Partial<Ec2InstanceConnectEndpoint> = {}): Ec2InstanceConnectEndpoint {
  return {
    InstanceConnectEndpointId: 'eice-0aaa',
    VpcId: 'vpc-0aaa',
    SubnetId: 'subnet-0aaa',
    State: 'create-complete',
    DnsName: 'eice-0aaa.abc.ec2-instance-connect-endpoint.eu-west-1.amazonaws.com',
    SecurityGroupIds: ['sg-0eice'],
    PreserveClientIp: false,
    AvailabilityZone: 'eu-west-1a',
    ...overrides,
  };
}

export const IMAGES: Image[] = [
  { ImageId: 'ami-0al2023', Name: 'al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64', CreationDate: '2024-12-12T00:00:00.000Z' },
  { ImageId: 'ami-0ubuntu', Name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240207.1', CreationDate: '2024-02-07T00:00:00.000Z' },
  { ImageId: 'ami-0oldal2', Name: 'amzn2-ami-hvm-2.0.20190313-x86_64-gp2', CreationDate: '2019-03-13T00:00:00.000Z' },
  { ImageId: 'ami-0win', Name: 'Windows_Server-2022-English-Full-Base-2024.06.12', PlatformDetails: 'Windows' },
];

export interface RegionWorld {
  instances?: Instance[];
  endpoints?: Ec2InstanceConnectEndpoint[];
  /** Every call in this Region fails with this error. */
  fail?: Error;
  /** Instances per DescribeInstances page (to exercise NextToken). */
  pageSize?: number;
  /** The Region's opt-in status (default opt-in-not-required); not-opted-in Regions are listed only with AllRegions. */
  optIn?: 'opt-in-not-required' | 'opted-in' | 'not-opted-in';
}

/** An AWS-shaped error, as the SDK throws them. */
export function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status, requestId: `req-${name}` } });
}

/**
 * A hand-written stand-in for EC2Client.send over a small world of Regions. It answers the four
 * calls discovery makes and records each call's Region and name.
 */
export class FakeEc2 {
  readonly calls: string[] = [];
  constructor(
    readonly region: string,
    private readonly world: Record<string, RegionWorld>,
    private readonly regionsError?: Error,
  ) {}

  asClient(): EC2Client {
    return this as unknown as EC2Client;
  }

  async send(command: unknown): Promise<unknown> {
    const here = this.world[this.region] ?? {};
    const name = (command as object).constructor.name;
    this.calls.push(`${this.region}:${name}`);
    if (command instanceof DescribeRegionsCommand) {
      if (this.regionsError) throw this.regionsError;
      const all = command.input.AllRegions === true;
      return {
        Regions: Object.entries(this.world)
          .filter(([, w]) => all || w.optIn !== 'not-opted-in')
          .map(([r, w]) => ({ RegionName: r, OptInStatus: w.optIn ?? 'opt-in-not-required' })),
      };
    }
    if (here.fail) throw here.fail;
    if (command instanceof DescribeInstancesCommand) {
      const ids = command.input.InstanceIds;
      const all = (here.instances ?? []).filter((i) => !ids || ids.includes(i.InstanceId ?? ''));
      const size = here.pageSize ?? 1000;
      const start = Number(command.input.NextToken ?? '0');
      const page = all.slice(start, start + size);
      return { Reservations: page.map((i) => ({ Instances: [i] })), ...(start + size < all.length ? { NextToken: String(start + size) } : {}) };
    }
    if (command instanceof DescribeImagesCommand) {
      const ids = command.input.ImageIds ?? [];
      return { Images: IMAGES.filter((i) => ids.includes(i.ImageId ?? '')) };
    }
    if (command instanceof DescribeVpcsCommand) {
      const ids = command.input.VpcIds ?? [];
      return { Vpcs: ids.map((id) => ({ VpcId: id, Tags: [{ Key: 'Name', Value: `${id}-name` }] })) };
    }
    if (command instanceof DescribeInstanceConnectEndpointsCommand) {
      const vpc = command.input.Filters?.find((f) => f.Name === 'vpc-id')?.Values;
      return { InstanceConnectEndpoints: (here.endpoints ?? []).filter((e) => !vpc || vpc.includes(e.VpcId ?? '')) };
    }
    throw new Error(`FakeEc2 does not answer ${name}`);
  }
}
