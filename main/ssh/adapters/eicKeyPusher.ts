import { pushPublicKey, type CliInstanceConnect } from '../../eice/cliTarget';
import type { KeyPusher, ResolvedTarget } from '../ports';

/** The EC2 Instance Connect client of a profile in a Region, and the profile's name for sentences. */
export type InstanceConnectFor = (profileId: string, region: string) => Promise<{ eic: CliInstanceConnect; profileName: string }>;

/** Pushes the ephemeral key with SendSSHPublicKey, the same call (and error table) as the CLI's --push-key. */
export class EicKeyPusher implements KeyPusher {
  constructor(private readonly instanceConnectFor: InstanceConnectFor) {}

  async push(target: ResolvedTarget, publicKey: string, signal: AbortSignal): Promise<void> {
    const { eic, profileName } = await this.instanceConnectFor(target.profileId, target.region);
    signal.throwIfAborted();
    await pushPublicKey(
      eic,
      { instanceId: target.instanceId, osUser: target.osUser, publicKey, ...(target.availabilityZone ? { availabilityZone: target.availabilityZone } : {}) },
      { region: target.region, profile: profileName },
    );
  }
}
