import { evidence, verdict, type Check, type ProposedFix } from '../checkTypes';
import type { DiagnosisFacts } from '../facts';

/** Temporary credentials that end sooner than this get a warning: a session may not last. */
export const EXPIRY_WARNING_MS = 15 * 60_000;

const check = { id: 'credentials', title: 'AWS credentials and Region' } as const;

function regionFix(facts: DiagnosisFacts, region: string): ProposedFix[] {
  const hostId = facts.subject.hostId;
  if (!hostId) return [];
  return [
    {
      offer: {
        fixId: `updateHost:region:${region}`,
        kind: 'updateHost',
        label: `Use ${region} for this host`,
        preview: [`Change the saved host "${facts.subject.label}" from ${facts.subject.region} to ${region}.`, 'Nothing changes in AWS.'],
        rerun: ['credentials', 'instance', 'endpoint', 'securityGroups', 'networkAcls', 'os', 'keyPair', 'osUser', 'failure'],
      },
      action: { kind: 'updateHost', hostId, patch: { region } },
    },
  ];
}

/**
 * Check 1: the profile's credentials load and AWS accepts them (STS GetCallerIdentity), they are
 * not about to expire, and the instance is in the Region the host points at.
 */
export const credentialsCheck: Check = {
  ...check,
  needs: ['credentials', 'instance'],
  evaluate(facts) {
    const { subject } = facts;
    const creds = facts.credentials;
    const who = `profile "${subject.profileName}"`;
    if (!creds.ok) {
      const expired = creds.error.code === 'AWS_CREDENTIALS_EXPIRED';
      return verdict(check, {
        status: 'fail',
        summary: expired ? `The credentials of ${who} have expired.` : `The credentials of ${who} could not be loaded.`,
        explanation: `${creds.error.message}\n\n${creds.error.hint}`,
        evidence: evidence(['Profile', subject.profileName], ['Error', creds.error.code]),
      });
    }
    const identity = facts.identity;
    if (identity && !identity.ok) {
      const code = identity.error.code;
      const expired = code === 'AWS_CREDENTIALS_EXPIRED';
      const invalid = code === 'AWS_CREDENTIALS_INVALID' || code === 'AWS_CLOCK_SKEW';
      const denied = code === 'AWS_ACCESS_DENIED';
      return verdict(check, {
        status: denied ? 'warn' : 'fail',
        summary: expired
          ? `AWS says the session of ${who} has expired.`
          : invalid
            ? `AWS does not accept the credentials of ${who}.`
            : denied
              ? 'The identity could not be checked (sts:GetCallerIdentity was refused).'
              : `AWS could not be asked who ${who} is.`,
        explanation: expired
          ? `Every AWS call made with these credentials fails until they are renewed. ${identity.error.hint}`
          : denied
            ? 'GetCallerIdentity needs no permission, so this refusal is unusual (an SCP or a permissions boundary can do it). The other checks go on without knowing the account.'
            : `${identity.error.message}\n\n${identity.error.hint}`,
        evidence: evidence(['Profile', subject.profileName], ['Error', code], ['AWS error', identity.error.awsCode], ['Request id', identity.error.requestId]),
      });
    }
    const id = identity?.ok ? identity.value : undefined;
    const expiration = creds.value.expiration;
    const left = expiration ? expiration.getTime() - facts.gatheredAt.getTime() : undefined;
    const base = evidence(
      ['Profile', subject.profileName],
      ['Identity', id?.arn],
      ['Account', id?.account],
      ['Host Region', subject.region],
      ['Profile Region', facts.profileRegion],
      ['Credentials expire', expiration?.toISOString()],
    );
    if (left !== undefined && left <= 0) {
      return verdict(check, {
        status: 'fail',
        summary: `The credentials of ${who} expired at ${expiration?.toISOString()}.`,
        explanation: 'Temporary credentials (SSO, an assumed role, a session token) stop working when they expire. Sign in again from the Profiles view, or renew the keys, then try again.',
        evidence: base,
      });
    }
    const instance = facts.instance;
    if (instance?.ok && instance.value === null && facts.elsewhere) {
      return verdict(check, {
        status: 'fail',
        summary: `${subject.instanceId} is in ${facts.elsewhere.region}, not ${subject.region}.`,
        explanation: `The host points at ${subject.region}, but the instance was found in ${facts.elsewhere.region}${facts.elsewhere.via === 'inventory' ? ' by the last discovery' : ` (the Region set for ${who})`}. Every call Bastionless makes for it goes to the wrong Region, so nothing can be found there.`,
        evidence: [...base, ...evidence(['Instance found in', facts.elsewhere.region])],
        fixes: regionFix(facts, facts.elsewhere.region),
      });
    }
    if (left !== undefined && left < EXPIRY_WARNING_MS) {
      return verdict(check, {
        status: 'warn',
        summary: `The credentials of ${who} expire in ${Math.max(1, Math.round(left / 60_000))} min.`,
        explanation: 'They work now, but tunnels and key pushes need valid credentials when they start. Renew them soon (sign in again for SSO), or a reconnect will fail.',
        evidence: base,
      });
    }
    return verdict(check, {
      status: 'pass',
      summary: id ? `Signed in as ${id.arn}.` : `The credentials of ${who} load.`,
      explanation:
        facts.profileRegion && facts.profileRegion !== subject.region
          ? `AWS accepts these credentials. The profile's own Region is ${facts.profileRegion}; this host is in ${subject.region}, and Bastionless uses the host's Region for it.`
          : 'AWS accepts these credentials, and the host is looked up in its own Region.',
      evidence: base,
    });
  },
};
