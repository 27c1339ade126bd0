import { isUsableEndpoint } from '../../eice/endpoints';
import { evidence, verdict, type Check, type ProposedFix } from '../checkTypes';
import { chosenEndpointOf, instanceOf, targetAddressOf, unreadable, vpcEndpointsOf } from '../derive';
import type { DiagnosisFacts } from '../facts';

const check = { id: 'endpoint', title: 'EC2 Instance Connect Endpoint' } as const;

function wizardFix(facts: DiagnosisFacts, vpcId: string, label: string): ProposedFix {
  return {
    offer: {
      fixId: `openEndpoints:${vpcId}`,
      kind: 'openEndpoints',
      label,
      preview: [`Opens the endpoint setup wizard for ${vpcId} in ${facts.subject.region}.`],
      rerun: ['endpoint', 'securityGroups', 'networkAcls', 'failure'],
      endpoints: { profileId: facts.subject.profileId, region: facts.subject.region, vpcId },
    },
    action: { kind: 'openEndpoints' },
  };
}

/**
 * Check 4: the instance's VPC has an endpoint that can open tunnels (create-complete or
 * update-*), AWS's StateMessage when it cannot, and the endpoint's IP type fits the address.
 */
export const endpointCheck: Check = {
  ...check,
  needs: ['instance', 'endpoint'],
  evaluate(facts) {
    const raw = instanceOf(facts);
    if (!raw) return verdict(check, { status: 'skip', summary: 'Needs the instance.', explanation: 'Without the instance its VPC is unknown, so its endpoint cannot be looked for.' });
    const vpcId = raw.VpcId;
    if (!vpcId) return verdict(check, { status: 'fail', summary: 'The instance is not in a VPC.', explanation: 'EC2 Instance Connect Endpoints reach only instances in a VPC (EC2-Classic instances cannot be reached).' });
    const fact = facts.endpoints;
    if (!fact || !fact.ok) {
      return verdict(check, {
        status: 'skip',
        summary: 'The endpoints could not be listed.',
        explanation: fact ? unreadable(`the endpoints of ${vpcId}`, fact.error) : 'They were not looked up.',
        evidence: fact && !fact.ok ? evidence(['Error', fact.error.code], ['AWS error', fact.error.awsCode]) : [],
      });
    }
    const all = vpcEndpointsOf(facts);
    if (all.length === 0) {
      return verdict(check, {
        status: 'fail',
        summary: `${vpcId} has no EC2 Instance Connect Endpoint.`,
        explanation: `Bastionless reaches instances without public addresses through an endpoint in their VPC, and ${vpcId} has none. Set one up with the wizard: it is free, takes a few minutes, and one endpoint serves every instance in the VPC.`,
        evidence: evidence(['VPC', vpcId], ['Region', facts.subject.region]),
        fixes: [wizardFix(facts, vpcId, 'Set up an endpoint')],
      });
    }
    const chosen = chosenEndpointOf(facts);
    if (!chosen) {
      const first = [...all].sort((a, b) => (a.state === 'create-in-progress' ? -1 : b.state === 'create-in-progress' ? 1 : 0))[0]!;
      const creating = first.state === 'create-in-progress';
      return verdict(check, {
        status: creating ? 'warn' : 'fail',
        summary: `The endpoint ${first.id} is ${first.state}.`,
        explanation: creating
          ? 'A new endpoint takes a few minutes (sometimes up to ten) to become ready. Try again once it is create-complete.'
          : `It cannot open tunnels in this state.${first.stateMessage ? ` AWS says: "${first.stateMessage}"` : ''} ${first.state.startsWith('delete') ? 'Once it is gone, create a new one.' : 'Delete it and create a new one with the wizard.'}`,
        evidence: evidence(['Endpoint', first.id], ['State', first.state], ['State message', first.stateMessage], ['Subnet', first.subnetId], ['VPC', vpcId]),
        fixes: creating ? [] : [wizardFix(facts, vpcId, 'Open the endpoint wizard')],
      });
    }
    const address = targetAddressOf(raw);
    const ipv6Target = !!address && address.includes(':');
    const type = chosen.ipAddressType ?? 'ipv4';
    const base = evidence(
      ['Endpoint', chosen.id],
      ['State', chosen.state],
      ['State message', chosen.stateMessage],
      ['Subnet', `${chosen.subnetId}${chosen.availabilityZone ? ` (${chosen.availabilityZone})` : ''}`],
      ['IP address type', type],
      ['Preserve client IP', chosen.preserveClientIp ? 'on' : 'off'],
      ['Target address', address],
    );
    if ((type === 'ipv4' && ipv6Target) || (type === 'ipv6' && address && !ipv6Target)) {
      return verdict(check, {
        status: 'fail',
        summary: `The endpoint is ${type}, the instance's address is IPv${ipv6Target ? '6' : '4'}.`,
        explanation: `An ${type} endpoint can only reach IPv${type === 'ipv4' ? '4' : '6'} addresses. Use a dualstack endpoint, or give the instance an ${type === 'ipv4' ? 'IPv4' : 'IPv6'} address.`,
        evidence: base,
        fixes: [wizardFix(facts, vpcId, 'Open the endpoint wizard')],
      });
    }
    const others = all.filter((e) => e.id !== chosen.id && !isUsableEndpoint(e));
    const update = chosen.state.startsWith('update');
    return verdict(check, {
      status: update && chosen.state === 'update-failed' ? 'warn' : 'pass',
      summary: `${chosen.id} is ${chosen.state}.`,
      explanation:
        (update ? `The endpoint is ${chosen.state}: it keeps opening tunnels with its previous settings.${chosen.stateMessage ? ` AWS says: "${chosen.stateMessage}"` : ''} ` : 'The endpoint can open tunnels. ') +
        (chosen.subnetId === raw.SubnetId ? 'It is in the instance’s own subnet.' : `It is in ${chosen.subnetId}; the instance is in ${raw.SubnetId ?? 'another subnet'} (traffic between Availability Zones is billed).`) +
        (others.length > 0 ? ` ${others.map((e) => `${e.id} is ${e.state}`).join('; ')}.` : ''),
      evidence: base,
    });
  },
};
