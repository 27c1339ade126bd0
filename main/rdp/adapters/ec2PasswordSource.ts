import { DescribeKeyPairsCommand, GetPasswordDataCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { mapAwsError } from '../../aws/errors';
import type { RdpInstanceRef, WindowsPasswordSource } from '../rdpIo';

/** The EC2 client of a profile in a Region (AwsClientFactory.forProfile). */
export type Ec2For = (profileId: string, region: string) => Promise<{ ec2: EC2Client; profileName: string }>;

/** GetPasswordData and DescribeKeyPairs through the app's AWS clients. */
export class Ec2PasswordSource implements WindowsPasswordSource {
  constructor(private readonly ec2For: Ec2For) {}

  async getPasswordData(ref: RdpInstanceRef): Promise<string> {
    const { ec2, profileName } = await this.ec2For(ref.profileId, ref.region);
    try {
      const out = await ec2.send(new GetPasswordDataCommand({ InstanceId: ref.instanceId }));
      return out.PasswordData ?? '';
    } catch (error) {
      throw mapAwsError(error, { action: `get the Windows password of ${ref.instanceId}`, region: ref.region, profile: profileName });
    }
  }

  async keyPairType(ref: { profileId: string; region: string; keyName: string }): Promise<string | undefined> {
    const { ec2 } = await this.ec2For(ref.profileId, ref.region);
    const out = await ec2.send(new DescribeKeyPairsCommand({ KeyNames: [ref.keyName] }));
    return out.KeyPairs?.[0]?.KeyType;
  }
}
