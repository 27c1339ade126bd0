import type { Image, Instance as Ec2Instance, KeyPairInfo, NetworkAcl, SecurityGroup, Subnet, Vpc } from '@aws-sdk/client-ec2';
import type { ErrorCode, HostAuth, KeyRef } from '../../preload/contract';
import type { EndpointFacts } from '../eice/endpoints';

/**
 * Everything the checks look at, gathered in one pass (gatherFacts.ts). Each AWS call's answer
 * is kept as a `Fact`: its value, or why it failed, so that one denied call never hides the
 * others and the checks can say "could not read X: permission denied" themselves. The SDK's own
 * shapes are kept as they are (the network analysis in main/network works on them).
 */
export type Fact<T> = { ok: true; value: T } | { ok: false; error: FactError };

/** Why a call failed, without anything secret: the app code and sentence, AWS's own error name. */
export interface FactError {
  code: ErrorCode;
  message: string;
  hint: string;
  /** The SDK exception name or AWS error code (`UnauthorizedOperation`, `ExpiredToken`). */
  awsCode?: string;
  requestId?: string;
  /** The IAM action the call needed (`ec2:DescribeInstances`). */
  action: string;
}

export const ok = <T>(value: T): Fact<T> => ({ ok: true, value });
export const failed = <T>(error: FactError): Fact<T> => ({ ok: false, error });
/** The value of a fact that was read, else undefined. */
export const valueOf = <T>(fact: Fact<T> | undefined): T | undefined => (fact?.ok ? fact.value : undefined);

/** What is being diagnosed and how the app is set to connect to it. */
export interface SubjectFacts {
  hostId?: string;
  /** The saved host's label, or the instance's Name tag, or its id. */
  label: string;
  profileId: string;
  profileName: string;
  /** The Region the host (or the discovered instance) says it is in. */
  region: string;
  instanceId: string;
  /** From the saved host or the discovered instance; undefined until known. */
  platform?: 'linux' | 'windows';
  /** The OS user the app signs in as: the saved host's, the session's, or undefined (the AMI default is used). */
  osUser?: string;
  port: number;
  /** How the saved host signs in (`eic` for a discovered instance). */
  auth: HostAuth;
  /** Windows: where the saved host keeps the launch key pair's private key. */
  windowsKey?: KeyRef;
}

export interface CredentialFacts {
  /** When the credentials stop working (temporary credentials only). */
  expiration?: Date;
}

export interface IdentityFacts {
  arn: string;
  account: string;
  userId: string;
}

/** The instance's two EC2 status checks and its state as DescribeInstanceStatus has them. */
export interface StatusFacts {
  system: string;
  instance: string;
  /** Scheduled events (a retirement, a reboot), in plain text. */
  events: string[];
}

/** Where the instance was found when it is not in the host's Region. */
export interface ElsewhereFacts {
  region: string;
  /** How it was found: the last discovery, or a lookup in the profile's own Region. */
  via: 'inventory' | 'lookup';
}

/** What Bastionless itself holds for signing in with a key pair. Secrets are read to check, never kept here. */
export interface AppKeyFacts {
  /** The launch key pair's private key is in the keychain under the key pair's account (RDP/diagnose). */
  keychainHasKeyPair: boolean;
  /** The saved host's own key (auth keyPair / windowsKey): where, and whether it can be read now. */
  hostKey?: { store: 'keychain' | 'file'; path?: string; readable: boolean; problem?: string };
  /** Reading the keychain failed (no keychain, denied): the answer above is then unknown. */
  keychainError?: FactError;
}

/** A failed connection being explained: what the SSH tab or RDP panel showed. */
export interface FailureFacts {
  source: 'ssh' | 'rdp';
  code: ErrorCode;
  message: string;
  hint: string;
  /** The step it stopped on (`tunnel`, `key`, `auth`; RDP `password`, `tunnel`). */
  step?: string;
  requestId?: string;
  at: string;
  authMethod?: 'eic' | 'keyPair' | 'password';
  osUser?: string;
  /**
   * How old the pushed key was when SSH authentication ended (ms): past 60 s, the instance no
   * longer accepts it. Known only for EC2 Instance Connect sign-ins.
   */
  keyAgeAtAuthMs?: number;
}

/** What a short test tunnel to the instance's port found just now. */
export interface TunnelProbe {
  endpointId: string;
  port: number;
  /** The duration the tunnel asked for (seconds). */
  maxTunnelDuration: number;
  /**
   * `reached`: the service behind the port answered (an SSH banner, an RDP confirm). `open`: the
   * tunnel opened and stayed open but nothing answered in time. `failed`: refused or closed.
   */
  outcome: 'reached' | 'open' | 'failed';
  /** The first line the server sent (`SSH-2.0-OpenSSH_9.6`), when it was text. */
  banner?: string;
  error?: FactError;
  /**
   * When OpenTunnel was denied for the app's duration and a shorter one was tried: the longest
   * that was allowed (undefined when none was).
   */
  allowedDuration?: number;
  /** The durations that were tried, longest first, when the first was denied. */
  triedDurations?: number[];
  /** What the tunnel of `allowedDuration` found. */
  shorter?: { outcome: 'reached' | 'open' | 'failed'; banner?: string };
}

/** What a throw-away SendSSHPublicKey for the OS user found just now. */
export interface KeyPushProbe {
  osUser: string;
}

export interface ProbeFacts {
  tunnel?: Fact<TunnelProbe>;
  keyPush?: Fact<KeyPushProbe>;
  /** This computer's public IPv4 address as the internet sees it (PreserveClientIp checks). */
  publicIp?: Fact<string>;
}

export interface DiagnosisFacts {
  gatheredAt: Date;
  subject: SubjectFacts;
  /** The Region configured for the profile (its default), if any. */
  profileRegion?: string;
  credentials: Fact<CredentialFacts>;
  identity?: Fact<IdentityFacts>;
  /** null: no such instance in the Region. */
  instance?: Fact<Ec2Instance | null>;
  elsewhere?: ElsewhereFacts;
  status?: Fact<StatusFacts | null>;
  /** null: the AMI is not visible (deregistered, or private to another account). */
  image?: Fact<Image | null>;
  /** The launch key pair (DescribeKeyPairs); null: EC2 no longer has it. Undefined: no key pair at launch. */
  keyPair?: Fact<KeyPairInfo | null>;
  /** The endpoints of the instance's VPC. */
  endpoints?: Fact<EndpointFacts[]>;
  /** The instance's groups and the endpoint's groups. */
  securityGroups?: Fact<SecurityGroup[]>;
  /** The instance's and the endpoint's subnets. */
  subnets?: Fact<Subnet[]>;
  /** The network ACLs of those subnets (and the VPC's default). */
  networkAcls?: Fact<NetworkAcl[]>;
  vpc?: Fact<Vpc | null>;
  appKeys?: AppKeyFacts;
  failure?: FailureFacts;
  probes: ProbeFacts;
}
