import type { CheckId, CheckResult, CheckStatus, FixOffer, GatherStep } from '../../preload/contract';
import type { RuleRequest } from '../network/securityGroups';
import type { DiagnosisFacts } from './facts';

/**
 * What a fix does on the main side, with every parameter decided from the facts when the check
 * ran. The window only ever sees the FixOffer; applyFix looks the action up by fixId.
 */
export type FixAction =
  | { kind: 'authorizeIngress'; request: RuleRequest; text: string }
  | { kind: 'authorizeEgress'; request: RuleRequest; text: string }
  | { kind: 'createKeyPair'; windows: boolean; profileId: string; region: string }
  | { kind: 'startInstance'; instanceId: string }
  | { kind: 'updateHost'; hostId: string; patch: { osUser?: string; region?: string } }
  /** Switch the saved host to sign in with a key pair's private key the keychain already holds. */
  | { kind: 'useKeyPair'; hostId: string; keychainAccount: string; keyName: string }
  | { kind: 'copy'; text: string }
  | { kind: 'openEndpoints' };

export interface ProposedFix {
  offer: FixOffer;
  action: FixAction;
}

/** A check's verdict with its fixes' actions (main-side only). */
export interface CheckVerdict extends Omit<CheckResult, 'fixes' | 'status'> {
  status: Exclude<CheckStatus, 'pending'>;
  fixes: ProposedFix[];
}

export interface Check {
  id: CheckId;
  title: string;
  /** The gathering steps whose facts it reads: it runs as soon as they are done. */
  needs: readonly GatherStep['id'][];
  /**
   * Pure: the verdict from the facts (and the verdicts of the checks before it, which the last
   * check uses to explain the failure).
   */
  evaluate(facts: DiagnosisFacts, earlier: readonly CheckVerdict[]): CheckVerdict;
}

/** The public form of a verdict: fixes without their actions. */
export function toCheckResult(verdict: CheckVerdict): CheckResult {
  return { ...verdict, fixes: verdict.fixes.map((f) => f.offer) };
}

/** Builds a verdict with defaults for what a check leaves out. */
export function verdict(check: Pick<Check, 'id' | 'title'>, v: { status: CheckVerdict['status']; summary: string; explanation: string; evidence?: CheckVerdict['evidence']; fixes?: ProposedFix[] }): CheckVerdict {
  return { id: check.id, title: check.title, status: v.status, summary: v.summary, explanation: v.explanation, evidence: v.evidence ?? [], fixes: v.fixes ?? [] };
}

/** `{label, value}` pairs, dropping those whose value is unknown. */
export function evidence(...pairs: [label: string, value: string | number | undefined | null | false][]): CheckVerdict['evidence'] {
  return pairs.filter(([, v]) => v !== undefined && v !== null && v !== false && v !== '').map(([label, value]) => ({ label, value: String(value) }));
}
