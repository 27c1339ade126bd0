import { z } from 'zod';
import { event, invoke, send } from './define';
import { SerializedError } from './errors';

/** A session (one terminal tab) as main names it: `s-` and random letters. */
export const SessionId = z.string().regex(/^s-[a-z0-9]{6,32}$/, 'not a session id');
export type SessionId = z.infer<typeof SessionId>;

const InstanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'not an EC2 instance id (i-0123456789abcdef0)');
const Region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'not an AWS Region (us-east-1)');
/** Linux user names: what useradd accepts, and what SendSSHPublicKey takes as InstanceOSUser. */
const OsUser = z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}\$?$/i, 'not a valid OS user name');
const Port = z.number().int().min(1).max(65535);

/** The terminal's size in character cells: the PTY is opened with it and window-change follows it. */
export const TerminalSize = z.strictObject({
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(1).max(1000),
});
export type TerminalSize = z.infer<typeof TerminalSize>;

/**
 * What to connect to. A saved host (its OS user, port, auth method and auto-reconnect come from
 * the host), a discovered instance (the ephemeral EC2 Instance Connect key; OS user from the
 * instance facts unless given), or another tab's connection (`sameConnectionAs`: a second shell
 * over the same SSH connection, which uses none of the endpoint's 20 connections).
 */
export const OpenSessionInput = z.union([
  z.strictObject({ hostId: z.string().min(1).max(200), size: TerminalSize.optional() }),
  z.strictObject({
    instanceId: InstanceId,
    profileId: z.string().min(1).max(200),
    region: Region,
    osUser: OsUser.optional(),
    port: Port.optional(),
    size: TerminalSize.optional(),
  }),
  z.strictObject({ sameConnectionAs: SessionId, size: TerminalSize.optional() }),
]);
export type OpenSessionInput = z.input<typeof OpenSessionInput>;

export const SessionStepId = z.enum(['resolve', 'tunnel', 'key', 'auth', 'shell']);
export type SessionStepId = z.infer<typeof SessionStepId>;

/** One step of the connect flow, as the tab shows it while connecting or after a failure. */
export const SessionStep = z.object({
  id: SessionStepId,
  label: z.string(),
  status: z.enum(['pending', 'running', 'done', 'failed', 'skipped']),
  /** How long the step took; for a running step, how long it has run so far. */
  durationMs: z.number().nonnegative().optional(),
  /** A short fact about the step: the endpoint used, the key's fingerprint. */
  detail: z.string().optional(),
});
export type SessionStep = z.infer<typeof SessionStep>;

/**
 * `connecting`: the steps run (a prompt or nothing pending). `connected`: the shell is open.
 * `failed`: a step failed (`error`, `failedStep`); Retry runs the flow again. `disconnected`: a
 * live session dropped (`drop` says why); Reconnect runs the flow again. `closed`: gone for good.
 */
export const SessionStatus = z.enum(['connecting', 'connected', 'failed', 'disconnected', 'closed']);
export type SessionStatus = z.infer<typeof SessionStatus>;

/**
 * Why a live session ended: the endpoint's time limit, the network (or the tunnel) went away,
 * the instance closed the connection (a reboot, sshd restarted), or the shell exited.
 */
export const DropReason = z.enum(['expired', 'connection-lost', 'host-closed', 'exited']);
export type DropReason = z.infer<typeof DropReason>;

export const AuthMethod = z.enum(['eic', 'keyPair', 'password']);
export type AuthMethod = z.infer<typeof AuthMethod>;

/** What the session connects to, once resolved. Fields are missing until the host is resolved. */
export const SessionTarget = z.object({
  hostId: z.string().optional(),
  instanceId: z.string().optional(),
  profileId: z.string().optional(),
  region: z.string().optional(),
  /** The instance's Name tag or the saved host's label. */
  name: z.string().optional(),
  osUser: z.string().optional(),
  port: z.number().int().optional(),
  privateIp: z.string().optional(),
  endpointId: z.string().optional(),
  authMethod: AuthMethod.optional(),
});
export type SessionTarget = z.infer<typeof SessionTarget>;

/**
 * Something main needs the person to type to go on: a password, a key's passphrase, or the
 * server's keyboard-interactive questions. Answer with `sessions.answerPrompt`.
 */
export const SessionPrompt = z.object({
  promptId: z.string(),
  kind: z.enum(['password', 'passphrase', 'keyboard-interactive']),
  title: z.string(),
  instructions: z.string().optional(),
  fields: z.array(z.object({ label: z.string(), echo: z.boolean() })).max(10),
  /** Set when the previous answer was wrong: the form says so. */
  retryMessage: z.string().optional(),
});
export type SessionPrompt = z.infer<typeof SessionPrompt>;

/** The instance's host key as seen on this connection. */
export const HostKeySeen = z.object({
  algorithm: z.string(),
  /** OpenSSH style: `SHA256:` and unpadded base64. */
  fingerprint: z.string(),
  /** When Bastionless first trusted this key for this instance. */
  firstSeen: z.string(),
  /** True when this connection was the first: the key was trusted on first use. */
  isNew: z.boolean(),
});
export type HostKeySeen = z.infer<typeof HostKeySeen>;

/** The instance presented a key other than the one remembered for it (SSH_HOST_KEY_CHANGED). */
export const HostKeyChange = z.object({
  instanceId: z.string(),
  knownAlgorithm: z.string(),
  knownFingerprint: z.string(),
  knownFirstSeen: z.string(),
  presentedAlgorithm: z.string(),
  presentedFingerprint: z.string(),
});
export type HostKeyChange = z.infer<typeof HostKeyChange>;

/** Everything a tab shows about its session. Sent whole on every change (it is small). */
export const SessionInfo = z.object({
  sessionId: SessionId,
  title: z.string(),
  target: SessionTarget,
  status: SessionStatus,
  steps: z.array(SessionStep),
  /** The step that failed, with `error`. */
  failedStep: SessionStepId.optional(),
  /** Why it failed or dropped: message and hint, for the panel over the terminal. */
  error: SerializedError.optional(),
  hostKey: HostKeySeen.optional(),
  hostKeyChange: HostKeyChange.optional(),
  prompt: SessionPrompt.optional(),
  connectedAt: z.string().optional(),
  /** When the endpoint ends this connection (its 1-hour limit, or a lower IAM cap). */
  expiresAt: z.string().optional(),
  /** True from 5 minutes before `expiresAt`. */
  expiresSoon: z.boolean(),
  drop: z.object({ reason: DropReason, at: z.string(), exitCode: z.number().int().optional() }).optional(),
  /** The host's opt-in auto-reconnect, and the next attempt when one is scheduled. */
  autoReconnect: z.object({
    enabled: z.boolean(),
    attempt: z.number().int().optional(),
    nextAttemptAt: z.string().optional(),
    /** Set when auto-reconnect stopped trying (auth failures, too many attempts). */
    gaveUp: z.string().optional(),
  }),
  /** How many times this tab has connected (1 after the first success). */
  connections: z.number().int().nonnegative(),
  /** Other tabs that share this tab's SSH connection (and tunnel). */
  sharedConnection: z.boolean(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

const Sid = z.strictObject({ sessionId: SessionId });

export const sessions = {
  /**
   * Opens a terminal session: resolves the host, chooses its endpoint, pushes a fresh key and
   * opens the tunnel in parallel, then SSH and a PTY shell. Resolves at once with the session's
   * first state (status `connecting`); progress, prompts and the outcome arrive as
   * `onStateChanged`. Fails with INVALID_INPUT, NOT_FOUND (no such host or tab to share), or
   * SSH_NOT_LINUX (a Windows host: use RDP).
   */
  open: invoke(OpenSessionInput, SessionInfo),
  /** Closes the shell; the last tab of a connection also closes the SSH connection and its tunnel. Resolves with null; NOT_FOUND is not an error (already closed). */
  close: invoke(Sid, z.null()),
  /**
   * Runs the whole connect flow again (new key, new tunnel) for a failed or dropped session.
   * Resolves with its state (`connecting`). Fails with NOT_FOUND.
   */
  reconnect: invoke(Sid, SessionInfo),
  /**
   * Answers the pending prompt (`answers` in the order of its fields), or cancels it (`answers:
   * null`, which stops the connect flow with CANCELLED). Resolves with null. Fails with NOT_FOUND
   * when the prompt is no longer pending.
   */
  answerPrompt: invoke(
    z.strictObject({
      sessionId: SessionId,
      promptId: z.string().min(1).max(64),
      answers: z.array(z.string().max(8192)).max(10).nullable(),
    }),
    z.null(),
  ),
  /**
   * After SSH_HOST_KEY_CHANGED: `accept: true` remembers the presented key (whose fingerprint
   * must match) and reconnects; `accept: false` keeps refusing. Resolves with the session's state.
   * Fails with NOT_FOUND, or INVALID_INPUT when the fingerprint is not the one presented.
   */
  decideHostKey: invoke(
    z.strictObject({ sessionId: SessionId, fingerprint: z.string().min(8).max(128), accept: z.boolean() }),
    SessionInfo,
  ),
  /** Every open session, in the order they were opened: a reloaded window rebuilds its tabs. */
  list: invoke(z.strictObject({}), z.array(SessionInfo)),
  /**
   * Pastes the clipboard's text into the session (the renderer never reads the clipboard).
   * `bracketed`: the terminal is in bracketed-paste mode, so the text is wrapped and cannot run
   * commands by itself. Resolves with the number of bytes sent. Fails with NOT_FOUND.
   */
  paste: invoke(z.strictObject({ sessionId: SessionId, bracketed: z.boolean() }), z.object({ bytes: z.number().int() })),
  /**
   * An OpenSSH `Host` block for a saved host that reaches it through `bastionless-tunnel` as a
   * ProxyCommand, so `ssh`, `scp` and VS Code Remote-SSH work through the endpoint. `identityFile`
   * is the private key whose `.pub` the tunnel pushes (default `~/.ssh/id_ed25519`). Fails with
   * NOT_FOUND or SSH_NOT_LINUX.
   */
  sshConfig: invoke(
    z.strictObject({ hostId: z.string().min(1).max(200), identityFile: z.string().min(1).max(1024).optional() }),
    z.object({ alias: z.string(), text: z.string() }),
  ),
  /** Keystrokes and pasted text for the shell (UTF-8 text, or raw bytes from xterm's binary events). */
  write: send(z.strictObject({ sessionId: SessionId, data: z.union([z.string().max(1 << 20), z.instanceof(Uint8Array)]) })),
  /** The terminal's new size: sent to the instance as window-change. */
  resize: send(z.strictObject({ sessionId: SessionId, cols: TerminalSize.shape.cols, rows: TerminalSize.shape.rows })),
  /** The renderer has drawn `bytes` more of this session's output: main may send more (flow control). */
  ack: send(z.strictObject({ sessionId: SessionId, bytes: z.number().int().nonnegative().max(1 << 30) })),
  /** Terminal output, in order. Acknowledge each chunk with `ack` once xterm has written it. */
  data: event(z.object({ sessionId: SessionId, chunk: z.instanceof(Uint8Array) })),
  /** A session's state changed (steps, prompt, connected, dropped, closed). */
  stateChanged: event(SessionInfo),
};
