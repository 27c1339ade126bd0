import type { AppError } from '../../../preload/contract';

/** An RDP client found on this computer. */
export interface RdpClientInfo {
  id: 'mstsc' | 'windows-app' | 'xfreerdp' | 'remmina';
  /** What the person knows it as. */
  name: string;
  /** The executable (or .app bundle on macOS). */
  path: string;
  /** Whether Bastionless can hand it the password (mstsc through cmdkey, xfreerdp on stdin). */
  acceptsPassword: boolean;
}

export interface LaunchRequest {
  /** The local listener's address and port (127.0.0.1:N). */
  address: string;
  port: number;
  username: string;
  /** Undefined when the person signs in by themselves. */
  password?: string;
  /** The host's label: window title and .rdp file name. */
  label: string;
}

export interface ClientExit {
  code: number | null;
  signal: string | null;
  /** Set when the exit means the client did not get in (or crashed), with what to do. */
  error?: AppError;
}

export interface LaunchedClient {
  readonly client: RdpClientInfo;
  /** True when the client received the password; otherwise the person pastes it (Copy password). */
  readonly passwordDelivered: boolean;
  /** The client only checks the sign-in and exits (test/diagnostic mode). */
  readonly authOnly: boolean;
  /**
   * Resolves when the client program ends; never rejects. Undefined when the program hands
   * the connection to an app that lives on its own (macOS `open`, a running Remmina).
   */
  readonly exited: Promise<ClientExit> | undefined;
  /** Ends the client if it still runs and removes its temporary files and staged credentials. Idempotent. */
  dispose(): Promise<void>;
}

/** Launches the system's RDP client on one OS. */
export interface RdpLauncher {
  /** The client Launch RDP would use, or undefined when none is installed. */
  detect(): Promise<RdpClientInfo | undefined>;
  /** Starts the client against the local listener. Fails with RDP_CLIENT_MISSING or RDP_LAUNCH_FAILED. */
  launch(request: LaunchRequest): Promise<LaunchedClient>;
  /** What to install when detect() finds nothing, in one or two sentences. */
  readonly installHint: string;
  /** Cleans what a launch staged (files, credentials) and leaves running clients alone. */
  dispose(): Promise<void>;
}
