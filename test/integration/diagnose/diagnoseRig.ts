/**
 * The whole app (compose) pointed at a sandbox world and a private OS keychain, driven through
 * the contract's handlers as the window would: save a host, open an SSH session, diagnose it,
 * preview and apply fixes. Everything it starts is stopped by `stop()`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import type { Composition } from '../../../main/compose';
import type { RecordingDesktop } from '../../../main/desktop';
import type { MemorySink } from '../../../main/log';
import type { CheckId, CheckResult, DiagnoseTarget, DiagnosisReport, Host, SaveHostInput, SessionInfo } from '../../../preload/contract';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { startAppOnSandbox, type AppOnSandbox } from '../../support/appOnSandbox';
import { startKeyring, type KeyringSession } from '../../support/keyring';

const SCENARIOS = fileURLToPath(new URL('../../sandbox/scenarios/', import.meta.url));
/** The instance every diagnose-*.json scenario has. */
export const INSTANCE_ID = 'i-0d1a9e5e00000001';
export const REGION = 'us-east-1';
/** The environment's keys are the app's profile `env`. */
export const PROFILE_ID = 'env';
const ctx = { senderId: 'test' };

export interface DiagnoseRig {
  sandbox: Sandbox;
  app: Composition;
  desktop: RecordingDesktop;
  /** Every log line the app wrote (already redacted, as they would reach the log file). */
  sink: MemorySink;
  keyring: KeyringSession;
  home: string;
  saveHost(input?: Partial<SaveHostInput>): Promise<Host>;
  /** Opens an SSH session and resolves with its state once it is connected or has failed. */
  openSession(hostId: string): Promise<SessionInfo>;
  /** Reconnects a session (the wizard's Try again) and resolves once it is connected or has failed. */
  reconnect(sessionId: string): Promise<SessionInfo>;
  /** What most tests do first: save a host, open a session on it, and diagnose from that session. */
  diagnoseSession(host?: Partial<SaveHostInput>): Promise<{ host: Host; session: SessionInfo; report: DiagnosisReport }>;
  /** Runs a diagnosis and resolves with its report once every check has a verdict. */
  diagnose(target: DiagnoseTarget, from?: { sessionId?: string; rdpSessionId?: string }): Promise<DiagnosisReport>;
  /** Previews a fix and applies it with the preview's token; resolves with the report after the re-run. */
  applyFix(report: DiagnosisReport, fixId: string, keyPair?: Parameters<Composition['api']['diagnose']['previewFix']>[0]['keyPair']): Promise<DiagnosisReport>;
  stop(): Promise<void>;
}

/** The verdict of one check, failing the test clearly if it is missing. */
export function check(report: DiagnosisReport, id: CheckId): CheckResult {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`the report has no ${id} check`);
  return found;
}

/** The checks' statuses by id, for one readable assertion. */
export function statuses(report: DiagnosisReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}

/**
 * One private keychain for a whole test file: libsecret connects to the bus once per process, so
 * every rig of the file shares it (startDiagnoseRig starts it on first use).
 */
let sharedKeyring: Promise<KeyringSession> | undefined;
function fileKeyring(): Promise<KeyringSession> {
  sharedKeyring ??= startKeyring().then((k) => {
    process.env['DBUS_SESSION_BUS_ADDRESS'] = k.env.DBUS_SESSION_BUS_ADDRESS;
    return k;
  });
  return sharedKeyring;
}

/** Stops the file's keychain: call once in the file's afterAll, after every rig stopped. */
export async function stopKeyring(): Promise<void> {
  const k = sharedKeyring;
  sharedKeyring = undefined;
  await (await k)?.stop();
}

/**
 * Starts test/sandbox/scenarios/diagnose-<scenario>.json and the app on it. `env` replaces
 * variables of the app's environment (other credentials, a profile Region).
 */
export async function startDiagnoseRig(
  scenario: string,
  options: { env?: (sandbox: Sandbox) => Record<string, string | undefined> | Promise<Record<string, string | undefined>> } = {},
): Promise<DiagnoseRig> {
  const keyring = await fileKeyring();
  const sandbox = await startSandbox({ scenario: join(SCENARIOS, `diagnose-${scenario}.json`) });
  let extraEnv: Record<string, string | undefined>;
  try {
    extraEnv = (await options.env?.(sandbox)) ?? {};
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
  let started: AppOnSandbox;
  try {
    started = await startAppOnSandbox(sandbox, { env: extraEnv });
  } catch (error) {
    // Nothing this rig started may outlive it.
    await sandbox.stop();
    throw error;
  }
  const { app, until } = started;
  /** The first state of a session, from the `from`-th event on, that is connected or failed. */
  const settled = (sessionId: string, from = 0): Promise<SessionInfo> =>
    until(() =>
      started
        .emitted<SessionInfo>('sessions:stateChanged')
        .slice(from)
        .filter((s) => s.sessionId === sessionId)
        .find((s) => s.status === 'connected' || s.status === 'failed'),
    );
  const saveHost = async (input: Partial<SaveHostInput> = {}): Promise<Host> =>
    app.api.hosts.save({ label: 'diagnosed', profileId: PROFILE_ID, region: REGION, instanceId: INSTANCE_ID, ...input } as never, ctx) as Promise<Host>;
  const openSession = async (hostId: string): Promise<SessionInfo> => settled(((await app.api.sessions.open({ hostId }, ctx)) as SessionInfo).sessionId);
  const diagnose = async (target: DiagnoseTarget, from: { sessionId?: string; rdpSessionId?: string } = {}): Promise<DiagnosisReport> => {
    const first = (await app.api.diagnose.start({ target, ...from } as never, ctx)) as DiagnosisReport;
    return until(() => started.emitted<DiagnosisReport>('diagnose:changed').find((r) => r.runId === first.runId && r.state === 'done'));
  };
  const sb = sandbox;
  return {
    sandbox: sb,
    app,
    desktop: started.desktop,
    sink: started.sink,
    keyring,
    home: started.home,
    saveHost,
    openSession,
    reconnect: async (sessionId) => {
      const from = started.emitted('sessions:stateChanged').length;
      await app.api.sessions.reconnect({ sessionId }, ctx);
      return settled(sessionId, from);
    },
    diagnoseSession: async (input = {}) => {
      const host = await saveHost(input);
      const session = await openSession(host.id);
      return { host, session, report: await diagnose({ hostId: host.id }, { sessionId: session.sessionId }) };
    },
    diagnose,
    applyFix: async (report, fixId, keyPair) => {
      const preview = await app.api.diagnose.previewFix({ runId: report.runId, fixId, ...(keyPair ? { keyPair } : {}) }, ctx);
      return (await app.api.diagnose.applyFix({ runId: report.runId, fixId, confirmToken: preview.confirmToken, ...(keyPair ? { keyPair } : {}) }, ctx)) as DiagnosisReport;
    },
    stop: async () => {
      await started.dispose();
      await sb.stop();
    },
  };
}

/**
 * For a test file whose tests each start their own rig: returns the starter, and stops that
 * test's rig after it (and the file's keychain after the last).
 */
export function rigPerTest(): (scenario: string, options?: Parameters<typeof startDiagnoseRig>[1]) => Promise<DiagnoseRig> {
  let current: DiagnoseRig | undefined;
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  afterAll(() => stopKeyring());
  return async (scenario, options) => (current = await startDiagnoseRig(scenario, options));
}
