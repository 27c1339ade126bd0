import { z } from 'zod';
import { event, invoke } from './define';
import { HostId } from './hosts';
import { InstanceIdSchema } from './inventory';
import { ProfileId, RegionName } from './profiles';

/** One troubleshooting run: `d-` and random letters. */
export const DiagnosisId = z.string().regex(/^d-[a-z0-9]{6,32}$/, 'not a diagnosis id');
export type DiagnosisId = z.infer<typeof DiagnosisId>;

/** The ten checks, in the order a person would fix things. */
export const CheckId = z.enum(['credentials', 'permissions', 'instance', 'endpoint', 'securityGroups', 'networkAcls', 'os', 'keyPair', 'osUser', 'failure']);
export type CheckId = z.infer<typeof CheckId>;

/**
 * `pending`: its facts are still being gathered. `pass`: nothing wrong here. `fail`: this stops
 * the connection. `warn`: worth knowing, may stop it. `skip`: does not apply, or cannot be
 * judged (the facts it needs could not be read: the explanation says which).
 */
export const CheckStatus = z.enum(['pending', 'pass', 'fail', 'warn', 'skip']);
export type CheckStatus = z.infer<typeof CheckStatus>;

/**
 * What a fix does. Main-side actions (they change something, so they are previewed and then
 * confirmed): `authorizeIngress` / `authorizeEgress` (a security-group rule), `createKeyPair`,
 * `startInstance`, `updateHost` (the saved host's OS user or Region), `useKeyPair` (sign in to
 * the saved host with a key pair's private key Bastionless already has). Window-side:
 * `copy` (a policy or commands to the clipboard, through main), `openEndpoints` (the endpoint
 * setup wizard).
 */
export const FixKind = z.enum(['authorizeIngress', 'authorizeEgress', 'createKeyPair', 'startInstance', 'updateHost', 'useKeyPair', 'copy', 'openEndpoints']);
export type FixKind = z.infer<typeof FixKind>;

/** A fix offered by a check. */
export const FixOffer = z.object({
  /** Stable within a run: what `previewFix`/`applyFix`/`copyFixText` take. */
  fixId: z.string(),
  kind: FixKind,
  /** The button: "Add the inbound rule", "Copy the policy". */
  label: z.string(),
  /** Exactly what it will do, in plain words, one line each: shown before it is applied. */
  preview: z.array(z.string()),
  /** For `copy`: the text that goes to the clipboard (an IAM policy, commands). Never a secret. */
  text: z.string().optional(),
  /** The checks run again after it is applied. */
  rerun: z.array(CheckId),
  /** For `createKeyPair`: the defaults the form starts with. */
  keyPair: z
    .object({
      name: z.string(),
      type: z.enum(['ed25519', 'rsa']),
      /** RSA only (Windows needs RSA to decrypt its password). */
      rsaOnly: z.boolean(),
      /** Where a file would go by default (`~/.ssh/<name>.pem`). */
      defaultPath: z.string(),
    })
    .optional(),
  /** For `openEndpoints`: where the wizard should start. */
  endpoints: z.object({ profileId: z.string(), region: z.string(), vpcId: z.string() }).optional(),
});
export type FixOffer = z.infer<typeof FixOffer>;

export const CheckResult = z.object({
  id: CheckId,
  title: z.string(),
  status: CheckStatus,
  /** One line: what was found. */
  summary: z.string(),
  /** Plain words: what it means and what to do. May hold several paragraphs (blank-line separated). */
  explanation: z.string(),
  /** The facts behind the verdict: "Instance state: running", "Rule: TCP 22 from sg-0abc". */
  evidence: z.array(z.object({ label: z.string(), value: z.string() })),
  fixes: z.array(FixOffer),
});
export type CheckResult = z.infer<typeof CheckResult>;

/** One stage of gathering facts, for live progress. */
export const GatherStep = z.object({
  id: z.enum(['credentials', 'instance', 'endpoint', 'network', 'app', 'probes']),
  label: z.string(),
  status: z.enum(['pending', 'running', 'done']),
  durationMs: z.number().nonnegative().optional(),
});
export type GatherStep = z.infer<typeof GatherStep>;

/** A fix that was applied in this run. */
export const AppliedFix = z.object({
  fixId: z.string(),
  kind: FixKind,
  label: z.string(),
  /** What was done, in plain words: "Added TCP 22 from sg-0abc to sg-0def." */
  outcome: z.string(),
  at: z.string(),
});
export type AppliedFix = z.infer<typeof AppliedFix>;

export const DiagnosisReport = z.object({
  runId: DiagnosisId,
  /** Grows with every change: events and replies can cross, and the higher one is newer. */
  revision: z.number().int().nonnegative(),
  /** `running`: gathering and checking; `done`: every check has a verdict; `cancelled`. */
  state: z.enum(['running', 'done', 'cancelled']),
  /** What is being diagnosed, for the title: the host's label or the instance's name and id. */
  target: z.object({
    label: z.string(),
    hostId: z.string().optional(),
    profileId: z.string(),
    region: z.string(),
    instanceId: z.string(),
    platform: z.enum(['linux', 'windows']).optional(),
    /** The connection being explained: the SSH session or RDP session it came from. */
    sessionId: z.string().optional(),
    rdpSessionId: z.string().optional(),
  }),
  /** The failure being explained (code, message, step), when it came from a failed connection. */
  failure: z.object({ code: z.string(), message: z.string(), step: z.string().optional() }).optional(),
  steps: z.array(GatherStep),
  /** Always the ten checks, in CheckId order; the window sorts failures first. */
  checks: z.array(CheckResult),
  applied: z.array(AppliedFix),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
});
export type DiagnosisReport = z.infer<typeof DiagnosisReport>;

/** What to diagnose: a saved host, or a discovered instance (its OS user and port optional). */
export const DiagnoseTarget = z.union([
  z.strictObject({ hostId: HostId }),
  z.strictObject({
    profileId: ProfileId,
    region: RegionName,
    instanceId: InstanceIdSchema,
    osUser: z
      .string()
      .regex(/^[a-z_][a-z0-9_.-]{0,31}\$?$/i)
      .optional(),
    port: z.number().int().min(1).max(65535).optional(),
  }),
]);
export type DiagnoseTarget = z.input<typeof DiagnoseTarget>;

/** The key pair to create: its name, type, and where its private key goes (shown once, never to the window). */
export const CreateKeyPairOptions = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x20-\x7e]+$/, 'a key pair name is printable ASCII'),
  type: z.enum(['ed25519', 'rsa']),
  storage: z.discriminatedUnion('to', [
    z.strictObject({ to: z.literal('keychain') }),
    /** An absolute path for a new file, written 0600; an existing file is never overwritten. */
    z.strictObject({ to: z.literal('file'), path: z.string().min(1).max(4096) }),
  ]),
});
export type CreateKeyPairOptions = z.infer<typeof CreateKeyPairOptions>;

const FixRef = z.strictObject({
  runId: DiagnosisId,
  fixId: z.string().min(1).max(300),
  /** For `createKeyPair` fixes. */
  keyPair: CreateKeyPairOptions.optional(),
});

/** What a main-side fix will do, once more, right before it is confirmed. */
export const FixPreview = z.object({
  fixId: z.string(),
  /** Plain words, one line each (with the options filled in). */
  lines: z.array(z.string()),
  /** The AWS API calls it makes (with their parameters), or the local change. */
  calls: z.array(z.string()),
  /**
   * A DryRun of the call when AWS offers one: `allowed`, `denied` (the message names the
   * missing permission), `unknown` (no DryRun for it, or it could not run).
   */
  permission: z.object({ state: z.enum(['allowed', 'denied', 'unknown']), message: z.string().optional() }),
  /** Pass back to applyFix: binds the confirmation to exactly this preview. Valid 10 minutes. */
  confirmToken: z.string(),
});
export type FixPreview = z.infer<typeof FixPreview>;

export const diagnose = {
  /**
   * Starts diagnosing a host or instance, optionally explaining a failed SSH session
   * (`sessionId`) or RDP session (`rdpSessionId`). Gathers facts in one pass (each AWS call's
   * failure becomes a fact, never an abort) and may open one short test tunnel and push one
   * throw-away key. Resolves at once with the report in `running`; progress arrives as
   * `changed`. Fails with INVALID_INPUT, NOT_FOUND (no such host or session).
   */
  start: invoke(
    z.strictObject({
      target: DiagnoseTarget,
      sessionId: z.string().min(1).max(64).optional(),
      rdpSessionId: z.string().min(1).max(200).optional(),
    }),
    DiagnosisReport,
  ),
  /** Resolves with a run's current report. Fails with NOT_FOUND (unknown or dismissed run). */
  get: invoke(z.strictObject({ runId: DiagnosisId }), DiagnosisReport),
  /** Stops a run and forgets it (the window closed the wizard). Resolves with null, also for an unknown run. */
  dismiss: invoke(z.strictObject({ runId: DiagnosisId }), z.null()),
  /**
   * Says exactly what a main-side fix will do, with a DryRun permission check where AWS has one.
   * Fails with NOT_FOUND (unknown run or fix), INVALID_INPUT (a `copy`/`openEndpoints` fix, or
   * bad key pair options: a file that exists, a relative path, a Windows key that is not RSA).
   */
  previewFix: invoke(FixRef, FixPreview),
  /**
   * Applies a previewed fix (`confirmToken` from previewFix, same options), then gathers facts
   * again and re-runs the checks it affects. Resolves with the updated report (the outcome is in
   * `applied`). Fails with NOT_FOUND, INVALID_INPUT (no or stale token), the AWS_* code of the
   * call (AWS_ACCESS_DENIED...), KEYCHAIN_* or STORE_WRITE_FAILED; nothing is half-applied.
   */
  applyFix: invoke(FixRef.extend({ confirmToken: z.string().min(16).max(128) }), DiagnosisReport),
  /** Copies a `copy` fix's text (a policy, commands) to the clipboard. Resolves with null. Fails with NOT_FOUND. */
  copyFixText: invoke(z.strictObject({ runId: DiagnosisId, fixId: z.string().min(1).max(300) }), z.null()),
  /**
   * Copies the report as plain text for a ticket (checks, evidence, the failure; never a secret)
   * and resolves with that text. Fails with NOT_FOUND.
   */
  copyReport: invoke(z.strictObject({ runId: DiagnosisId }), z.object({ text: z.string() })),
  /** A run's report changed: a gathering step, a check's verdict, a fix applied. */
  changed: event(DiagnosisReport),
};
