/**
 * What main/rdp needs from the rest of the app, as small interfaces (ARCHITECTURE principle
 * 4). compose.ts adapts the real inventory, hosts, keychain, EC2 client and tunnel manager to
 * them; tests hand in a plain TCP "tunnel" to a real RDP server, or small fakes.
 */
import type { AppError } from '../../preload/contract/errors';
import type { RdpInstanceRef } from '../../preload/contract/rdp';

export type { RdpInstanceRef };

/** What the person asked to connect to. */
export type RdpTargetRef = { hostId: string } | { instance: RdpInstanceRef };

/** Where a saved host's key pair private key lives: never the key itself. */
export type KeyPairRef = { source: 'keychain'; account: string } | { source: 'file'; path: string };

/** What the RDP flow needs to know about the instance behind a host. */
export interface WindowsHostFacts extends RdpInstanceRef {
  hostId?: string;
  /** The saved host's label, or the instance's Name tag, or its id. */
  label: string;
  platform: 'windows' | 'linux' | 'unknown';
  /** EC2 state name ('running', 'stopped', ...), when known. */
  state?: string;
  /** The key pair the instance was launched with; undefined when it had none. */
  keyName?: string;
  launchTime?: Date;
  /** The saved host's own key pair setting, when the person configured one. */
  keyPair?: KeyPairRef;
  /** The saved host's Windows user, when set. */
  username?: string;
  /** The saved host's RDP port on the instance, when not 3389. */
  port?: number;
}

export interface RdpHostResolver {
  /** Looks up a saved host or an instance. Fails with NOT_FOUND, or the AWS_* code of the lookup. */
  resolve(target: RdpTargetRef): Promise<WindowsHostFacts>;
}

export interface WindowsPasswordSource {
  /**
   * EC2 GetPasswordData: the base64 ciphertext, or '' while Windows has not published it.
   * Fails with the AWS_* code of the call.
   */
  getPasswordData(ref: RdpInstanceRef): Promise<string>;
  /**
   * EC2 DescribeKeyPairs for one key pair: its type ('rsa', 'ed25519'), or undefined when the
   * key pair no longer exists or the lookup is not allowed (the decryption then tells).
   */
  keyPairType(ref: { profileId: string; region: string; keyName: string }): Promise<string | undefined>;
}

/** The OS keychain, as far as RDP uses it: key pair private keys it was allowed to remember. */
export interface SecretStore {
  /** The secret, or undefined when none is stored. Fails with KEYCHAIN_UNAVAILABLE / KEYCHAIN_DENIED. */
  get(account: string): Promise<string | undefined>;
  /** Stores or replaces a secret. Fails with KEYCHAIN_UNAVAILABLE / KEYCHAIN_DENIED. */
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<void>;
}

/** Reads a private key file the person configured on a saved host. */
export interface KeyFileReader {
  /** The file's text. Fails with RDP_KEY_MISSING (gone) or RDP_KEY_INVALID (unreadable, too large). */
  read(path: string): Promise<string>;
}

/** A 127.0.0.1 listener that opens one tunnel to the instance's port 3389 per accepted connection. */
export interface RdpListener {
  /** The Tunnels view's id for it. */
  readonly tunnelId: string;
  readonly address: string;
  readonly port: number;
  /** Client connections going through it right now. */
  activeConnections(): number;
  /**
   * The last tunnel failure behind a client connection (the endpoint refused, the security
   * group blocks 3389, the tunnel expired): the client only sees a dropped connection.
   */
  lastError(): AppError | undefined;
  /** Called whenever a client connection opens or closes, with the new count. */
  onConnectionsChanged(listener: (active: number) => void): () => void;
  /** Called once when the listener closes for any reason (stopped from the Tunnels view, endpoint gone). */
  onClosed(listener: (reason: 'stopped' | 'error', error?: Error) => void): () => void;
  /** Stops listening and ends every connection. Idempotent. */
  close(): Promise<void>;
}

export interface RdpTunnelOpener {
  /**
   * Chooses the instance's endpoint and starts a local listener for port 3389. Fails with
   * EIC_NO_ENDPOINT, EIC_ENDPOINT_NOT_READY, EIC_CONNECTION_LIMIT, AWS_*.
   */
  open(host: WindowsHostFacts, options: { label: string; maxConnections: number }): Promise<RdpListener>;
}

/** The keychain account under which RDP remembers a key pair's private key. */
export function keyPairAccount(profileId: string, region: string, keyName: string): string {
  return `keypair:${profileId}:${region}:${keyName}`;
}
