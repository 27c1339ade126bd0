import type { CheckId } from '../../../preload/contract';
import { DEFAULT_TUNNEL_DURATION_SECONDS } from '../../eice/tunnel';
import { evidence, verdict, type Check, type CheckVerdict } from '../checkTypes';
import { instanceOf, serviceOf, serviceWordsOf, targetAddressOf } from '../derive';
import type { DiagnosisFacts, TunnelProbe } from '../facts';

const check = { id: 'failure', title: 'What the connection said' } as const;

/** EC2 Instance Connect accepts a pushed key for this long (EICE.md). */
export const KEY_WINDOW_MS = 60_000;

const STEP_WORDS: Record<string, string> = {
  resolve: 'looking up the host',
  tunnel: 'opening the tunnel',
  key: 'sending the key',
  auth: 'signing in',
  shell: 'opening the shell',
  password: 'retrieving the password',
  client: 'launching the RDP client',
};

const TITLES: Record<CheckId, string> = {
  credentials: 'credentials',
  permissions: 'IAM permissions',
  instance: 'instance',
  endpoint: 'endpoint',
  securityGroups: 'security groups',
  networkAcls: 'network ACLs',
  os: 'EC2 Instance Connect package',
  keyPair: 'key pair',
  osUser: 'OS user',
  failure: '',
};

/** The earlier checks that failed (or warned), named: "the security groups check: ...". */
function culprits(earlier: readonly CheckVerdict[], ids: readonly CheckId[], warn = false): string[] {
  return earlier.filter((v) => ids.includes(v.id) && (v.status === 'fail' || (warn && v.status === 'warn'))).map((v) => `${TITLES[v.id]}: ${v.summary}`);
}

function because(list: string[]): string {
  return list.length === 0 ? '' : `\n\nThe checks above found why:\n${list.map((l) => `• ${l}`).join('\n')}`;
}

interface Explained {
  summary: string;
  explanation: string;
}

/** Explains an app error code (of the failure, or of the test tunnel) with the other verdicts. */
function explain(code: string, message: string, facts: DiagnosisFacts, earlier: readonly CheckVerdict[], keyAgeAtAuthMs: number | undefined): Explained {
  const port = facts.subject.port;
  const raw = instanceOf(facts);
  const target = `${raw ? (targetAddressOf(raw) ?? '?') : '?'}:${port}`;
  const words = serviceWordsOf(message);
  const quoted = words ? ` AWS said: "${words}".` : '';
  // A test tunnel that reaches the service now: whatever blocked it is gone (fixed, or it was temporary).
  const reachedNow = facts.probes.tunnel?.ok === true && effectiveProbe(facts.probes.tunnel.value).outcome === 'reached';
  switch (code) {
    case 'EIC_TUNNEL_TARGET_UNREACHABLE': {
      const found = culprits(earlier, ['instance', 'securityGroups', 'networkAcls']);
      if (facts.failure?.step === 'resolve') {
        // Bastionless itself stopped before opening a tunnel (the instance is not running).
        return { summary: 'The instance cannot be reached in its current state.', explanation: `${message}${because(culprits(earlier, ['instance'], true))}` };
      }
      return {
        summary: `"Unable to connect to target": the endpoint could not reach ${target}.`,
        explanation:
          `The endpoint accepted the tunnel (so credentials and permissions were fine) but could not open a TCP connection to ${target}.${quoted} That is the network path or the instance: the instance's security groups, the endpoint's outbound rules, a network ACL, the instance being stopped, or nothing listening on port ${port}.` +
          (found.length > 0
            ? because(found)
            : reachedNow
              ? ''
              : `\n\nThe security groups and network ACLs allow it and the instance runs, so most likely nothing listens on port ${port}: ${port === 3389 ? 'Remote Desktop is off' : 'sshd is stopped'} or still starting, or a firewall on the instance (${port === 3389 ? 'Windows Firewall' : 'iptables, firewalld, ufw'}) drops it.`),
      };
    }
    case 'EIC_TUNNEL_ACCESS_DENIED': {
      const capped = facts.probes.tunnel?.ok ? facts.probes.tunnel.value.allowedDuration : undefined;
      return {
        summary: capped ? `AWS refused the tunnel: your policy caps its duration below ${DEFAULT_TUNNEL_DURATION_SECONDS} s.` : 'AWS refused to open the tunnel (ec2-instance-connect:OpenTunnel).',
        explanation: capped
          ? `The endpoint refused the tunnel before anything reached the instance.${quoted} A test tunnel of ${capped} s was allowed where ${DEFAULT_TUNNEL_DURATION_SECONDS} s was not, so an IAM condition on ec2-instance-connect:maxTunnelDuration refused the duration Bastionless asked for. Bastionless now keeps to that cap: trying again opens a ${capped}-second tunnel.${because(culprits(earlier, ['permissions']))}`
          : `The endpoint refused the tunnel before anything reached the instance.${quoted} Your identity lacks ec2-instance-connect:OpenTunnel on this endpoint, or a condition of the policy (remote port, private address, maxTunnelDuration) does not allow this tunnel.${because(culprits(earlier, ['permissions']))}`,
      };
    }
    case 'EIC_KEY_PUSH_FAILED':
    case 'AWS_ACCESS_DENIED':
      if (facts.failure?.step === 'key' || code === 'EIC_KEY_PUSH_FAILED') {
        return {
          summary: 'Sending the SSH key with EC2 Instance Connect failed.',
          explanation: `SendSSHPublicKey did not accept the key: ${message}${because(culprits(earlier, ['permissions', 'instance', 'osUser']))}`,
        };
      }
      return { summary: 'AWS refused a call the connection needs.', explanation: `${message}${because(culprits(earlier, ['permissions']))}` };
    case 'SSH_AUTH_FAILED': {
      const method = facts.failure?.authMethod ?? facts.subject.auth.method;
      const reasons = culprits(earlier, method === 'eic' ? ['osUser', 'os', 'keyPair'] : ['osUser', 'keyPair'], true);
      const late = method === 'eic' && keyAgeAtAuthMs !== undefined && keyAgeAtAuthMs > KEY_WINDOW_MS;
      return {
        summary: method === 'eic' ? 'The instance refused the pushed key.' : method === 'keyPair' ? 'The instance refused the key pair.' : 'The instance refused the password.',
        explanation:
          (method === 'eic'
            ? `The tunnel worked and sshd answered, but it did not accept the key Bastionless pushed for "${facts.failure?.osUser ?? facts.subject.osUser ?? '?'}". sshd takes a pushed key only when the ec2-instance-connect package is installed, the user exists, and the sign-in starts within 60 seconds of the push.`
            : method === 'keyPair'
              ? 'The tunnel worked and sshd answered, but it did not accept the private key: it is not the instance’s key pair, or the user is wrong.'
              : 'Most AMIs do not accept passwords over SSH at all.') +
          (late ? `\n\nThe key was ${Math.round((keyAgeAtAuthMs ?? 0) / 1000)} seconds old when sign-in ended: past the 60-second window, the instance no longer accepts it. This happens on a very slow network or when the tunnel took long to open; try again.` : '') +
          because(reasons),
      };
    }
    case 'EIC_NO_ENDPOINT':
    case 'EIC_ENDPOINT_NOT_READY':
      return { summary: code === 'EIC_NO_ENDPOINT' ? 'No endpoint in the instance’s VPC.' : 'The endpoint cannot open tunnels yet.', explanation: `${message}${because(culprits(earlier, ['endpoint'], true))}` };
    case 'EIC_PORT_NOT_ALLOWED':
      return { summary: `The endpoint refused port ${port}.`, explanation: `${message} Endpoints have accepted only ports 22 and 3389: run the service on one of those, or reach it through an SSH port forward.` };
    case 'EIC_CONNECTION_LIMIT':
      return { summary: 'The endpoint’s 20 connections are all in use.', explanation: `${message} Each SSH tab, RDP connection and port forward through the endpoint uses one, including those of other people and tools. Close what you no longer need and try again.` };
    case 'EIC_TUNNEL_EXPIRED':
      return { summary: 'The tunnel reached its time limit.', explanation: 'EICE ends every connection after at most one hour (less if your IAM policy caps maxTunnelDuration). Reconnect to go on; this is not a fault.' };
    case 'EIC_TUNNEL_CLOSED':
    case 'EIC_TUNNEL_PROTOCOL':
    case 'SSH_CONNECTION_LOST':
      return { summary: 'The connection was cut.', explanation: `${message} The network between you and AWS dropped, the endpoint went away, or the instance closed the connection (a reboot, sshd restarting).${because(culprits(earlier, ['instance', 'endpoint']))}` };
    case 'EIC_DNS_FAILED':
    case 'EIC_TLS_FAILED':
    case 'EIC_PROXY_FAILED':
    case 'EIC_NETWORK':
    case 'AWS_NETWORK':
    case 'AWS_TLS_UNTRUSTED':
      return { summary: 'This computer could not reach AWS.', explanation: `${message} This is between this computer and AWS (internet, VPN, proxy, DNS, a TLS-inspecting firewall), not the instance.` };
    case 'EIC_CLOCK_SKEW':
    case 'AWS_CLOCK_SKEW':
      return { summary: 'This computer’s clock is off.', explanation: `${message} Signed AWS requests are valid only close to AWS’s time: turn on automatic time synchronisation.` };
    case 'AWS_CREDENTIALS_EXPIRED':
    case 'AWS_CREDENTIALS_INVALID':
    case 'AWS_CREDENTIALS_MISSING':
    case 'AWS_SSO_SIGN_IN_REQUIRED':
      return { summary: 'The AWS credentials did not work.', explanation: `${message}${because(culprits(earlier, ['credentials']))}` };
    case 'SSH_HANDSHAKE_FAILED':
      return { summary: 'sshd answered, but the SSH handshake failed.', explanation: `${message} The path through the endpoint works; the problem is the SSH server (old algorithms, not an SSH server on port ${port}, or still booting).` };
    case 'SSH_HOST_KEY_CHANGED':
      return { summary: 'The instance presented a different host key.', explanation: `${message} The path and sign-in are not the problem: decide in the tab whether to trust the new key (an instance rebuilt from a new image has new keys).` };
    case 'NOT_FOUND':
    case 'EIC_INSTANCE_NOT_FOUND':
      return { summary: 'The instance was not found.', explanation: `${message}${because(culprits(earlier, ['credentials', 'instance']))}` };
    case 'RDP_PASSWORD_NOT_READY':
      return { summary: 'Windows has not published its password yet.', explanation: `${message} A new Windows instance takes up to about 15 minutes before GetPasswordData returns a password.` };
    case 'RDP_KEY_UNSUITABLE':
    case 'RDP_KEY_MISSING':
    case 'RDP_DECRYPT_FAILED':
    case 'RDP_KEY_INVALID':
      return { summary: 'The password could not be decrypted.', explanation: `${message}${because(culprits(earlier, ['keyPair'], true))}` };
    default:
      return { summary: `The connection failed: ${code}.`, explanation: message };
  }
}

/**
 * For the path, a test tunnel refused for the asked duration but allowed for a shorter one (an
 * IAM cap the app's tunnels keep to) counts as what the shorter one found.
 */
function effectiveProbe(probe: TunnelProbe): TunnelProbe {
  if (probe.allowedDuration === undefined || !probe.shorter) return probe;
  const { error: _refusal, banner: _banner, ...rest } = probe;
  return { ...rest, outcome: probe.shorter.outcome, maxTunnelDuration: probe.allowedDuration, ...(probe.shorter.banner ? { banner: probe.shorter.banner } : {}) };
}

function probeWords(original: TunnelProbe): string {
  const probe = effectiveProbe(original);
  const capped = probe === original ? '' : ` for ${probe.maxTunnelDuration} s (${original.maxTunnelDuration} s was refused: an IAM cap)`;
  if (probe.outcome === 'reached') return `reached ${serviceOf(probe.port)}${probe.banner ? ` (${probe.banner})` : ''}${capped}`;
  if (probe.outcome === 'open') return `opened${capped}, but nothing answered on port ${probe.port}`;
  return `failed: ${probe.error?.code ?? 'error'}${probe.error ? ` (${serviceWordsOf(probe.error.message) ?? probe.error.message})` : ''}`;
}

/** Errors that are about the network path or the tunnel: a test tunnel that works now contradicts them. */
const PATH_CODES = new Set(['EIC_TUNNEL_TARGET_UNREACHABLE', 'EIC_TUNNEL_ACCESS_DENIED', 'EIC_TUNNEL_CLOSED', 'EIC_NO_ENDPOINT', 'EIC_ENDPOINT_NOT_READY', 'EIC_TUNNEL_REFUSED']);

/**
 * Check 10: the failure's own words, explained: an upgrade refusal's ErrorCode and Message, a
 * close reason such as `Unable to connect to target`, an SSH sign-in refused after the key's
 * 60-second window. Without a failure (opened from the host's menu), the test tunnel's outcome.
 */
export const failureCheck: Check = {
  ...check,
  needs: ['credentials', 'instance', 'endpoint', 'network', 'app', 'probes'],
  evaluate(facts, earlier) {
    const failure = facts.failure;
    const probeFact = facts.probes.tunnel;
    const probe = probeFact?.ok ? effectiveProbe(probeFact.value) : undefined;
    const probeEvidence = evidence(['Test tunnel just now', probeFact?.ok ? probeWords(probeFact.value) : probeFact && !probeFact.ok ? `not opened: ${probeFact.error.message}` : undefined]);
    if (!failure) {
      if (!probe) {
        return verdict(check, {
          status: 'skip',
          summary: 'No failed connection to explain.',
          explanation: probeFact && !probeFact.ok ? `A test tunnel could not be opened: ${probeFact.error.message}` : 'The wizard was opened from the host, and no test tunnel could be tried (see the checks above).',
          evidence: probeEvidence,
        });
      }
      if (probe.outcome === 'reached') {
        return verdict(check, {
          status: 'pass',
          summary: `A test tunnel just reached ${serviceOf(probe.port)}: the path to the instance works.`,
          explanation: `Bastionless opened a tunnel through ${probe.endpointId} and the instance answered${probe.banner ? ` (${probe.banner})` : ''}.${probeFact?.ok && probe !== probeFact.value ? ` It was a ${probe.maxTunnelDuration}-second tunnel: your IAM policy caps the duration (see the permissions check).` : ''} Signing in is checked by the other checks (package, key pair, user).`,
          evidence: probeEvidence,
        });
      }
      if (probe.outcome === 'open') {
        return verdict(check, { status: 'warn', summary: 'A test tunnel opened, but nothing answered.', explanation: `The tunnel through ${probe.endpointId} stayed open but port ${probe.port} sent nothing back in time. The service may be slow to start, or something other than ${serviceOf(probe.port)} listens there.`, evidence: probeEvidence });
      }
      const e = explain(probe.error?.code ?? 'INTERNAL', probe.error?.message ?? '', facts, earlier, undefined);
      return verdict(check, { status: 'fail', summary: `Test tunnel: ${e.summary}`, explanation: e.explanation, evidence: [...probeEvidence, ...evidence(['Request id', probe.error?.requestId])] });
    }
    const e = explain(failure.code, failure.message, facts, earlier, failure.keyAgeAtAuthMs);
    const words = serviceWordsOf(failure.message);
    const base = [
      ...evidence(
        ['Failed while', failure.step ? (STEP_WORDS[failure.step] ?? failure.step) : undefined],
        ['Error', failure.code],
        ['Message', failure.message],
        ['AWS said', words],
        ['Request id', failure.requestId],
        ['Key age at sign-in', failure.keyAgeAtAuthMs !== undefined ? `${Math.round(failure.keyAgeAtAuthMs / 1000)} s` : undefined],
        ['At', failure.at],
      ),
      ...probeEvidence,
    ];
    if (probe?.outcome === 'reached' && PATH_CODES.has(failure.code)) {
      return verdict(check, {
        status: 'warn',
        summary: `${e.summary} It works now.`,
        explanation: `${e.explanation}\n\nA test tunnel just reached ${serviceOf(probe.port)}, so the path works now: the problem was temporary or has been fixed. Try again.`,
        evidence: base,
      });
    }
    return verdict(check, { status: 'fail', summary: e.summary, explanation: e.explanation, evidence: base });
  },
};
