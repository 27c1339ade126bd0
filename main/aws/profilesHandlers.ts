import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { AppError, type MainHandlers } from '../../preload/contract';
import type { AwsClientFactory } from './clients';
import { mapAwsError } from './errors';
import type { ProfilesService } from './profilesService';
import type { PromptBroker } from './prompts';
import type { SsoService } from './sso';

export interface ProfilesHandlerDeps {
  profiles: ProfilesService;
  aws: AwsClientFactory;
  prompts: PromptBroker;
  sso: SsoService;
}

/** The `profiles` domain of the contract, over the profiles, credentials and SSO services. */
export function createProfilesHandlers({ profiles, aws, prompts, sso }: ProfilesHandlerDeps): MainHandlers['profiles'] {
  const ssoProfile = async (id: string) => {
    const p = await profiles.resolve(id);
    if (p.source !== 'config' || !p.config.sso) {
      throw new AppError('INVALID_INPUT', `Profile "${p.name}" does not use IAM Identity Center (SSO).`, { hint: 'Sign-in applies only to SSO profiles.' });
    }
    if (!p.config.sso.startUrl || !p.config.sso.ssoRegion) {
      throw new AppError('AWS_PROFILE_INVALID', `Profile "${p.name}" is missing its SSO start URL or Region.`, { hint: p.config.problems[0] ?? 'Run `aws configure sso` to fix it.' });
    }
    return { sso: p.config.sso, ref: { id: p.id, name: p.name, endpoints: p.endpoints } };
  };

  return {
    list: () => profiles.list(),
    sources: () => profiles.sources(),
    save: async (input) => {
      const saved = await profiles.save(input);
      // An edited profile's old credentials and clients must not be used again.
      aws.invalidate(saved.id);
      return saved;
    },
    remove: async ({ id }) => {
      await profiles.remove(id);
      aws.invalidate(id);
      return null;
    },
    test: async ({ id, region }) => {
      const ctx = await aws.forProfile(id, region);
      const action = { action: 'check who this profile is (STS GetCallerIdentity)', region: ctx.region, profile: ctx.profileName };
      try {
        const creds = await ctx.credentials();
        const out = await ctx.sts.send(new GetCallerIdentityCommand({}));
        return {
          profileId: id,
          account: out.Account ?? '',
          arn: out.Arn ?? '',
          userId: out.UserId ?? '',
          region: ctx.region,
          ...(creds.expiration ? { expiresAt: creds.expiration.toISOString() } : {}),
        };
      } catch (error) {
        const mapped = mapAwsError(error, action);
        // Refused credentials are not kept: the next attempt fetches (or asks for) fresh ones.
        if (['AWS_CREDENTIALS_EXPIRED', 'AWS_CREDENTIALS_INVALID', 'AWS_MFA_INVALID', 'AWS_SSO_SIGN_IN_REQUIRED'].includes(mapped.code)) aws.credentials.invalidate(id);
        throw mapped;
      }
    },
    answerPrompt: ({ promptId, mfaCode, cancel }) => {
      prompts.answer(promptId, { ...(mfaCode ? { mfaCode } : {}), ...(cancel ? { cancel } : {}) });
      return null;
    },
    openPrompts: () => prompts.open(),
    signIn: async ({ id }) => {
      const { sso: settings, ref } = await ssoProfile(id);
      return sso.signIn(settings, ref);
    },
    openSignInPage: async ({ id }) => {
      const { sso: settings } = await ssoProfile(id);
      await sso.reopenPage(settings);
      return null;
    },
    cancelSignIn: async ({ id }) => {
      const { sso: settings } = await ssoProfile(id);
      sso.cancelSignIn(settings);
      return null;
    },
  };
}
