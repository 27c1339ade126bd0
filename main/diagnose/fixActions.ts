import { isAbsolute, join } from 'node:path';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateKeyPairCommand,
  DeleteKeyPairCommand,
  DescribeInstancesCommand,
  StartInstancesCommand,
  type CreateKeyPairCommandOutput,
  type DescribeInstancesCommandOutput,
} from '@aws-sdk/client-ec2';
import { AppError, type CreateKeyPairOptions, type FixOffer, type FixPreview } from '../../preload/contract';
import { awsErrorFacts, mapAwsError } from '../aws/errors';
import { registerSecret } from '../log';
import { keyPairAccount } from '../rdp/rdpIo';
import type { FixAction } from './checkTypes';
import type { AwsSender, DiagnoseAws } from './diagnoseIo';
import { describeRuleRequest } from './checks/securityGroupsCheck';

/** What applying fixes needs besides AWS: the saved hosts, the keychain, new files. */
export interface DiagnoseActionsIo {
  /** Changes a saved host's OS user or Region (nothing else). Fails with NOT_FOUND, STORE_WRITE_FAILED. */
  updateHost(hostId: string, patch: { osUser?: string; region?: string }): Promise<void>;
  /** Makes the saved host sign in with this private key (it goes to the host's keychain entry). Fails with KEYCHAIN_*, STORE_*. */
  useKeyPair(hostId: string, privateKey: string): Promise<void>;
  /** A keychain secret, or null. Fails with KEYCHAIN_*. */
  readSecret(account: string): Promise<string | null>;
  /** Stores a keychain secret. Fails with KEYCHAIN_*. */
  storeSecret(account: string, secret: string): Promise<void>;
  /**
   * Checks that `path` can become a new file: absolute, not existing, its folder existing.
   * Fails with INVALID_INPUT saying what is wrong.
   */
  checkNewFile(path: string): Promise<void>;
  /** Creates `path` with `content`, mode 0600, failing (and writing nothing) if it exists. */
  writeNewFile(path: string, content: string): Promise<void>;
  /** The person's home folder, for `~/` in paths. */
  homeDir: string;
}

export interface FixContext {
  profileId: string;
  profileName: string;
  region: string;
  aws: DiagnoseAws;
  io: DiagnoseActionsIo;
  /** Stops waiting (for an instance to run) when the diagnosis is closed. */
  signal?: AbortSignal;
  /** How long to wait for a started instance to run (default 5 minutes). */
  startWaitMs?: number;
}

/**
 * Waits (polling DescribeInstances, 1 s then up to 5 s apart) until the instance is running, so
 * the checks re-run against a running instance and "Try again" can connect. Resolves with the
 * last state seen; gives up quietly after `startWaitMs` or when the run is closed.
 */
async function waitUntilRunning(ctx: FixContext, ec2: AwsSender, instanceId: string): Promise<string> {
  const deadline = Date.now() + (ctx.startWaitMs ?? 5 * 60_000);
  let delay = 1000;
  let state = 'pending';
  while (Date.now() < deadline && !ctx.signal?.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, delay);
      t.unref?.();
      ctx.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
    delay = Math.min(delay * 1.5, 5000);
    try {
      const out = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))) as DescribeInstancesCommandOutput;
      state = out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId)?.State?.Name ?? state;
    } catch {
      // A throttled or failed poll is not the end of the wait.
    }
    if (state === 'running' || state === 'stopped' || state === 'terminated') break;
  }
  return state;
}

/** A path as the person typed it: `~/` is their home folder. */
export function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

function requireKeyOptions(action: Extract<FixAction, { kind: 'createKeyPair' }>, options: CreateKeyPairOptions | undefined): CreateKeyPairOptions {
  if (!options) throw new AppError('INVALID_INPUT', 'Say how to create the key pair: its name, type and where its private key goes.', { hint: 'Fill in the form of the fix.' });
  if (action.windows && options.type !== 'rsa') {
    throw new AppError('INVALID_INPUT', 'Windows instances need an RSA key pair.', { hint: 'Choose RSA: AWS cannot encrypt the Administrator password with ED25519.' });
  }
  return options;
}

/** What a call's DryRun says about permission: AWS answers DryRunOperation when it would have worked. */
async function dryRun(ctx: FixContext, send: (dry: boolean) => Promise<unknown>, action: string): Promise<FixPreview['permission']> {
  try {
    await send(true);
    return { state: 'unknown', message: 'AWS ran the check without answering it.' };
  } catch (error) {
    const name = awsErrorFacts(error).name;
    if (name === 'DryRunOperation') return { state: 'allowed' };
    if (name === 'UnauthorizedOperation' || name === 'AccessDenied' || name === 'AccessDeniedException') {
      return { state: 'denied', message: `Your identity is not allowed to call ${action}: ask your AWS administrator for it.` };
    }
    return { state: 'unknown', message: mapAwsError(error, { action: `check permission for ${action}`, region: ctx.region, profile: ctx.profileName }).message };
  }
}

/**
 * What a main-side fix will do, with a DryRun of its AWS call where AWS has one. Window-side
 * fixes (copy, open the wizard) have nothing to preview here.
 */
export async function previewAction(ctx: FixContext, offer: FixOffer, action: FixAction, options: CreateKeyPairOptions | undefined): Promise<Omit<FixPreview, 'confirmToken'>> {
  const ec2 = async () => (await ctx.aws.clientsFor(ctx.profileId, ctx.region)).ec2;
  switch (action.kind) {
    case 'authorizeIngress':
    case 'authorizeEgress': {
      const ingress = action.kind === 'authorizeIngress';
      const client = await ec2();
      const send = (dry: boolean) => client.send(ingress ? new AuthorizeSecurityGroupIngressCommand({ ...action.request, DryRun: dry }) : new AuthorizeSecurityGroupEgressCommand({ ...action.request, DryRun: dry }));
      const name = ingress ? 'AuthorizeSecurityGroupIngress' : 'AuthorizeSecurityGroupEgress';
      return { fixId: offer.fixId, lines: offer.preview, calls: [describeRuleRequest(name, action.request)], permission: await dryRun(ctx, send, `ec2:${name}`) };
    }
    case 'startInstance': {
      const client = await ec2();
      return {
        fixId: offer.fixId,
        lines: offer.preview,
        calls: [`ec2:StartInstances InstanceIds=[${action.instanceId}]`],
        permission: await dryRun(ctx, (dry) => client.send(new StartInstancesCommand({ InstanceIds: [action.instanceId], DryRun: dry })), 'ec2:StartInstances'),
      };
    }
    case 'createKeyPair': {
      const o = requireKeyOptions(action, options);
      const where = o.storage.to === 'keychain' ? 'your OS keychain' : expandHome(o.storage.path, ctx.io.homeDir);
      if (o.storage.to === 'file') await ctx.io.checkNewFile(where);
      const client = await ec2();
      return {
        fixId: offer.fixId,
        lines: [
          `Create the ${o.type.toUpperCase()} key pair "${o.name}" in ${ctx.region}.`,
          o.storage.to === 'keychain' ? 'Keep its private key in your OS keychain (Bastionless uses it for this key pair from now on).' : `Write its private key to ${where}, readable only by you (0600). It is shown nowhere else: keep that file safe.`,
          ...offer.preview.slice(1),
        ],
        calls: [`ec2:CreateKeyPair KeyName=${o.name} KeyType=${o.type} KeyFormat=pem`, o.storage.to === 'keychain' ? `keychain: store ${keyPairAccount(ctx.profileId, ctx.region, o.name)}` : `file: create ${where} (0600)`],
        permission: await dryRun(ctx, (dry) => client.send(new CreateKeyPairCommand({ KeyName: o.name, KeyType: o.type, KeyFormat: 'pem', DryRun: dry })), 'ec2:CreateKeyPair'),
      };
    }
    case 'updateHost':
      return { fixId: offer.fixId, lines: offer.preview, calls: [`hosts: save ${action.hostId} with ${Object.entries(action.patch).map(([k, v]) => `${k}=${v}`).join(', ')}`], permission: { state: 'allowed' } };
    case 'useKeyPair': {
      const secret = await ctx.io.readSecret(action.keychainAccount);
      if (!secret) throw new AppError('KEYCHAIN_SECRET_MISSING', `Your keychain no longer holds the private key of ${action.keyName}.`, { hint: 'Edit the host and choose the key pair’s private key file instead.' });
      return { fixId: offer.fixId, lines: offer.preview, calls: [`hosts: save ${action.hostId} with auth=keyPair (the key of ${action.keyName}, kept in the keychain)`], permission: { state: 'allowed' } };
    }
    case 'copy':
    case 'openEndpoints':
      throw new AppError('INVALID_INPUT', 'This fix happens in the window: there is nothing to confirm.', { hint: 'Use its button directly.' });
  }
}

/**
 * Applies a fix. Either everything it does happens, or nothing: a key pair whose private key
 * could not be kept is deleted again. Resolves with what was done, in plain words.
 */
export async function applyAction(ctx: FixContext, action: FixAction, options: CreateKeyPairOptions | undefined): Promise<string> {
  const where = { region: ctx.region, profile: ctx.profileName };
  switch (action.kind) {
    case 'authorizeIngress':
    case 'authorizeEgress': {
      const { ec2 } = await ctx.aws.clientsFor(ctx.profileId, ctx.region);
      const ingress = action.kind === 'authorizeIngress';
      try {
        await ec2.send(ingress ? new AuthorizeSecurityGroupIngressCommand(action.request) : new AuthorizeSecurityGroupEgressCommand(action.request));
      } catch (error) {
        // Someone (or an earlier click) added it already: the goal is met.
        if (awsErrorFacts(error).name === 'InvalidPermission.Duplicate') return `The rule ${action.text} was already there.`;
        throw mapAwsError(error, { action: `add the ${ingress ? 'inbound' : 'outbound'} rule ${action.text}`, ...where });
      }
      return `Added ${ingress ? 'inbound' : 'outbound'} rule ${action.text}.`;
    }
    case 'startInstance': {
      const { ec2 } = await ctx.aws.clientsFor(ctx.profileId, ctx.region);
      try {
        await ec2.send(new StartInstancesCommand({ InstanceIds: [action.instanceId] }));
      } catch (error) {
        throw mapAwsError(error, { action: `start ${action.instanceId}`, ...where });
      }
      const state = await waitUntilRunning(ctx, ec2, action.instanceId);
      return state === 'running' ? `Started ${action.instanceId}; it is running (its operating system may need a minute more to boot).` : `Asked EC2 to start ${action.instanceId}; it is still ${state}. Try again in a minute.`;
    }
    case 'createKeyPair': {
      const o = requireKeyOptions(action, options);
      const path = o.storage.to === 'file' ? expandHome(o.storage.path, ctx.io.homeDir) : undefined;
      if (path) {
        if (!isAbsolute(path)) throw new AppError('INVALID_INPUT', `"${o.storage.to === 'file' ? o.storage.path : ''}" is not a full path.`, { hint: 'Give a path from the root (or starting with ~/).' });
        await ctx.io.checkNewFile(path);
      }
      const { ec2 } = await ctx.aws.clientsFor(ctx.profileId, ctx.region);
      let material: string;
      try {
        const out = (await ec2.send(new CreateKeyPairCommand({ KeyName: o.name, KeyType: o.type, KeyFormat: 'pem' }))) as CreateKeyPairCommandOutput;
        material = out.KeyMaterial ?? '';
      } catch (error) {
        throw mapAwsError(error, { action: `create the key pair "${o.name}"`, ...where });
      }
      // The private key must never reach a log line, even by accident.
      if (material) registerSecret(material);
      try {
        if (!material) throw new AppError('AWS_REQUEST_FAILED', 'AWS created the key pair but sent no private key.', { hint: 'Delete the key pair in the EC2 console and try again.' });
        if (path) await ctx.io.writeNewFile(path, material.endsWith('\n') ? material : `${material}\n`);
        else await ctx.io.storeSecret(keyPairAccount(ctx.profileId, ctx.region, o.name), material);
      } catch (error) {
        // The private key exists nowhere now: a key pair nobody can use must not stay behind.
        await ec2.send(new DeleteKeyPairCommand({ KeyName: o.name })).catch(() => undefined);
        throw error;
      }
      return path
        ? `Created the ${o.type.toUpperCase()} key pair "${o.name}"; its private key is in ${path} (0600).`
        : `Created the ${o.type.toUpperCase()} key pair "${o.name}"; its private key is in your OS keychain.`;
    }
    case 'updateHost':
      await ctx.io.updateHost(action.hostId, action.patch);
      return `Saved the host with ${Object.entries(action.patch).map(([k, v]) => `${k === 'osUser' ? 'OS user' : 'Region'} ${v}`).join(' and ')}.`;
    case 'useKeyPair': {
      const secret = await ctx.io.readSecret(action.keychainAccount);
      if (!secret) throw new AppError('KEYCHAIN_SECRET_MISSING', `Your keychain no longer holds the private key of ${action.keyName}.`, { hint: 'Edit the host and choose the key pair’s private key file instead.' });
      await ctx.io.useKeyPair(action.hostId, secret);
      return `The host now signs in with the key pair ${action.keyName}.`;
    }
    case 'copy':
    case 'openEndpoints':
      throw new AppError('INVALID_INPUT', 'This fix happens in the window.', { hint: 'Use its button directly.' });
  }
}
