/**
 * What main/ssh needs from the rest of the app, as small interfaces (ARCHITECTURE principle 4).
 * compose.ts adapts the real inventory, hosts, tunnel and EC2 Instance Connect services to
 * them; tests hand in a plain TCP "tunnel" to a real sshd or small fakes.
 */
import type { Duplex } from 'node:stream';
import type { AppError } from '../../preload/contract';

/** What the person asked to connect to, before anything is looked up. */
export type ConnectRequest =
  | { kind: 'host'; hostId: string }
  | { kind: 'instance'; instanceId: string; profileId: string; region: string; osUser?: string; port?: number };

/** Where a key pair's private key lives. Never the key itself: it is read when needed. */
export type PrivateKeyRef = { source: 'keychain'; account: string } | { source: 'file'; path: string };

/** How to log in. `eic` (default): a fresh ed25519 key pushed with SendSSHPublicKey. */
export type SshAuth =
  | { method: 'eic' }
  | { method: 'keyPair'; key: PrivateKeyRef }
  /** Password or keyboard-interactive, answered by the person (or a password kept in the keychain). */
  | { method: 'password'; savedPassword?: { account: string } };

/** Everything the connect flow needs to know about the target, from cached instance facts. */
export interface ResolvedTarget {
  hostId?: string;
  instanceId: string;
  profileId: string;
  region: string;
  /** The saved host's label or the instance's Name tag: the tab's title. */
  name: string;
  osUser: string;
  port: number;
  privateIp: string;
  availabilityZone?: string;
  vpcId?: string;
  subnetId?: string;
  platform: 'linux' | 'windows';
  auth: SshAuth;
  /** The host's opt-in: reconnect by itself after a drop. */
  autoReconnect: boolean;
}

/** What "Copy SSH config" needs about a saved host: no AWS lookup, only what was saved. */
export type SavedHostFacts = Pick<ResolvedTarget, 'hostId' | 'instanceId' | 'profileId' | 'region' | 'name' | 'osUser' | 'port' | 'platform' | 'auth'>;

export interface TargetResolver {
  /**
   * Looks up a saved host or an instance (cached facts first, AWS when missing or stale). Fails
   * with NOT_FOUND, EIC_TUNNEL_TARGET_UNREACHABLE (not running, no private address), or the
   * AWS_* code of the lookup.
   */
  resolve(request: ConnectRequest, signal: AbortSignal): Promise<ResolvedTarget>;
  /** The saved host behind `hostId`, for "Copy SSH config". Fails with NOT_FOUND. */
  resolveHost(hostId: string): Promise<SavedHostFacts>;
}

/** The endpoint chosen for a target. */
export interface EndpointChoice {
  endpointId: string;
  /** What the tab shows: the endpoint id and where it is. */
  label: string;
  /** The endpoint's DNS names, which tunnels are opened to. */
  dnsName?: string;
  fipsDnsName?: string;
}

/** One open TCP connection to the instance through the endpoint. */
export interface SshTunnel {
  /** The raw bytes to and from the instance's SSH port; ssh2 runs over it (no local port). */
  readonly stream: Duplex;
  /** Epoch ms when the endpoint will end this connection (1-hour limit or the IAM cap), if known. */
  readonly expiresAt: number | undefined;
  /**
   * Why the tunnel closed, once it has: EIC_TUNNEL_EXPIRED when the time limit ended it,
   * EIC_TUNNEL_CLOSED / EIC_TUNNEL_* when the service or the network did. Undefined while it is
   * open or after we closed it.
   */
  closeError(): AppError | undefined;
}

export interface SshTunnels {
  /**
   * Picks the endpoint that reaches the target (its subnet's, else one in its VPC). Fails with
   * EIC_NO_ENDPOINT or EIC_ENDPOINT_NOT_READY.
   */
  chooseEndpoint(target: ResolvedTarget, signal: AbortSignal): Promise<EndpointChoice>;
  /**
   * Opens one connection to target.privateIp:target.port through the endpoint. Counts against
   * the endpoint's 20 connections: fails with EIC_CONNECTION_LIMIT (naming the endpoint and its
   * users) before opening the 21st, or with the EIC_TUNNEL_* / AWS_* code of the refusal.
   */
  open(target: ResolvedTarget, endpoint: EndpointChoice, owner: { label: string; hostId?: string }, signal: AbortSignal): Promise<SshTunnel>;
}

export interface KeyPusher {
  /**
   * Sends `publicKey` (an OpenSSH line) with EC2 Instance Connect's SendSSHPublicKey for
   * target.osUser; sshd accepts it for 60 s. Fails with EIC_KEY_PUSH_FAILED or AWS_*.
   */
  push(target: ResolvedTarget, publicKey: string, signal: AbortSignal): Promise<void>;
}

export interface SecretSource {
  /** The private key text of a key pair (OpenSSH or PEM). Fails with SSH_KEY_UNREADABLE or KEYCHAIN_*. */
  readPrivateKey(ref: PrivateKeyRef): Promise<string>;
  /** A password kept in the OS keychain, or undefined when there is none. Fails with KEYCHAIN_*. */
  readPassword(account: string): Promise<string | undefined>;
}

/** Time, so tests can move it by hand. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Timers of sessions must never keep a closing process alive.
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
