import type { Host, InventorySnapshot } from '../../preload/contract';
import type { FailureFacts } from './facts';

/**
 * What the troubleshooting wizard needs from the rest of the app, as small interfaces
 * (ARCHITECTURE principle 4): compose.ts adapts the AWS client factory, hosts, inventory,
 * keychain, sessions and tunnel manager to them; tests hand in fakes or the sandbox.
 */

/** Sends one AWS SDK command; an EC2Client, EC2InstanceConnectClient or STSClient is one. */
export interface AwsSender {
  /** Sends the command and resolves with its output; SDK errors propagate (the gatherer records them). */
  // The SDK's own overloads are generic per command; the gatherer casts each output to its type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  send(command: any): Promise<any>;
}

/** The clients of one profile in one Region. */
export interface DiagnoseClients {
  profileName: string;
  ec2: AwsSender;
  eic: AwsSender;
  sts: AwsSender;
  /** Resolves the profile's credentials (may prompt for MFA/SSO); only the expiry is kept. Fails with AWS_* codes. */
  credentials(): Promise<{ expiration?: Date }>;
}

export interface DiagnoseAws {
  /** The clients for a profile in a Region. Fails with AWS_PROFILE_NOT_FOUND / AWS_PROFILE_INVALID. */
  clientsFor(profileId: string, region: string): Promise<DiagnoseClients>;
  /** The Region configured for the profile (its `region`, or AWS_REGION), if any. */
  profileRegion(profileId: string): Promise<string | undefined>;
}

export interface DiagnoseApp {
  /** A saved host. Fails with NOT_FOUND. */
  host(hostId: string): Promise<Host>;
  /** The last discovery's instances: to find an instance in another Region and name discovered ones. */
  inventory(): Promise<InventorySnapshot>;
  /** Whether the keychain holds a secret under `account` (read and dropped at once). Fails with KEYCHAIN_*. */
  hasSecret(account: string): Promise<boolean>;
  /** Whether a file can be read, and why not. */
  readable(path: string): Promise<{ readable: boolean; problem?: string }>;
}

/** A connection being explained, as its tab shows it. */
export interface FailedConnection {
  target: { hostId: string } | { profileId: string; region: string; instanceId: string; osUser?: string; port?: number };
  /** Undefined while the connection has not failed (connecting, connected). */
  failure?: FailureFacts;
}

export interface FailureSource {
  /** The SSH session's target and failure; undefined when no such session is open. */
  ssh(sessionId: string): FailedConnection | undefined;
  /** The RDP session's target and failure; undefined when there is no such session. */
  rdp(sessionId: string): FailedConnection | undefined;
}

/** A tunnel opened for a probe: a byte stream with the reason it closed. */
export interface ProbeStream {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close' | 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  write(chunk: Buffer): unknown;
  destroy(): unknown;
  /** Resolves once the WebSocket is closed (after `destroy()`, when the close handshake is done). */
  readonly whenClosed: Promise<void>;
  /** Why the service closed it (EIC_TUNNEL_TARGET_UNREACHABLE...), once it has. */
  readonly closeError: { code: string; message: string; hint: string; requestId?: string | undefined } | undefined;
}

export interface ProbeTunnelRequest {
  profileId: string;
  region: string;
  instanceId: string;
  endpointId: string;
  dnsName: string;
  fipsDnsName?: string;
  privateIpAddress: string;
  port: number;
  maxTunnelDuration: number;
  /** For the Tunnels view while the probe runs. */
  label: string;
  hostId?: string;
}

export interface DiagnoseProbes {
  /**
   * Opens one tunnel through the app's TunnelManager (it counts against the endpoint's 20).
   * Fails with the tunnel's codes (EIC_TUNNEL_ACCESS_DENIED with AWS's words...).
   */
  openTunnel(request: ProbeTunnelRequest, signal: AbortSignal): Promise<ProbeStream>;
  /** This computer's public IPv4 address as AWS sees it. Fails with a network code. */
  publicIp(signal: AbortSignal): Promise<string>;
}
