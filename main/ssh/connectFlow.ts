import type { ParsedKey } from 'ssh2';
import { AppError, type HostKeyChange, type HostKeySeen, type SessionStepId } from '../../preload/contract';
import type { Logger } from '../log';
import { algorithmsFor } from './algorithms';
import type { ConnectSteps } from './connectSteps';
import { createEphemeralKey, type EphemeralKey } from './ephemeralKey';
import { hostKeyIdentity, type HostKeyIdentity } from './hostKeyFingerprint';
import type { HostKeyVerdict, KnownHosts } from './knownHosts';
import type { ConnectRequest, EndpointChoice, KeyPusher, ResolvedTarget, SecretSource, SshTunnel, SshTunnels, TargetResolver } from './ports';
import { parsePrivateKey } from './privateKey';
import type { PromptBroker } from './promptBroker';
import { mapSshConnectError } from './sshErrors';
import { SshConnection, type AuthPrompts, type ConnectionAuth } from './sshConnection';

export interface ConnectFlowDeps {
  resolver: TargetResolver;
  tunnels: SshTunnels;
  keys: KeyPusher;
  secrets: SecretSource;
  knownHosts: KnownHosts;
  log: Logger;
  handshakeTimeoutMs?: number;
  keepaliveIntervalMs?: number;
}

export interface ConnectAttempt {
  request: ConnectRequest;
  steps: ConnectSteps;
  prompts: PromptBroker;
  signal: AbortSignal;
  /** A key pair's key unlocked earlier in this session: a reconnect does not ask again. */
  unlockedKey?: ParsedKey;
  /** Something the tab shows changed (a step started or ended). */
  changed(): void;
  /** The target is known: the tab can show its name. */
  resolved(target: ResolvedTarget, endpoint: EndpointChoice): void;
}

/** A logged-in SSH connection over its tunnel: what a session opens its shell on. */
export interface ConnectOutcome {
  target: ResolvedTarget;
  endpoint: EndpointChoice;
  tunnel: SshTunnel;
  connection: SshConnection;
  hostKey: HostKeySeen;
  /** The key pair's parsed key, for later reconnects of this session (never for EIC keys). */
  unlockedKey?: ParsedKey;
}

/** A connect attempt that stopped: on which step, why, and the fingerprints if the host key changed. */
export class ConnectFailure extends Error {
  constructor(
    readonly step: SessionStepId,
    readonly error: AppError,
    readonly hostKeyChange?: HostKeyChange,
  ) {
    super(error.message);
    this.name = 'ConnectFailure';
  }
}

/**
 * The connect flow: resolve the host and its endpoint; then, for EC2 Instance Connect, push a
 * fresh key and open the tunnel at the same time (they do not depend on each other, and the
 * key's 60 s only has to cover the start of the login); then SSH over the tunnel's stream.
 * Every step is timed for the tab. Whatever fails, nothing it opened stays open.
 */
export async function runConnectFlow(deps: ConnectFlowDeps, attempt: ConnectAttempt): Promise<ConnectOutcome> {
  const { steps, signal, changed } = attempt;
  let step: SessionStepId = 'resolve';
  const fail = (at: SessionStepId, error: unknown, change?: HostKeyChange): ConnectFailure => {
    const appError = toAppError(error, signal);
    steps.fail(at);
    // Whatever else was running was stopped because of this failure, and nothing else will run.
    steps.abandon();
    changed();
    return new ConnectFailure(at, appError, change);
  };

  // 1. Resolve the host, and the endpoint that reaches it.
  steps.start('resolve');
  changed();
  let target: ResolvedTarget;
  let endpoint: EndpointChoice;
  try {
    target = await abortable(deps.resolver.resolve(attempt.request, signal), signal);
    if (target.platform === 'windows') {
      throw new AppError('SSH_NOT_LINUX', `${target.name} is a Windows instance.`, {
        hint: 'Windows instances are reached over RDP: double-click it in Hosts to open your RDP client.',
      });
    }
    endpoint = await abortable(deps.tunnels.chooseEndpoint(target, signal), signal);
  } catch (error) {
    throw fail(step, error);
  }
  steps.done('resolve', `${target.instanceId} · ${target.privateIp}:${target.port}`);
  attempt.resolved(target, endpoint);
  changed();

  const owner = { label: `${target.osUser}@${target.name}`, ...(target.hostId ? { hostId: target.hostId } : {}) };
  let tunnel: SshTunnel | undefined;
  let auth: ConnectionAuth;
  let unlockedKey: ParsedKey | undefined;

  // 2. Key and tunnel.
  if (target.auth.method === 'eic') {
    let key: EphemeralKey;
    try {
      key = createEphemeralKey();
    } catch (error) {
      // Stops on the key step (not as an unexplained failure after Resolving), cause logged.
      throw fail('key', error);
    }
    auth = { kind: 'publickey', key: key.privateKey };
    const local = new AbortController();
    const stopLocal = (): void => local.abort(signal.reason);
    signal.addEventListener('abort', stopLocal, { once: true });
    let first: { step: SessionStepId; error: unknown } | undefined;
    const onFailure = (at: SessionStepId) => (error: unknown) => {
      first ??= { step: at, error };
      // The other half is useless now: stop it rather than wait for it.
      local.abort(error);
      throw error;
    };
    steps.start('tunnel');
    steps.start('key', `ed25519 key for ${target.osUser}`);
    changed();
    const opening = deps.tunnels
      .open(target, endpoint, owner, local.signal)
      .then((t) => {
        if (!local.signal.aborted) steps.done('tunnel', endpoint.label);
        changed();
        return t;
      }, onFailure('tunnel'));
    const pushing = deps.keys
      .push(target, key.publicKey, local.signal)
      .then(() => {
        if (!local.signal.aborted) steps.done('key', `ed25519 key for ${target.osUser}, valid 60 s`);
        changed();
      }, onFailure('key'));
    const [opened] = await Promise.allSettled([abortable(opening, local.signal), abortable(pushing, local.signal)]);
    signal.removeEventListener('abort', stopLocal);
    if (opened.status === 'fulfilled') tunnel = opened.value;
    else void opening.then((late) => late.stream.destroy(), () => undefined);
    if (first || signal.aborted) {
      tunnel?.stream.destroy();
      const failure = first ?? { step: 'tunnel' as const, error: signal.reason };
      throw fail(failure.step, failure.error);
    }
  } else {
    try {
      if (target.auth.method === 'keyPair') {
        // A key pair is read before the tunnel opens: a passphrase prompt must not hold an
        // idle tunnel (sshd's LoginGraceTime would close it under the person's typing).
        step = 'key';
        steps.label('key', 'Loading key');
        steps.start('key');
        changed();
        unlockedKey = attempt.unlockedKey ?? (await loadKeyPair(deps, target, attempt));
        auth = { kind: 'publickey', key: unlockedKey };
        steps.done('key', `${unlockedKey.type} key pair`);
      } else {
        steps.skip('key', 'Password login');
        const account = target.auth.savedPassword?.account;
        const savedPassword = account ? await deps.secrets.readPassword(account) : undefined;
        auth = { kind: 'interactive', ...(savedPassword !== undefined ? { savedPassword } : {}) };
      }
      step = 'tunnel';
      steps.start('tunnel');
      changed();
      tunnel = await abortable(deps.tunnels.open(target, endpoint, owner, signal), signal);
      steps.done('tunnel', endpoint.label);
      changed();
    } catch (error) {
      throw fail(step, error);
    }
  }
  // The flow only gets here with an open tunnel.
  const openTunnel = tunnel!;

  // 3. SSH: handshake, host key, login.
  steps.start('auth', target.osUser);
  changed();
  let presented: HostKeyIdentity | undefined;
  let verdict: HostKeyVerdict | undefined;
  let connection: SshConnection;
  try {
    const known = await deps.knownHosts.get(target.instanceId);
    connection = await SshConnection.connect({
      sock: openTunnel.stream,
      username: target.osUser,
      auth,
      algorithms: algorithmsFor(known?.algorithm),
      prompts: promptsFor(attempt.prompts, target),
      log: deps.log,
      signal,
      ...(deps.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: deps.handshakeTimeoutMs } : {}),
      ...(deps.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: deps.keepaliveIntervalMs } : {}),
      verifyHostKey: async (blob) => {
        presented = hostKeyIdentity(blob);
        verdict = await deps.knownHosts.check(target.instanceId, presented);
        return verdict.status !== 'changed';
      },
    });
  } catch (error) {
    openTunnel.stream.destroy();
    if (verdict?.status === 'changed' && presented) {
      const change: HostKeyChange = {
        instanceId: target.instanceId,
        knownAlgorithm: verdict.known.algorithm,
        knownFingerprint: verdict.known.fingerprint,
        knownFirstSeen: verdict.known.firstSeen,
        presentedAlgorithm: presented.algorithm,
        presentedFingerprint: presented.fingerprint,
      };
      throw fail(
        'auth',
        new AppError('SSH_HOST_KEY_CHANGED', `The host key of ${target.name} (${target.instanceId}) is not the one Bastionless saw before.`, {
          hint: 'If the instance was rebuilt or its SSH host keys were regenerated, compare the fingerprints and accept the new key. If not, someone may be intercepting the connection: do not connect.',
        }),
        change,
      );
    }
    const tunnelError = openTunnel.closeError();
    // A tunnel that died under the handshake explains it better than SSH can.
    throw fail('auth', tunnelError ?? mapSshConnectError(error, { hostLabel: target.name, osUser: target.osUser, authMethod: target.auth.method }));
  }

  let hostKey: HostKeySeen;
  try {
    const identity = presented!;
    if (verdict?.status === 'trusted') {
      hostKey = { ...identity, firstSeen: verdict.known.firstSeen, isNew: false };
    } else {
      const stored = await deps.knownHosts.trust(target.instanceId, identity);
      hostKey = { ...identity, firstSeen: stored.firstSeen, isNew: true };
    }
  } catch (error) {
    // Not remembering the key would make the next connection trust any key: stop here.
    connection.dispose();
    throw fail('auth', error);
  }
  steps.done('auth', `${target.osUser} · ${hostKey.algorithm} ${hostKey.fingerprint}`);
  changed();
  return { target, endpoint, tunnel: openTunnel, connection, hostKey, ...(unlockedKey ? { unlockedKey } : {}) };
}

async function loadKeyPair(deps: ConnectFlowDeps, target: ResolvedTarget, attempt: ConnectAttempt): Promise<ParsedKey> {
  if (target.auth.method !== 'keyPair') throw new Error('not a key pair');
  const ref = target.auth.key;
  const text = await deps.secrets.readPrivateKey(ref);
  const keyName = ref.source === 'file' ? ref.path : 'the key pair kept in your keychain';
  return parsePrivateKey(text, keyName, async (retryMessage) => {
    const [passphrase] = await attempt.prompts.ask({
      kind: 'passphrase',
      title: `Passphrase for ${keyName}`,
      fields: [{ label: 'Passphrase', echo: false }],
      ...(retryMessage ? { retryMessage } : {}),
    });
    return passphrase ?? '';
  });
}

function promptsFor(broker: PromptBroker, target: ResolvedTarget): AuthPrompts {
  return {
    password: async (username, attemptNo) => {
      const [password] = await broker.ask({
        kind: 'password',
        title: `Password for ${username}@${target.name}`,
        fields: [{ label: 'Password', echo: false }],
        ...(attemptNo > 1 ? { retryMessage: 'That password was not accepted. Try again.' } : {}),
      });
      return password ?? '';
    },
    keyboardInteractive: ({ name, instructions, prompts }) =>
      broker.ask({
        kind: 'keyboard-interactive',
        title: name.trim() || `${target.osUser}@${target.name} asks`,
        ...(instructions.trim() ? { instructions: instructions.trim() } : {}),
        fields: prompts.map((p) => ({ label: p.prompt.trim() || 'Answer', echo: p.echo })),
      }),
  };
}

/** Rejects as soon as `signal` aborts, without waiting for `promise`. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function toAppError(error: unknown, signal: AbortSignal): AppError {
  if (error instanceof AppError) return error;
  if (signal.aborted && signal.reason instanceof AppError) return signal.reason;
  return new AppError('INTERNAL', 'Something went wrong while connecting.', {
    hint: 'Retry. If it keeps happening, copy the details and report it; the log has more.',
    cause: error,
  });
}
