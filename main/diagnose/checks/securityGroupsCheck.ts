import type { SecurityGroup } from '@aws-sdk/client-ec2';
import { parseCidr } from '../../network/cidr';
import { allowsInbound, allowsOutbound, describePermission, egressRuleToCidr, planInboundRules, type RuleRequest } from '../../network/securityGroups';
import { evidence, verdict, type Check, type CheckVerdict, type ProposedFix } from '../checkTypes';
import { chosenEndpointOf, groupsById, instanceOf, serviceOf, subnetOf, targetAddressOf, unreadable, vpcCidrsOf } from '../derive';

const check = { id: 'securityGroups', title: 'Security groups' } as const;

const nameOf = (g: SecurityGroup | undefined, id: string): string => (g?.GroupName ? `${id} (${g.GroupName})` : id);

/** The request in the form the AWS CLI and CloudTrail show it: for the preview. */
export function describeRuleRequest(action: 'AuthorizeSecurityGroupIngress' | 'AuthorizeSecurityGroupEgress', request: RuleRequest): string {
  const p = request.IpPermissions[0];
  const peers = [
    ...(p?.UserIdGroupPairs ?? []).map((g) => `UserIdGroupPairs=[{GroupId=${g.GroupId}${g.Description ? `,Description="${g.Description}"` : ''}}]`),
    ...(p?.IpRanges ?? []).map((r) => `IpRanges=[{CidrIp=${r.CidrIp}${r.Description ? `,Description="${r.Description}"` : ''}}]`),
    ...(p?.Ipv6Ranges ?? []).map((r) => `Ipv6Ranges=[{CidrIpv6=${r.CidrIpv6}${r.Description ? `,Description="${r.Description}"` : ''}}]`),
  ];
  return `ec2:${action} GroupId=${request.GroupId} IpPermissions=[{IpProtocol=${p?.IpProtocol},FromPort=${p?.FromPort},ToPort=${p?.ToPort},${peers.join(',')}}]`;
}

function rulesOf(groups: readonly SecurityGroup[], direction: 'ingress' | 'egress'): string {
  const lines = groups.flatMap((g) => ((direction === 'ingress' ? g.IpPermissions : g.IpPermissionsEgress) ?? []).flatMap((p) => describePermission(p, direction)).map((l) => `${g.GroupId}: ${l}`));
  return lines.length > 0 ? lines.join('; ') : 'none';
}

/**
 * Check 5: the instance's security groups let the port in from the endpoint (its group, or its
 * subnet's addresses when PreserveClientIp is off; the person's public IP when on), and the
 * endpoint's groups let it out to the instance. Fixes add the missing rule, the inbound one with
 * the endpoint's group as source (it works in both modes, EICE.md).
 */
export const securityGroupsCheck: Check = {
  ...check,
  needs: ['instance', 'endpoint', 'network', 'probes'],
  evaluate(facts): CheckVerdict {
    const raw = instanceOf(facts);
    const endpoint = chosenEndpointOf(facts);
    if (!raw || !endpoint) {
      return verdict(check, { status: 'skip', summary: raw ? 'Needs a usable endpoint.' : 'Needs the instance.', explanation: 'The path is checked from the endpoint to the instance; one of them is missing (see above).' });
    }
    const fact = facts.securityGroups;
    if (!fact || !fact.ok) {
      return verdict(check, {
        status: 'skip',
        summary: 'The security groups could not be read.',
        explanation: fact ? unreadable('the security groups', fact.error) : 'They were not looked up.',
        evidence: fact && !fact.ok ? evidence(['Error', fact.error.code], ['AWS error', fact.error.awsCode]) : [],
      });
    }
    const port = facts.subject.port;
    const service = serviceOf(port);
    const address = targetAddressOf(raw) ?? '';
    const instanceGroupIds = (raw.SecurityGroups ?? []).map((g) => g.GroupId).filter((id): id is string => !!id);
    const instanceGroups = groupsById(facts, instanceGroupIds);
    const endpointGroups = groupsById(facts, endpoint.securityGroupIds);
    const endpointSubnet = subnetOf(facts, endpoint.subnetId);
    const publicIp = facts.probes.publicIp?.ok ? facts.probes.publicIp.value : undefined;
    const sourceCidr = endpoint.preserveClientIp ? (publicIp ? `${publicIp}/32` : undefined) : (address.includes(':') ? endpointSubnet?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock : endpointSubnet?.CidrBlock);
    const inbound = allowsInbound(instanceGroups.found, { port, peer: { groupIds: endpoint.securityGroupIds, ...(sourceCidr ? { cidr: sourceCidr } : {}) } });
    const outbound = allowsOutbound(endpointGroups.found, { port, peer: { groupIds: instanceGroupIds, ...(address ? { cidr: address } : {}) } });
    const names = (g: { found: SecurityGroup[] }, ids: string[]): string => ids.map((id) => nameOf(g.found.find((x) => x.GroupId === id), id)).join(', ');

    const base = evidence(
      ['Instance groups', names(instanceGroups, instanceGroupIds)],
      ['Endpoint groups', names(endpointGroups, endpoint.securityGroupIds)],
      ['Preserve client IP', endpoint.preserveClientIp ? `on (source: ${publicIp ?? 'your public IP, unknown'})` : `off (source: ${endpointSubnet?.CidrBlock ?? endpoint.subnetId}, the endpoint's subnet)`],
      ['Inbound allowed by', inbound.allowedBy.map((m) => `${m.groupId}: ${m.text}`).join('; ') || (inbound.partial.map((m) => `${m.groupId}: ${m.text} (part)`).join('; ') || 'no rule')],
      ['Outbound allowed by', outbound.allowedBy.map((m) => `${m.groupId}: ${m.text}`).join('; ') || (outbound.partial.map((m) => `${m.groupId}: ${m.text} (part)`).join('; ') || 'no rule')],
    );
    const missing = [...instanceGroups.missing, ...endpointGroups.missing];
    if (missing.length > 0 && (inbound.verdict !== 'allowed' || outbound.verdict !== 'allowed')) {
      return verdict(check, {
        status: 'warn',
        summary: `${missing.join(', ')} could not be read.`,
        explanation: `Some of the groups were not in the answer (deleted, or in another account), so whether they allow ${service} is unknown.`,
        evidence: base,
      });
    }

    const problems: string[] = [];
    const fixes: ProposedFix[] = [];
    if (inbound.verdict !== 'allowed') {
      const plan = planInboundRules({ targets: [{ instanceId: raw.InstanceId ?? facts.subject.instanceId, securityGroupIds: instanceGroupIds, port }], groups: instanceGroups.found, endpoint: { securityGroupIds: endpoint.securityGroupIds, ...(sourceCidr ? { subnetCidr: sourceCidr } : {}), id: endpoint.id } });
      const rule = plan.rules[0];
      const sourceName = nameOf(endpointGroups.found.find((g) => g.GroupId === endpoint.securityGroupIds[0]), endpoint.securityGroupIds[0] ?? '');
      problems.push(
        inbound.verdict === 'uncertain'
          ? `The instance's groups allow ${service} (port ${port}) from only part of the endpoint's addresses (${inbound.partial.map((m) => m.text).join('; ')}).`
          : `No rule of the instance's groups lets ${service} (TCP ${port}) in from the endpoint: not from its group ${sourceName}${endpoint.preserveClientIp ? `, nor from your public IP ${publicIp ?? '(unknown)'}` : `, nor from its subnet ${sourceCidr ?? ''}`}. Their inbound rules: ${rulesOf(instanceGroups.found, 'ingress')}.`,
      );
      if (rule) {
        const target = nameOf(instanceGroups.found.find((g) => g.GroupId === rule.groupId), rule.groupId);
        fixes.push({
          offer: {
            fixId: `authorizeIngress:${rule.groupId}:${port}:${rule.sourceGroupId}`,
            kind: 'authorizeIngress',
            label: 'Add the inbound rule',
            preview: [
              `Add an inbound rule to ${target}: TCP ${port} from ${sourceName} (the endpoint's security group).`,
              `Every instance in ${rule.groupId} becomes reachable on port ${port} from ${endpoint.id}, and from nothing else. Existing rules stay as they are.`,
            ],
            rerun: ['securityGroups', 'failure'],
          },
          action: { kind: 'authorizeIngress', request: rule.request, text: `TCP ${port} from ${rule.sourceGroupId} on ${rule.groupId}` },
        });
      }
    }
    if (outbound.verdict !== 'allowed') {
      const vpcCidr = vpcCidrsOf(facts).find((c) => parseCidr(c)?.family === (address.includes(':') ? 6 : 4));
      const groupId = endpoint.securityGroupIds[0];
      problems.push(`The endpoint's groups do not let TCP ${port} out to the instance (${address}). Their outbound rules: ${rulesOf(endpointGroups.found, 'egress')}. An endpoint's group needs outbound rules to its targets; its inbound rules do not matter.`);
      if (groupId && vpcCidr) {
        const request = egressRuleToCidr({ groupId, port, cidr: vpcCidr, description: `Bastionless: ${service} to instances of ${raw.VpcId ?? 'the VPC'}` });
        const group = nameOf(endpointGroups.found.find((g) => g.GroupId === groupId), groupId);
        fixes.push({
          offer: {
            fixId: `authorizeEgress:${groupId}:${port}:${vpcCidr}`,
            kind: 'authorizeEgress',
            label: 'Add the outbound rule',
            preview: [`Add an outbound rule to ${group}: TCP ${port} to ${vpcCidr} (the VPC).`, `The endpoint can then reach port ${port} of the instances in its VPC (their own groups still decide). Existing rules stay as they are.`],
            rerun: ['securityGroups', 'failure'],
          },
          action: { kind: 'authorizeEgress', request, text: `TCP ${port} to ${vpcCidr} on ${groupId}` },
        });
      }
    }
    if (problems.length === 0) {
      return verdict(check, {
        status: 'pass',
        summary: `The groups allow ${service} from the endpoint to the instance.`,
        explanation: `Inbound: ${inbound.allowedBy[0]?.text ?? ''} (${inbound.allowedBy[0]?.groupId ?? ''}). Outbound from the endpoint: ${outbound.allowedBy[0]?.text ?? ''} (${outbound.allowedBy[0]?.groupId ?? ''}).`,
        evidence: base,
      });
    }
    const uncertainOnly = inbound.verdict !== 'denied' && outbound.verdict !== 'denied';
    const preserveUnknown = endpoint.preserveClientIp && !publicIp && inbound.verdict === 'denied' && outbound.verdict === 'allowed';
    return verdict(check, {
      status: uncertainOnly || preserveUnknown ? 'warn' : 'fail',
      summary: inbound.verdict !== 'allowed' && outbound.verdict !== 'allowed' ? `Neither the instance's nor the endpoint's groups allow ${service}.` : inbound.verdict !== 'allowed' ? `The instance's groups do not let ${service} in from the endpoint.` : `The endpoint's groups do not let ${service} out.`,
      explanation: `${problems.join('\n\n')}${preserveUnknown ? '\n\nThe endpoint preserves client IPs and your public address could not be found, so a rule for your address could not be checked.' : ''}`,
      evidence: base,
      fixes,
    });
  },
};
