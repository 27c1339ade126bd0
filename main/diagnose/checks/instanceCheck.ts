import { evidence, verdict, type Check, type ProposedFix } from '../checkTypes';
import { instanceOf, platformOf, serviceOf, targetAddressOf, unreadable } from '../derive';
import type { DiagnosisFacts } from '../facts';

const check = { id: 'instance', title: 'Instance state and port' } as const;

/** The ports EICE has accepted (EICE.md "Ports and targets"); others are allowed but may be refused. */
export const KNOWN_PORTS = [22, 3389] as const;

function startFix(facts: DiagnosisFacts): ProposedFix {
  const id = facts.subject.instanceId;
  return {
    offer: {
      fixId: `startInstance:${id}`,
      kind: 'startInstance',
      label: 'Start the instance',
      preview: [`Start ${id} (${facts.subject.label}) in ${facts.subject.region}.`, 'A stopped instance is billed again from the moment it runs; it may get a new public IP address (its private address stays).'],
      rerun: ['instance', 'securityGroups', 'networkAcls', 'failure'],
    },
    action: { kind: 'startInstance', instanceId: id },
  };
}

/**
 * Check 3: the instance exists in the Region, is running with both status checks passed, has a
 * private address, and the port is one EICE accepts (22 or 3389, unless the service says more).
 */
export const instanceCheck: Check = {
  ...check,
  needs: ['instance'],
  evaluate(facts) {
    const { subject } = facts;
    const fact = facts.instance;
    if (!fact) return verdict(check, { status: 'skip', summary: 'The instance was not looked up.', explanation: 'The credentials did not work, so nothing could be read from EC2.' });
    if (!fact.ok) {
      return verdict(check, {
        status: 'skip',
        summary: 'The instance could not be read.',
        explanation: unreadable(`${subject.instanceId}`, fact.error),
        evidence: evidence(['Error', fact.error.code], ['AWS error', fact.error.awsCode]),
      });
    }
    const raw = instanceOf(facts);
    if (!raw) {
      return verdict(check, {
        status: 'fail',
        summary: `There is no instance ${subject.instanceId} in ${subject.region}.`,
        explanation: facts.elsewhere
          ? `It is in ${facts.elsewhere.region}: see the first check.`
          : 'It may have been terminated, or it belongs to another account or Region. Refresh the Hosts view; if it was replaced, save the new instance as a host.',
        evidence: evidence(['Region', subject.region], ['Profile', subject.profileName]),
      });
    }
    const state = raw.State?.Name ?? 'unknown';
    const status = facts.status?.ok ? facts.status.value : undefined;
    const address = targetAddressOf(raw);
    const facts0 = evidence(
      ['Instance', `${subject.instanceId}${raw.Tags?.find((t) => t.Key === 'Name')?.Value ? ` (${raw.Tags.find((t) => t.Key === 'Name')?.Value})` : ''}`],
      ['State', state],
      ['System status', status?.system],
      ['Instance status', status?.instance],
      ['Private address', address],
      ['Port', `${subject.port} (${serviceOf(subject.port)})`],
      ['Scheduled events', status?.events.join('; ')],
    );
    if (state === 'stopped' || state === 'stopping') {
      return verdict(check, {
        status: 'fail',
        summary: `The instance is ${state}.`,
        explanation: 'An endpoint can only reach a running instance. Start it (it takes a minute or two to boot), then try again.',
        evidence: facts0,
        fixes: state === 'stopped' ? [startFix(facts)] : [],
      });
    }
    if (state === 'terminated' || state === 'shutting-down') {
      return verdict(check, { status: 'fail', summary: `The instance is ${state}.`, explanation: 'A terminated instance is gone for good. Save its replacement as a host instead.', evidence: facts0 });
    }
    if (state === 'pending') {
      return verdict(check, { status: 'warn', summary: 'The instance is starting.', explanation: 'Wait until it is running and its operating system has booted (a minute or two), then try again.', evidence: facts0 });
    }
    if (!address) {
      return verdict(check, { status: 'fail', summary: 'The instance has no private address.', explanation: 'An endpoint reaches instances by their private IPv4 or IPv6 address; this one has neither.', evidence: facts0 });
    }
    if (status && (status.system === 'impaired' || status.instance === 'impaired')) {
      return verdict(check, {
        status: 'fail',
        summary: `A status check failed (${status.system === 'impaired' ? 'system' : 'instance'}).`,
        explanation:
          status.system === 'impaired'
            ? 'AWS sees a problem with the hardware or network under the instance. Stop and start it (not reboot) to move it to healthy hardware.'
            : 'The operating system is not answering (out of memory, a full disk, a kernel panic, a broken network setup). Look at the system log or a screenshot in the EC2 console, then reboot it.',
        evidence: facts0,
      });
    }
    const actual = platformOf(facts);
    if (subject.hostId && subject.platform && actual && subject.platform !== actual) {
      return verdict(check, {
        status: 'fail',
        summary: `The host is saved as ${subject.platform === 'windows' ? 'Windows' : 'Linux'}, but the instance runs ${actual === 'windows' ? 'Windows' : 'Linux'}.`,
        explanation:
          actual === 'windows'
            ? 'Windows instances are reached over RDP (port 3389), not SSH. Edit the host: choose Windows, so double-click opens your RDP client with the Administrator password.'
            : 'Linux instances are reached over SSH (port 22). Edit the host: choose Linux, so double-click opens a terminal.',
        evidence: [...facts0, ...evidence(['Platform (EC2)', raw.PlatformDetails ?? actual])],
      });
    }
    const portKnown = (KNOWN_PORTS as readonly number[]).includes(subject.port);
    const expected = platformOf(facts) === 'windows' ? 3389 : 22;
    if (facts.failure?.code === 'EIC_PORT_NOT_ALLOWED') {
      return verdict(check, {
        status: 'fail',
        summary: `The endpoint refused port ${subject.port}.`,
        explanation: `EC2 Instance Connect Endpoints open tunnels only to the ports the service accepts (22 and 3389 so far). ${facts.failure.message} Run the service on ${expected}, or reach port ${subject.port} through an SSH port forward over port 22.`,
        evidence: facts0,
      });
    }
    if (!portKnown) {
      return verdict(check, {
        status: 'warn',
        summary: `Port ${subject.port} may not be accepted by EC2 Instance Connect Endpoints.`,
        explanation: `Endpoints have accepted tunnels only to ports 22 and 3389. If the service refuses ${subject.port}, run the service on ${expected} or reach it through an SSH port forward.`,
        evidence: facts0,
      });
    }
    if (status && (status.system === 'initializing' || status.instance === 'initializing' || status.system === 'insufficient-data' || status.instance === 'insufficient-data')) {
      return verdict(check, {
        status: 'warn',
        summary: 'The instance is running; its status checks are not complete yet.',
        explanation: 'It may still be booting: sshd or Remote Desktop may not be listening yet. Wait a minute and try again.',
        evidence: facts0,
      });
    }
    return verdict(check, {
      status: 'pass',
      summary: `Running${status ? ', status checks passed' : ''}; ${serviceOf(subject.port)} on port ${subject.port}.`,
      explanation: status ? 'The instance runs and both EC2 status checks pass.' : 'The instance runs (its status checks could not be read).',
      evidence: [...facts0, ...(facts.status && !facts.status.ok ? evidence(['Status checks', `not readable (${facts.status.error.code})`]) : [])],
    });
  },
};
