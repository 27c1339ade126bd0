import type { NetworkAcl } from '@aws-sdk/client-ec2';
import { DEFAULT_DENY_RULE_NUMBER, evaluateAclPath, type AclLeg } from '../../network/networkAcls';
import { evidence, verdict, type Check, type ProposedFix } from '../checkTypes';
import { chosenEndpointOf, instanceOf, serviceOf, subnetOf, targetAddressOf, unreadable } from '../derive';

const check = { id: 'networkAcls', title: 'Network ACLs' } as const;

/** A rule number just before the one that denies, not taken in that direction. */
function freeRuleNumber(acl: NetworkAcl | undefined, leg: AclLeg): number {
  const taken = new Set((acl?.Entries ?? []).filter((e) => !!e.Egress === (leg.direction === 'outbound')).map((e) => e.RuleNumber));
  const deciding = leg.result.decisions.find((d) => d.action === 'deny')?.rule.ruleNumber ?? DEFAULT_DENY_RULE_NUMBER;
  for (let n = Math.min(deciding - 1, 32766); n >= 1; n -= 1) if (!taken.has(n)) return n;
  return 1;
}

/** The AWS CLI command that adds an allow entry opening what `leg` needs (shown, never run). */
function commandFor(acl: NetworkAcl | undefined, leg: AclLeg): string {
  const peer = leg.peer.includes('/') ? leg.peer : `${leg.peer}/${leg.peer.includes(':') ? 128 : 32}`;
  return [
    'aws ec2 create-network-acl-entry',
    `--network-acl-id ${leg.aclId}`,
    leg.direction === 'inbound' ? '--ingress' : '--egress',
    `--rule-number ${freeRuleNumber(acl, leg)}`,
    '--protocol tcp',
    `--port-range From=${leg.ports.from},To=${leg.ports.to}`,
    peer.includes(':') ? `--ipv6-cidr-block ${peer}` : `--cidr-block ${peer}`,
    '--rule-action allow',
  ].join(' ');
}

function legWords(leg: AclLeg): string {
  const denied = leg.result.decisions.filter((d) => d.action === 'deny');
  const by = [...new Set(denied.map((d) => d.rule.text))].join(', ');
  const ports = denied.map((d) => (d.from === d.to ? `${d.from}` : `${d.from}-${d.to}`)).join(', ');
  const what = leg.purpose === 'request' ? 'the connection' : 'the return traffic';
  if (leg.result.verdict === 'uncertain') return `${leg.aclId} (${leg.subnetId}): ${leg.text}: depends on the exact address (${leg.result.uncertainBy.map((r) => r.text).join(', ')}).`;
  return `${leg.aclId} (${leg.subnetId}) blocks ${what}: ${leg.direction} TCP ${ports} ${leg.direction === 'inbound' ? 'from' : 'to'} ${leg.peer} is denied by ${by}.`;
}

/**
 * Check 6: the network ACLs of the endpoint's and the instance's subnets let the connection
 * through and its answers back (they are stateless: four legs). No automatic fix: an ACL applies
 * to a whole subnet, so the commands that open exactly what is missing are offered to copy.
 */
export const networkAclsCheck: Check = {
  ...check,
  needs: ['instance', 'endpoint', 'network', 'probes'],
  evaluate(facts) {
    const raw = instanceOf(facts);
    const endpoint = chosenEndpointOf(facts);
    if (!raw || !endpoint) return verdict(check, { status: 'skip', summary: raw ? 'Needs a usable endpoint.' : 'Needs the instance.', explanation: 'The path is checked from the endpoint to the instance; one of them is missing (see above).' });
    const address = targetAddressOf(raw);
    if (!raw.SubnetId || !address) return verdict(check, { status: 'skip', summary: 'The instance has no subnet or address.', explanation: 'See the instance check.' });
    if (endpoint.subnetId === raw.SubnetId) {
      return verdict(check, {
        status: 'pass',
        summary: 'The endpoint and the instance share a subnet.',
        explanation: 'Network ACLs filter only traffic that enters or leaves a subnet, so they do not apply here.',
        evidence: evidence(['Subnet', raw.SubnetId]),
      });
    }
    const fact = facts.networkAcls;
    if (!fact || !fact.ok) {
      return verdict(check, {
        status: 'skip',
        summary: 'The network ACLs could not be read.',
        explanation: fact ? unreadable('the network ACLs', fact.error) : 'They were not looked up.',
        evidence: fact && !fact.ok ? evidence(['Error', fact.error.code], ['AWS error', fact.error.awsCode]) : [],
      });
    }
    const endpointSubnet = subnetOf(facts, endpoint.subnetId);
    const sourceAddress = (address.includes(':') ? endpointSubnet?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock : endpointSubnet?.CidrBlock) ?? undefined;
    if (!sourceAddress) {
      return verdict(check, { status: 'skip', summary: "The endpoint's subnet could not be read.", explanation: 'Its address range is needed to check the ACL rules.', evidence: evidence(['Subnet', endpoint.subnetId]) });
    }
    const publicIp = facts.probes.publicIp?.ok ? facts.probes.publicIp.value : undefined;
    const port = facts.subject.port;
    const path = evaluateAclPath({
      port,
      source: { subnetId: endpoint.subnetId, address: sourceAddress },
      ...(endpoint.preserveClientIp && publicIp ? { apparentSource: publicIp } : {}),
      target: { subnetId: raw.SubnetId, address },
      acls: fact.value,
      ...(raw.VpcId ? { vpcId: raw.VpcId } : {}),
    });
    const aclById = new Map(fact.value.map((a) => [a.NetworkAclId, a]));
    const base = [
      ...path.acls.map((a) => ({ label: `ACL of ${a.subnetId}`, value: `${a.aclId}${a.association === 'default' ? ' (VPC default)' : ''}` })),
      ...path.legs.map((l) => ({ label: `${l.direction} ${l.purpose}`, value: `${l.text}: ${l.result.verdict}${l.result.decisions[0] ? ` (${[...new Set(l.result.decisions.map((d) => d.rule.text))].join(', ')})` : ''}` })),
    ];
    if (path.verdict === 'allowed') {
      return verdict(check, {
        status: 'pass',
        summary: `Both subnets' ACLs allow ${serviceOf(port)} and its return traffic.`,
        explanation: `The ACLs of ${endpoint.subnetId} and ${raw.SubnetId} let TCP ${port} through and the answers back on ports 1024-65535.`,
        evidence: base,
      });
    }
    if (path.verdict === 'unknown') {
      return verdict(check, { status: 'warn', summary: `The ACL of ${path.missing.join(', ')} was not found.`, explanation: 'Bastionless could not tell which network ACL applies there, so that part of the path is unchecked.', evidence: base });
    }
    const bad = path.legs.filter((l) => l.result.verdict !== 'allowed');
    const requestBlocked = bad.some((l) => l.purpose === 'request' && l.result.verdict === 'denied');
    const commands = bad.filter((l) => l.result.verdict !== 'uncertain').map((l) => commandFor(aclById.get(l.aclId), l));
    const fixes: ProposedFix[] =
      commands.length > 0
        ? [
            {
              offer: {
                fixId: 'copy:networkAcl',
                kind: 'copy',
                label: 'Copy the ACL commands',
                preview: ['Copies the AWS CLI commands that add the missing allow rules, placed just before the rule that denies. An ACL applies to every instance in its subnet: review them before running them.'],
                text: commands.join('\n'),
                rerun: [],
              },
              action: { kind: 'copy', text: commands.join('\n') },
            },
          ]
        : [];
    return verdict(check, {
      status: path.verdict === 'denied' || requestBlocked ? 'fail' : 'warn',
      summary: requestBlocked ? `A network ACL blocks ${serviceOf(port)}.` : path.verdict === 'uncertain' ? 'Whether the ACLs allow it depends on the exact address.' : 'A network ACL blocks the return traffic.',
      explanation:
        bad.map(legWords).join('\n') +
        '\n\nNetwork ACLs are stateless: besides the port itself, the answers need to pass on the ephemeral ports (1024-65535) in the other direction, at both subnets.',
      evidence: base,
      fixes,
    });
  },
};
