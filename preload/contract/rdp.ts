import { z } from 'zod';
import { event, invoke } from './define';
import { SerializedError } from './errors';

const Id = z.string().min(1).max(200);
/** A Windows user name: printable, no line breaks (it goes into a .rdp file). */
const UserName = z
  .string()
  .min(1)
  .max(104)
  .regex(/^[^\p{Cc}"/\\[\]:;|=,+*?<>]+$/u, 'a Windows user name has no control characters and none of " / \\ [ ] : ; | = , + * ? < >');

export const RdpInstanceRef = z.strictObject({ profileId: Id, region: Id, instanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/) });
export type RdpInstanceRef = z.infer<typeof RdpInstanceRef>;

export const RdpLaunchInput = z
  .strictObject({
    /** A saved host. */
    hostId: Id.optional(),
    /** Or a discovered instance. */
    instance: RdpInstanceRef.optional(),
    /** The Windows account; Administrator by default (the one GetPasswordData is for). */
    username: UserName.optional(),
    /** Open the tunnel and the client without retrieving the Administrator password (the person signs in with their own). */
    withoutPassword: z.boolean().optional(),
  })
  .refine((v) => (v.hostId === undefined) !== (v.instance === undefined), { message: 'give exactly one of hostId and instance' });
export type RdpLaunchInput = z.infer<typeof RdpLaunchInput>;

export const RdpStepId = z.enum(['password', 'tunnel', 'client', 'connected']);
export type RdpStepId = z.infer<typeof RdpStepId>;

export const RdpStep = z.object({
  id: RdpStepId,
  /** Retrieving password, Opening tunnel, Launching client, Connected. */
  label: z.string(),
  status: z.enum(['pending', 'active', 'done', 'failed', 'skipped']),
  /** How long the step took (or has taken so far), in milliseconds. */
  durationMs: z.number().nonnegative().optional(),
  /** A short note: "xfreerdp", "127.0.0.1:49152", "waiting for your key". */
  detail: z.string().optional(),
});
export type RdpStep = z.infer<typeof RdpStep>;

export const RdpSessionState = z.enum([
  /** Retrieving the password, opening the tunnel, launching the client. */
  'starting',
  /** Waiting for the person to pick the key pair's private key (or its passphrase). */
  'needsKey',
  /** Tunnel open, no client connected right now. */
  'ready',
  /** At least one client connection is going through the tunnel. */
  'connected',
  'closed',
  'failed',
]);
export type RdpSessionState = z.infer<typeof RdpSessionState>;

export const RdpKeyPrompt = z.object({
  /** The key pair the instance was launched with. */
  keyName: z.string(),
  /** missing: pick the file; passphrase: the picked key is encrypted. */
  need: z.enum(['key', 'passphrase']),
  /** Why the last key was not accepted (wrong passphrase, not the instance's key, not RSA). */
  problem: SerializedError.optional(),
});
export type RdpKeyPrompt = z.infer<typeof RdpKeyPrompt>;

export const RdpClientStatus = z.object({
  /** The program: "Remote Desktop Connection (mstsc)", "Windows App", "xfreerdp", "Remmina". */
  name: z.string(),
  /** True when the client was handed the password; false when the person pastes it (Copy password). */
  passwordDelivered: z.boolean(),
  state: z.enum(['running', 'exited']),
  exitCode: z.number().int().optional(),
  /** Test/diagnostic mode (BASTIONLESS_RDP_AUTH_ONLY=1): the client only checked the sign-in and exited. */
  authOnly: z.boolean(),
  /** Set in auth-only mode once the client exits: whether the sign-in was accepted. */
  authenticated: z.boolean().optional(),
});
export type RdpClientStatus = z.infer<typeof RdpClientStatus>;

export const RdpSession = z.object({
  sessionId: z.string(),
  label: z.string(),
  hostId: z.string().optional(),
  instanceId: z.string(),
  profileId: z.string(),
  region: z.string(),
  username: z.string(),
  state: RdpSessionState,
  steps: z.array(RdpStep),
  /** Where any RDP client can connect while the tunnel is open. */
  local: z.object({ address: z.string(), port: z.number().int() }).optional(),
  /** The password was retrieved and can be copied (it is never sent to the window). */
  hasPassword: z.boolean(),
  keyPrompt: RdpKeyPrompt.optional(),
  client: RdpClientStatus.optional(),
  /** Client connections going through the tunnel right now. */
  connections: z.number().int().nonnegative(),
  /** When the tunnel closes if no client connects (it closes after the client has been gone a while). */
  idleClosesAt: z.string().optional(),
  /** What stopped it, or what went wrong: the session keeps it until dismissed. */
  error: SerializedError.optional(),
  /** Something worth knowing that did not stop the launch (the key could not be remembered). */
  notice: z.string().optional(),
  /** Why it closed: the person stopped it, the client was gone too long, the tunnel ended. */
  closedReason: z.enum(['stopped', 'idle', 'tunnelClosed', 'shutdown']).optional(),
  startedAt: z.string(),
});
export type RdpSession = z.infer<typeof RdpSession>;

export const RdpClientAvailability = z.object({
  platform: z.enum(['darwin', 'win32', 'linux', 'other']),
  /** The client Launch RDP will use; absent when none is installed. */
  client: z.object({ name: z.string(), path: z.string(), acceptsPassword: z.boolean() }).optional(),
  /** What to install when no client was found. */
  installHint: z.string(),
});
export type RdpClientAvailability = z.infer<typeof RdpClientAvailability>;

const SessionInput = z.strictObject({ sessionId: Id });

export const rdp = {
  /**
   * Starts an RDP session to a Windows host: retrieves and decrypts the Administrator
   * password, opens a local listener tunnel to port 3389, launches the system's RDP client.
   * Resolves at once with the session in `starting`; progress arrives as `sessionChanged`
   * events; every failure (NOT_FOUND, AWS_*, RDP_*, EIC_*) lands in the session's `error`,
   * never lost. Launching a host that already has an open session returns that session (and
   * starts its client again if it is gone). Fails only with INVALID_INPUT, or CANCELLED while
   * the app shuts down.
   */
  launch: invoke(RdpLaunchInput, RdpSession),
  /**
   * Answers a session waiting in `needsKey`: the key pair's private key (PEM PKCS#1/PKCS#8,
   * OpenSSH or PuTTY format, read by the window from a file the person picked) and/or its
   * passphrase. `remember` keeps the key in the OS keychain for this key pair. Resolves with
   * the session (back in `starting`, or still `needsKey` with `keyPrompt.problem` set:
   * RDP_KEY_INVALID, RDP_KEY_UNSUITABLE, RDP_KEY_PASSPHRASE_NEEDED, RDP_DECRYPT_FAILED).
   * Fails with INVALID_INPUT, NOT_FOUND (no such session), RDP_KEY_MISSING (not waiting for a key).
   */
  provideKey: invoke(
    z.strictObject({
      sessionId: Id,
      privateKey: z.string().max(64 * 1024).optional(),
      passphrase: z.string().max(1024).optional(),
      remember: z.boolean(),
    }),
    RdpSession,
  ),
  /**
   * Copies the session's password to the clipboard and clears it after `clearsAfterMs`
   * unless the clipboard has changed since. Resolves with `{clearsAfterMs}`. Fails with
   * NOT_FOUND, RDP_PASSWORD_NOT_READY (no password in this session).
   */
  copyPassword: invoke(SessionInput, z.object({ clearsAfterMs: z.number().int().positive() })),
  /**
   * Launches the RDP client again on the open tunnel (after it was closed, or for a second
   * window). Resolves with the session. Fails with NOT_FOUND, RDP_CLIENT_MISSING,
   * RDP_LAUNCH_FAILED, EIC_TUNNEL_CLOSED (the session is over).
   */
  openClient: invoke(SessionInput, RdpSession),
  /** Closes the session's tunnel and client. Resolves with the session (now `closed`). Fails with NOT_FOUND. */
  stop: invoke(SessionInput, RdpSession),
  /** Forgets a closed or failed session (stopping it first if it is still open). Resolves with null. */
  dismiss: invoke(SessionInput, z.null()),
  /** Resolves with every session still shown (open, or closed and not dismissed). */
  list: invoke(z.strictObject({}), z.array(RdpSession)),
  /** Resolves with the RDP client Launch RDP would use on this computer, or what to install. */
  clients: invoke(z.strictObject({}), RdpClientAvailability),
  /** A session changed: a step started or finished, the client connected or left, it closed. */
  sessionChanged: event(RdpSession),
  /** A session was dismissed. */
  sessionRemoved: event(z.object({ sessionId: z.string() })),
};
