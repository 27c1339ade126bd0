import { spokenDuration } from '../../eice/durationCaps';
import { DEFAULT_TUNNEL_DURATION_SECONDS } from '../../eice/tunnel';
import { evidence, verdict, type Check, type ProposedFix } from '../checkTypes';
import { chosenEndpointOf, deniedErrors, instanceOf, osOf, platformOf, serviceWordsOf, targetAddressOf } from '../derive';
import type { DiagnosisFacts, FactError } from '../facts';
import { minimalPolicy, partitionOf, type PolicyNeed, type PolicyScope } from '../iamPolicy';

const check = { id: 'permissions', title: 'IAM permissions' } as const;

interface Denial {
  action: string;
  need: PolicyNeed | undefined;
  /** Condition keys worth naming for this action. */
  note: string;
  error?: FactError;
}

function needOf(action: string): PolicyNeed | undefined {
  if (action === 'ec2-instance-connect:OpenTunnel') return 'openTunnel';
  if (action === 'ec2-instance-connect:SendSSHPublicKey') return 'sendSshPublicKey';
  if (action === 'ec2:GetPasswordData') return 'getPasswordData';
  if (action.startsWith('ec2:Describe')) return 'describe';
  return undefined;
}

function scopeOf(facts: DiagnosisFacts, osUser: string | undefined): PolicyScope {
  const identity = facts.identity?.ok ? facts.identity.value : undefined;
  const raw = instanceOf(facts);
  const endpoint = chosenEndpointOf(facts);
  const address = raw ? targetAddressOf(raw) : undefined;
  return {
    partition: partitionOf(identity?.arn),
    region: facts.subject.region,
    account: identity?.account ?? '*',
    ...(endpoint ? { endpointId: endpoint.id } : {}),
    instanceId: facts.subject.instanceId,
    ...(address ? { privateIp: address } : {}),
    port: facts.subject.port,
    ...(osUser ? { osUser } : {}),
    maxTunnelDuration: DEFAULT_TUNNEL_DURATION_SECONDS,
  };
}

/** The "Copy the IAM policy" fix. */
function copyPolicy(policy: string, preview: string): ProposedFix {
  return {
    offer: { fixId: 'copy:policy', kind: 'copy', label: 'Copy the IAM policy', preview: [preview], text: policy, rerun: [] },
    action: { kind: 'copy', text: policy },
  };
}

/**
 * Check 2: whether AWS refused anything the connection needs: OpenTunnel on the endpoint (and
 * its condition keys: remote port, private address, maxTunnelDuration), SendSSHPublicKey for the
 * OS user, the Describe calls, GetPasswordData for Windows. Found from the calls made while
 * gathering, the test tunnel and key push, and the failure itself; with a minimal policy to copy.
 */
export const permissionsCheck: Check = {
  ...check,
  needs: ['credentials', 'instance', 'endpoint', 'network', 'app', 'probes'],
  evaluate(facts) {
    const { subject, probes, failure } = facts;
    const osUser = subject.osUser ?? osOf(facts)?.defaultUser;
    const denials = new Map<string, Denial>();
    const add = (d: Denial): void => {
      if (!denials.has(d.action)) denials.set(d.action, d);
    };
    // A test tunnel allowed for a shorter duration: the refusal was an IAM cap on the duration,
    // which the app's tunnels now keep to (the TunnelManager finds and remembers it).
    const tunnel = probes.tunnel?.ok ? probes.tunnel.value : undefined;
    const durationCap = tunnel?.triedDurations && tunnel.triedDurations.length > 1 ? tunnel : undefined;
    const capped = durationCap?.allowedDuration;
    const byCap = (error: FactError): boolean => capped !== undefined && error.action === 'ec2-instance-connect:OpenTunnel';
    for (const error of deniedErrors(facts)) {
      if (byCap(error)) continue;
      const note =
        error.action === 'ec2-instance-connect:OpenTunnel'
          ? `on ${scopeOf(facts, osUser).endpointId ?? 'the endpoint'}; a policy may also restrict ec2-instance-connect:remotePort (${subject.port}), :privateIpAddress and :maxTunnelDuration`
          : error.action === 'ec2-instance-connect:SendSSHPublicKey'
            ? `for ${subject.instanceId}; a policy may restrict the OS user with the ec2:osuser condition${osUser ? ` (it must allow "${osUser}")` : ''}`
            : '';
      add({ action: error.action, need: needOf(error.action), note, error });
    }

    // The failure being explained may name a refusal the probes did not repeat.
    if (failure?.code === 'EIC_TUNNEL_ACCESS_DENIED' && tunnel?.outcome !== 'reached' && capped === undefined) {
      add({ action: 'ec2-instance-connect:OpenTunnel', need: 'openTunnel', note: `the connection was refused: ${serviceWordsOf(failure.message) ?? failure.message}` });
    }
    if (failure && failure.step === 'key' && (failure.code === 'AWS_ACCESS_DENIED' || failure.code === 'EIC_KEY_PUSH_FAILED') && /denied|not authori[sz]ed|AuthException/i.test(failure.message) && !(probes.keyPush?.ok ?? false)) {
      add({ action: 'ec2-instance-connect:SendSSHPublicKey', need: 'sendSshPublicKey', note: `the key push was refused for "${failure.osUser ?? osUser ?? 'the OS user'}"` });
    }
    if (failure?.source === 'rdp' && failure.step === 'password' && failure.code === 'AWS_ACCESS_DENIED') {
      add({ action: 'ec2:GetPasswordData', need: 'getPasswordData', note: `for ${subject.instanceId}: the Administrator password cannot be retrieved without it` });
    }

    const list = [...denials.values()];
    const testTunnel = !tunnel ? undefined : capped !== undefined ? `allowed for ${capped} s, refused for ${durationCap?.triedDurations?.[0] ?? DEFAULT_TUNNEL_DURATION_SECONDS} s` : tunnel.outcome === 'failed' ? `refused or closed (${tunnel.error?.code ?? 'error'})` : 'allowed';
    const made = evidence(
      ['Identity', facts.identity?.ok ? facts.identity.value.arn : undefined],
      ['Test tunnel', testTunnel ?? (probes.tunnel && !probes.tunnel.ok ? `not opened: ${probes.tunnel.error.code}` : undefined)],
      ['Test key push', probes.keyPush ? (probes.keyPush.ok ? `allowed for "${probes.keyPush.value.osUser}"` : `refused: ${probes.keyPush.error.awsCode ?? probes.keyPush.error.code}`) : undefined],
    );
    const capEvidence = durationCap
      ? [
          ...evidence(['Refused', tunnel?.error && capped !== undefined ? `ec2-instance-connect:OpenTunnel${tunnel.error.awsCode ? ` (${tunnel.error.awsCode})` : ''} for ${durationCap.triedDurations?.[0]} s` : undefined], ['Request id', capped !== undefined ? tunnel?.error?.requestId : undefined]),
          ...evidence(['Durations tried', durationCap.triedDurations?.map((s) => `${s} s`).join(', ')], ['Longest allowed', capped ? `${capped} s` : 'none']),
        ]
      : [];
    const asked = durationCap?.triedDurations?.[0] ?? DEFAULT_TUNNEL_DURATION_SECONDS;
    const capWords =
      capped !== undefined
        ? `Your IAM policy caps ec2-instance-connect:maxTunnelDuration: a tunnel of ${asked} s was refused, but one of ${capped} s was allowed. Bastionless finds such a cap by itself and opens ${capped}-second tunnels through ${durationCap?.endpointId ?? 'this endpoint'}, so sessions end after ${spokenDuration(capped)} (the tab counts down, warns five minutes ahead and offers Reconnect).\n\nFor sessions of ${spokenDuration(asked)}, ask your administrator to allow up to ${asked} s (the condition "NumericLessThanEquals": {"ec2-instance-connect:maxTunnelDuration": "${asked}"}).`
        : undefined;

    if (list.length === 0 && capWords) {
      const policy = minimalPolicy(scopeOf(facts, osUser), ['openTunnel']);
      return verdict(check, {
        status: 'warn',
        summary: `Your IAM policy caps tunnels at ${capped} s (ec2-instance-connect:maxTunnelDuration).`,
        explanation: capWords,
        evidence: [...made, ...capEvidence],
        fixes: [copyPolicy(policy, 'Copies a minimal IAM policy that allows one-hour tunnels through this endpoint to this instance, for your AWS administrator.')],
      });
    }

    // Credentials AWS does not accept answer every call the same way: permissions are then unknown, not fine.
    const unusable = !facts.credentials.ok || (facts.identity && !facts.identity.ok && /^AWS_(CREDENTIALS_|CLOCK_SKEW|SSO_|MFA_)/.test(facts.identity.error.code));
    if (list.length === 0 && unusable) {
      return verdict(check, {
        status: 'skip',
        summary: 'Could not be checked: the credentials do not work.',
        explanation: 'AWS refuses every call made with these credentials before looking at permissions. Fix the credentials first (see the first check), then check again.',
        evidence: made,
      });
    }
    if (list.length === 0) {
      return verdict(check, {
        status: 'pass',
        summary: 'Nothing Bastionless needs was refused.',
        explanation:
          'The Describe calls ' +
          (tunnel ? 'and a test tunnel through the endpoint ' : '') +
          (probes.keyPush?.ok ? 'and a test key push ' : '') +
          'were allowed for this identity.',
        evidence: made,
      });
    }

    const needs = [...new Set(list.map((d) => d.need).filter((n): n is PolicyNeed => !!n))];
    if (platformOf(facts) !== 'windows' && needs.includes('openTunnel') && subject.auth.method === 'eic' && !needs.includes('sendSshPublicKey')) needs.push('sendSshPublicKey');
    const policy = minimalPolicy(scopeOf(facts, osUser), needs);
    const fixes = [copyPolicy(policy, 'Copies a minimal IAM policy that allows what was refused, scoped to this endpoint and instance, for your AWS administrator.')];
    const lines = list.map((d) => `${d.action}${d.note ? ` (${d.note})` : ''}`);
    // AWS says which kind of refusal it is: an explicit Deny wins over any Allow, so a new policy does not help.
    const explicit = list.filter((d) => /explicit deny/i.test(d.error?.message ?? d.note)).map((d) => d.action);
    let explanation = `AWS refused ${list.length === 1 ? 'an action' : 'actions'} the connection needs:\n${lines.map((l) => `• ${l}`).join('\n')}\n\nAsk your AWS administrator to allow ${list.length === 1 ? 'it' : 'them'} for this identity; the policy below is the least that does.`;
    if (explicit.length > 0) {
      explanation += `\n\nAWS says an explicit Deny refuses ${explicit.join(' and ')}: a Deny always wins over an Allow, so adding the policy below is not enough. The Deny statement (in an IAM policy, a permissions boundary or an organisation SCP) must be removed or narrowed so it no longer matches this identity, endpoint and instance.`;
    }
    if (capWords) explanation += `\n\n${capWords}`;
    else if (durationCap) {
      explanation += `\n\nShorter tunnels (${durationCap.triedDurations?.slice(1).join(', ')} s) were refused too, so the refusal is not only a maxTunnelDuration cap: OpenTunnel itself, the endpoint, the port or the private address is not allowed.`;
    }
    return verdict(check, {
      status: 'fail',
      summary: `AWS refused ${list.map((d) => d.action.split(':')[1]).join(', ')}${capped !== undefined ? ` (and caps tunnels at ${capped} s)` : ''}.`,
      explanation,
      evidence: [...made, ...list.flatMap((d) => evidence([`Refused`, `${d.action}${d.error?.awsCode ? ` (${d.error.awsCode})` : ''}`], ['Request id', d.error?.requestId])), ...capEvidence],
      fixes,
    });
  },
};
