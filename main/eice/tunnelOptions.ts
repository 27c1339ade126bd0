import type { AwsCredentials } from './presign';
import type { TunnelOpenOptions } from './tunnelManager';

/**
 * What a tunnel needs from a profile: credentials (resolved afresh for every tunnel: they may
 * rotate), the environment (proxies, extra CAs, BASTIONLESS_EICE_ADDRESS), FIPS, and the principal
 * its IAM duration cap is remembered for.
 */
export type ProfileTunnelOptions = Pick<TunnelOpenOptions, 'credentials' | 'env' | 'useFips' | 'principal'>;

/** A profile's tunnel options in a Region. Fails like the profile's AWS context (AWS_PROFILE_NOT_FOUND...). */
export type TunnelOptionsFor = (profileId: string, region: string) => Promise<ProfileTunnelOptions>;

/** The slice of an AWS context (main/aws/clients.ts AwsContext) a tunnel reads. */
export interface TunnelAwsContext {
  profileId: string;
  credentials: () => Promise<AwsCredentials>;
  env: NodeJS.ProcessEnv;
  useFips: boolean;
}

/** TunnelOptionsFor over the app's AWS contexts: the one way SSH, RDP and diagnose get their tunnel options. */
export function tunnelOptionsFrom(forProfile: (profileId: string, region: string) => Promise<TunnelAwsContext>): TunnelOptionsFor {
  return async (profileId, region) => {
    const ctx = await forProfile(profileId, region);
    return { credentials: () => ctx.credentials(), env: ctx.env, useFips: ctx.useFips, principal: ctx.profileId };
  };
}
