import type { CheckResult, GatherStep } from '../../../preload/contract';
import { toCheckResult, type Check, type CheckVerdict } from '../checkTypes';
import type { DiagnosisFacts } from '../facts';
import { credentialsCheck } from './credentialsCheck';
import { endpointCheck } from './endpointCheck';
import { failureCheck } from './failureCheck';
import { instanceCheck } from './instanceCheck';
import { keyPairCheck } from './keyPairCheck';
import { networkAclsCheck } from './networkAclsCheck';
import { osCheck } from './osCheck';
import { osUserCheck } from './osUserCheck';
import { permissionsCheck } from './permissionsCheck';
import { securityGroupsCheck } from './securityGroupsCheck';

/** The ten checks of issue 7, in the order a person would fix things (the contract's CheckId order). */
export const ALL_CHECKS: readonly Check[] = [
  credentialsCheck,
  permissionsCheck,
  instanceCheck,
  endpointCheck,
  securityGroupsCheck,
  networkAclsCheck,
  osCheck,
  keyPairCheck,
  osUserCheck,
  failureCheck,
];

/** A check that has not run yet, as the report shows it. */
export function pendingResult(check: Check): CheckResult {
  return { id: check.id, title: check.title, status: 'pending', summary: 'Waiting for facts…', explanation: '', evidence: [], fixes: [] };
}

/**
 * Runs every check whose gathering steps are done (`ready`), in order, each seeing the verdicts
 * before it. A check that throws is a bug: it becomes a `skip` that says so, never a crash of
 * the whole run.
 */
export function evaluateChecks(facts: DiagnosisFacts, ready: ReadonlySet<GatherStep['id']>, only?: ReadonlySet<string>): Map<string, CheckVerdict> {
  const out = new Map<string, CheckVerdict>();
  const earlier: CheckVerdict[] = [];
  for (const check of ALL_CHECKS) {
    if (!check.needs.every((n) => ready.has(n))) continue;
    let v: CheckVerdict;
    try {
      v = check.evaluate(facts, earlier);
    } catch (error) {
      v = {
        id: check.id,
        title: check.title,
        status: 'skip',
        summary: 'This check could not run.',
        explanation: `Bastionless hit an internal error in this check (${error instanceof Error ? error.message : String(error)}). The other checks are unaffected; please report it with the copied report.`,
        evidence: [],
        fixes: [],
      };
    }
    earlier.push(v);
    if (!only || only.has(check.id)) out.set(check.id, v);
  }
  return out;
}

export { toCheckResult };
