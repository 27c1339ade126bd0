import {
  AuthorizeSecurityGroupIngressCommand,
  AuthorizeSecurityGroupIngressRequest$,
  CreateInstanceConnectEndpointCommand,
  CreateInstanceConnectEndpointRequest$,
  DescribeInstanceConnectEndpointsCommand,
  DescribeInstanceConnectEndpointsResult$,
  DescribeInstancesCommand,
  DescribeInstancesRequest$,
  EC2Client,
  ImportKeyPairCommand,
  ImportKeyPairRequest$,
} from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, AssumeRoleRequest$, AssumeRoleResponse$, STSClient } from '@aws-sdk/client-sts';
import { HttpResponse } from '@smithy/protocol-http';
import type { Schema } from '@smithy/types';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeQuery, encodeXml } from '../../sandbox/aws/queryCodec';

const credentials = { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY' };

/** A request handler that keeps the form body the SDK serialised and answers with `reply`. */
class Capture {
  body = '';
  constructor(private readonly reply = '') {}
  async handle(request: { body?: unknown }): Promise<{ response: HttpResponse }> {
    this.body = String(request.body ?? '');
    return { response: new HttpResponse({ statusCode: 200, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(this.reply)]) }) };
  }
}

async function formOf(send: (client: EC2Client) => Promise<unknown>): Promise<URLSearchParams> {
  const capture = new Capture('<Response/>');
  await send(new EC2Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials, requestHandler: capture })).catch(() => undefined);
  return new URLSearchParams(capture.body);
}

describe('the EC2 query codec', () => {
  it('decodes what the SDK\u2019s own serializer sends, lists, nested lists and structures included', async () => {
    const describe = { Filters: [{ Name: 'tag:Team', Values: ['web', 'ci'] }, { Name: 'instance-state-name', Values: ['running'] }], MaxResults: 5, DryRun: true };
    expect(decodeQuery(DescribeInstancesRequest$ as Schema, await formOf((c) => c.send(new DescribeInstancesCommand(describe))), 'ec2')).toEqual(describe);
    const authorize = { GroupId: 'sg-0123', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: 'sg-0456', Description: 'EICE' }], IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] };
    expect(decodeQuery(AuthorizeSecurityGroupIngressRequest$ as Schema, await formOf((c) => c.send(new AuthorizeSecurityGroupIngressCommand(authorize))), 'ec2')).toEqual(authorize);
    const create = { SubnetId: 'subnet-0123', SecurityGroupIds: ['sg-1', 'sg-2'], PreserveClientIp: false, ClientToken: 'token', TagSpecifications: [{ ResourceType: 'instance-connect-endpoint' as const, Tags: [{ Key: 'Name', Value: 'a b&c' }] }] };
    expect(decodeQuery(CreateInstanceConnectEndpointRequest$ as Schema, await formOf((c) => c.send(new CreateInstanceConnectEndpointCommand(create))), 'ec2')).toEqual(create);
    const material = new TextEncoder().encode('ssh-ed25519 AAAA test');
    const imported = decodeQuery(ImportKeyPairRequest$ as Schema, await formOf((c) => c.send(new ImportKeyPairCommand({ KeyName: 'k', PublicKeyMaterial: material }))), 'ec2');
    expect(Buffer.from(imported['PublicKeyMaterial'] as Uint8Array).toString()).toBe('ssh-ed25519 AAAA test');
  });

  it('encodes responses the SDK parses back to the same object', async () => {
    const output = {
      InstanceConnectEndpoints: [{ InstanceConnectEndpointId: 'eice-1', State: 'create-complete' as const, CreatedAt: new Date('2024-05-06T07:08:09.123Z'), PreserveClientIp: false, SecurityGroupIds: ['sg-1'], Tags: [{ Key: 'Name', Value: '<&>' }] }],
      NextToken: 'next',
    };
    const xml = encodeXml(DescribeInstanceConnectEndpointsResult$ as Schema, output, { root: 'DescribeInstanceConnectEndpointsResponse', namespace: 'http://ec2.amazonaws.com/doc/2016-11-15/', requestId: 'req-1' });
    expect(xml).toContain('<requestId>req-1</requestId>');
    const parsed = await new EC2Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials, requestHandler: new Capture(xml) }).send(new DescribeInstanceConnectEndpointsCommand({}));
    expect(parsed.InstanceConnectEndpoints).toEqual(output.InstanceConnectEndpoints);
    expect(parsed.NextToken).toBe('next');
  });

  it('speaks the plain query flavour for STS, nested Result element included', async () => {
    const capture = new Capture('<x/>');
    const input = { RoleArn: 'arn:aws:iam::123456789012:role/R', RoleSessionName: 's', DurationSeconds: 900, PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] };
    await new STSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials, requestHandler: capture }).send(new AssumeRoleCommand(input)).catch(() => undefined);
    expect(decodeQuery(AssumeRoleRequest$ as Schema, new URLSearchParams(capture.body), 'query')).toEqual(input);
    const output = { Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date('2030-01-01T00:00:00.000Z') }, AssumedRoleUser: { AssumedRoleId: 'AROA:s', Arn: 'arn' } };
    const xml = encodeXml(AssumeRoleResponse$ as Schema, output, { root: 'AssumeRoleResponse', nested: 'AssumeRoleResult', namespace: 'https://sts.amazonaws.com/doc/2011-06-15/', requestId: 'r' });
    const parsed = await new STSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials, requestHandler: new Capture(xml) }).send(new AssumeRoleCommand(input));
    expect(parsed.Credentials).toEqual(output.Credentials);
    expect(parsed.AssumedRoleUser).toEqual(output.AssumedRoleUser);
  });
});
