import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeRegionsCommand, DescribeVpcsCommand, type EC2Client, type Image, type Instance as Ec2Instance } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import {
  AppError,
  Instance as InstanceSchema,
  InventorySnapshot as SnapshotSchema,
  type Instance,
  type InventoryScope,
  type InventorySnapshot,
  type Profile,
} from '../../../preload/contract';
import { describeAllEndpoints, type EndpointFacts } from '../../eice/endpoints';
import type { Logger } from '../../log';
import { JsonStore } from '../../storage/jsonStore';
import { mapAwsError } from '../errors';
import { toInstance } from './instanceFacts';
import { findInstance, mergeSameInstances, splitByProfile } from './instanceReach';

/** Where discovery gets its clients and profiles (AwsClientFactory and ProfilesService in the app). */
export interface InventoryDeps {
  /** The EC2 client for a profile in a Region (default: the profile's Region). */
  forProfile(profileId: string, region?: string): Promise<{ region: string; profileName: string; ec2: EC2Client }>;
  /** Every profile, to pick defaults and names. */
  listProfiles(): Promise<Profile[]>;
  /**
   * The AWS account a profile's credentials belong to (STS GetCallerIdentity; AwsClientFactory
   * remembers it). Instances two profiles of one account find are listed once. Without it, or
   * when it fails, that profile's instances are never merged with another's.
   */
  accountOf?(profileId: string): Promise<string>;
}

export interface InventoryServiceOptions extends InventoryDeps {
  dataDir: string;
  log: Logger;
  /** A scope of a run changed (the `inventory.progressed` event). */
  onProgress?: (progress: { runId: string; scope: InventoryScope; completed: number; total: number }) => void;
  /** How many profile x Region scans run at once. */
  concurrency?: number;
  now?: () => Date;
}

const CacheFile = z.object({ snapshot: SnapshotSchema });
type CacheFile = z.infer<typeof CacheFile>;

const IMAGE_BATCH = 100;
/** Kinds that resolve credentials without asking the person: scanned by default. */
const QUIET_KINDS = new Set<Profile['kind']>(['environment', 'static', 'appManaged', 'credentialProcess']);

const emptySnapshot = (): InventorySnapshot => ({ running: false, scopes: [], instances: [], totals: { instances: 0, publicIpv4: 0, publicIpv4MonthlyUsd: 0 } });

class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

interface Run {
  id: string;
  abort: AbortController;
  done: Promise<InventorySnapshot>;
}

/**
 * Discovery: lists instances and endpoints for chosen profiles and Regions (or every enabled
 * Region, from DescribeRegions), several scopes at a time, streaming progress. A failing Region
 * is reported on its scope and never stops the others. The last inventory is kept in
 * inventory.json (no secrets in it) so the Hosts view has something to show at start-up, and
 * `getInstance` serves the SSH/RDP/diagnose features cached facts, refreshed on demand.
 * States: idle or running one run; a newer refresh cancels the running one; `dispose()` stops it.
 */
export class InventoryService {
  private readonly store: JsonStore<CacheFile>;
  private snapshot: InventorySnapshot | undefined;
  private run: Run | undefined;
  private disposed = false;
  /** The Profiles view's order, as last read: the first profile that reaches an instance owns it. */
  private profileOrder: string[] = [];
  private readonly now: () => Date;

  constructor(private readonly options: InventoryServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.store = new JsonStore({
      file: join(options.dataDir, 'inventory.json'),
      version: 1,
      schema: CacheFile,
      empty: () => ({ snapshot: emptySnapshot() }),
      log: options.log.child('inventory.json'),
    });
  }

  /**
   * The last inventory (kept across restarts), with `running` set while a refresh runs. Instances
   * of profiles that no longer exist (removed in the app or from ~/.aws) are left out.
   */
  async last(): Promise<InventorySnapshot> {
    const snapshot = await this.current();
    const known = await this.options.listProfiles().then(
      (profiles) => {
        this.profileOrder = profiles.map((p) => p.id);
        return new Set(this.profileOrder);
      },
      () => undefined,
    );
    if (!known || snapshot.instances.every((i) => (i.profileIds ?? [i.profileId]).every((p) => known.has(p)))) return { ...snapshot, running: !!this.run };
    // A removed profile no longer reaches anything; an instance another profile reaches stays, under it.
    const instances = mergeSameInstances(
      splitByProfile(snapshot.instances).filter((i) => known.has(i.profileId)),
      this.profileOrder,
    );
    return { ...snapshot, running: !!this.run, instances, scopes: snapshot.scopes.filter((s) => known.has(s.profileId)), totals: totalsOf(instances) };
  }

  /** An instance of the last inventory, if `profileId` reaches it (its own profile or another of its account). */
  async knownInstance(profileId: string, region: string, instanceId: string): Promise<Instance | undefined> {
    return findInstance((await this.last()).instances, profileId, region, instanceId);
  }

  /**
   * Scans the chosen profiles and Regions and resolves with the merged inventory. Instances of
   * scopes that were not scanned (or failed) keep their previous facts. A newer call cancels
   * this one, which then rejects with CANCELLED.
   */
  async refresh(input: { profileIds?: readonly string[] | undefined; regions?: readonly string[] | undefined }): Promise<InventorySnapshot> {
    if (this.disposed) throw new AppError('CANCELLED', 'Bastionless is shutting down.', { hint: '' });
    const profiles = await this.chooseProfiles(input.profileIds);
    this.run?.abort.abort();
    const run: Run = { id: `r-${randomBytes(6).toString('hex')}`, abort: new AbortController(), done: Promise.resolve(emptySnapshot()) };
    this.run = run;
    run.done = this.execute(run, profiles, input.regions).finally(() => {
      if (this.run === run) this.run = undefined;
    });
    return run.done;
  }

  /**
   * One instance's facts: from the last inventory, or read from AWS when `refresh` is set or it
   * is not known. Fails with NOT_FOUND (no such instance there) or AWS_* codes.
   */
  async getInstance(profileId: string, region: string, instanceId: string, options: { refresh?: boolean } = {}): Promise<Instance> {
    const snapshot = await this.current();
    const cached = findInstance(snapshot.instances, profileId, region, instanceId);
    if (cached && !options.refresh) return cached;
    const ctx = await this.options.forProfile(profileId, region);
    const ec2 = ctx.ec2;
    const action = { action: `read instance ${instanceId}`, region, profile: ctx.profileName };
    let raw: Ec2Instance | undefined;
    try {
      const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      raw = out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
    } catch (error) {
      throw mapAwsError(error, action);
    }
    if (!raw) {
      throw new AppError('NOT_FOUND', `There is no instance ${instanceId} in ${region} for profile "${ctx.profileName}".`, {
        hint: 'It may have been terminated, or belong to another account or Region: refresh the Hosts view.',
      });
    }
    const images = await this.describeImages(ec2, raw.ImageId ? [raw.ImageId] : [], undefined).catch(() => new Map<string, Image>());
    let endpoints: EndpointFacts[] = [];
    if (raw.VpcId) {
      try {
        endpoints = await describeAllEndpoints(ec2, [{ Name: 'vpc-id', Values: [raw.VpcId] }]);
      } catch (error) {
        throw mapAwsError(error, { ...action, action: `list the endpoints of ${raw.VpcId}` });
      }
    }
    const vpcNames = await this.vpcNames(ec2, raw.VpcId ? [raw.VpcId] : [], undefined);
    const accountId = await this.accountOf(profileId);
    const instance = toInstance({ profileId, region, raw, image: raw.ImageId ? images.get(raw.ImageId) : undefined, endpoints, vpcNames, fetchedAt: this.now().toISOString() });
    return this.replaceInstance(accountId ? { ...instance, accountId } : instance);
  }

  /** Every endpoint of a VPC, read from AWS now (paged). Fails with AWS_* codes. */
  async vpcEndpoints(profileId: string, region: string, vpcId: string): Promise<EndpointFacts[]> {
    const ctx = await this.options.forProfile(profileId, region);
    try {
      return await describeAllEndpoints(ctx.ec2, [{ Name: 'vpc-id', Values: [vpcId] }]);
    } catch (error) {
      throw mapAwsError(error, { action: `list the endpoints of ${vpcId}`, region, profile: ctx.profileName });
    }
  }

  /** Stops a running scan (its refresh() rejects with CANCELLED); requests in flight are aborted. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.run?.abort.abort();
    this.run = undefined;
  }

  private async current(): Promise<InventorySnapshot> {
    if (!this.snapshot) {
      const data = await this.store.load();
      this.snapshot ??= { ...data.snapshot, running: false };
    }
    return this.snapshot;
  }

  /** The profile's account, or undefined when it cannot be told (its instances are then not merged). */
  private async accountOf(profileId: string): Promise<string | undefined> {
    if (!this.options.accountOf) return undefined;
    try {
      return await this.options.accountOf(profileId);
    } catch (error) {
      this.options.log.info('account of a profile unknown: its instances are not merged with other profiles\'', { profileId, error });
      return undefined;
    }
  }

  private async chooseProfiles(ids: readonly string[] | undefined): Promise<Profile[]> {
    const all = await this.options.listProfiles();
    this.profileOrder = all.map((p) => p.id);
    if (ids) {
      return [...new Set(ids)].map((id) => {
        const found = all.find((p) => p.id === id);
        if (!found) {
          throw new AppError('AWS_PROFILE_NOT_FOUND', `There is no AWS profile "${id.replace(/^config:/, '')}".`, { hint: 'Pick profiles from the Profiles view.' });
        }
        return found;
      });
    }
    if (all.length === 0) {
      throw new AppError('AWS_CREDENTIALS_MISSING', 'There is no AWS profile to look for instances with.', {
        hint: 'Add a profile in the Profiles view, or set one up with `aws configure`.',
      });
    }
    const chosen = all.filter((p) => p.problems.length === 0 && (p.isDefault || (QUIET_KINDS.has(p.kind) && !p.mfaSerial)));
    if (chosen.length === 0) {
      throw new AppError('INVALID_INPUT', 'Choose which profiles to scan: each of yours asks for an MFA code or a sign-in.', {
        hint: 'Pick profiles in the Hosts view’s scan settings.',
      });
    }
    return chosen;
  }

  private async execute(run: Run, profiles: Profile[], regions: readonly string[] | undefined): Promise<InventorySnapshot> {
    const previous = await this.current();
    const startedAt = this.now().toISOString();
    const limiter = new Limiter(Math.max(1, this.options.concurrency ?? 6));
    const scopes = new Map<string, InventoryScope>();
    const results = new Map<string, Instance[]>();
    const key = (profileId: string, region: string): string => `${profileId}\u0000${region}`;
    let completed = 0;

    const publish = (scope: InventoryScope): void => {
      scopes.set(key(scope.profileId, scope.region), scope);
      if (scope.state === 'done' || scope.state === 'failed') completed += 1;
      this.snapshot = this.merge(previous, run.id, startedAt, scopes, results, undefined);
      this.options.onProgress?.({ runId: run.id, scope, completed, total: scopes.size });
    };
    const cancelled = (): boolean => run.abort.signal.aborted;
    // Asked once per profile, alongside its scans: which account each profile's instances belong to.
    const accounts = new Map(profiles.map((p) => [p.id, this.accountOf(p.id)]));
    // Per profile, the opt-in status of every Region, read once and only when a Region refused the credentials.
    const optIn = new Map<string, Promise<Map<string, string> | undefined>>();

    const scanRegion = async (profile: Profile, region: string): Promise<void> => {
      const base = { profileId: profile.id, profileName: profile.name, region, instanceCount: 0, endpointCount: 0 };
      await limiter.run(async () => {
        if (cancelled()) return;
        publish({ ...base, state: 'loading' });
        try {
          const { instances, endpointCount, warning } = await this.scan(profile, region, run.abort.signal);
          const accountId = await accounts.get(profile.id);
          if (cancelled()) return;
          results.set(key(profile.id, region), accountId ? instances.map((i) => ({ ...i, accountId })) : instances);
          publish({ ...base, state: 'done', instanceCount: instances.length, endpointCount, finishedAt: this.now().toISOString(), ...(warning ? { warning: warning.toJSON() } : {}) });
        } catch (error) {
          if (cancelled()) return;
          let appError = mapAwsError(error, { action: 'list instances', region, profile: profile.name });
          if (appError.code === 'AWS_CREDENTIALS_INVALID') appError = await this.explainAuthFailure(profile, region, appError, optIn);
          this.options.log.warn('a Region could not be scanned', { profileId: profile.id, region, code: appError.code });
          publish({ ...base, state: 'failed', error: appError.toJSON(), finishedAt: this.now().toISOString() });
        }
      });
    };

    const scanProfile = async (profile: Profile): Promise<void> => {
      let profileRegions = regions ? [...regions] : undefined;
      if (!profileRegions) {
        const listing = { profileId: profile.id, profileName: profile.name, region: '*', instanceCount: 0, endpointCount: 0 };
        publish({ ...listing, state: 'loading' });
        try {
          profileRegions = await limiter.run(() => this.enabledRegions(profile, run.abort.signal));
          scopes.delete(key(profile.id, '*'));
        } catch (error) {
          if (cancelled()) return;
          const appError = mapAwsError(error, { action: 'list the enabled Regions', profile: profile.name });
          publish({ ...listing, state: 'failed', error: appError.toJSON(), finishedAt: this.now().toISOString() });
          // Without the Region list, still scan the profile's own Region.
          profileRegions = profile.region ? [profile.region] : [];
        }
      }
      for (const region of profileRegions) publish({ profileId: profile.id, profileName: profile.name, region, instanceCount: 0, endpointCount: 0, state: 'queued' });
      await Promise.all(profileRegions.map((region) => scanRegion(profile, region)));
    };

    await Promise.all(profiles.map((p) => scanProfile(p)));
    if (cancelled()) {
      throw new AppError('CANCELLED', 'This scan was replaced by a newer one.', { hint: 'The newer scan’s results are shown.' });
    }
    const finished = this.merge(previous, run.id, startedAt, scopes, results, this.now().toISOString());
    this.snapshot = finished;
    await this.store.update(() => ({ snapshot: finished })).catch((error: unknown) => this.options.log.warn('inventory cache not saved', { error }));
    return finished;
  }

  /**
   * EC2 answers AuthFailure in a Region that is not enabled for the account, exactly as for a bad
   * key. When the account's Region list says the Region is not opted in, say that instead.
   */
  private async explainAuthFailure(profile: Profile, region: string, error: AppError, cache: Map<string, Promise<Map<string, string> | undefined>>): Promise<AppError> {
    let statuses = cache.get(profile.id);
    if (!statuses) {
      statuses = (async () => {
        try {
          const ctx = await this.options.forProfile(profile.id);
          const out = await ctx.ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
          return new Map((out.Regions ?? []).filter((r) => r.RegionName).map((r) => [r.RegionName as string, r.OptInStatus ?? '']));
        } catch {
          return undefined;
        }
      })();
      cache.set(profile.id, statuses);
    }
    const status = (await statuses)?.get(region);
    if (status !== 'not-opted-in') return error;
    return new AppError('AWS_REGION_DISABLED', `Could not list instances in ${region} with profile "${profile.name}": the Region ${region} is not enabled for this account (AWS refuses credentials there until it is).`, {
      hint: 'Enable the Region in the AWS console (Account > AWS Regions), or leave it out of the scan.',
      ...(error.requestId ? { requestId: error.requestId } : {}),
      cause: error,
    });
  }

  private async enabledRegions(profile: Profile, signal: AbortSignal): Promise<string[]> {
    const ctx = await this.options.forProfile(profile.id);
    const out = await (ctx.ec2).send(new DescribeRegionsCommand({}), { abortSignal: signal });
    return (out.Regions ?? [])
      .filter((r) => !r.OptInStatus || r.OptInStatus === 'opt-in-not-required' || r.OptInStatus === 'opted-in')
      .map((r) => r.RegionName)
      .filter((r): r is string => !!r)
      .sort();
  }

  private async scan(profile: Profile, region: string, signal: AbortSignal): Promise<{ instances: Instance[]; endpointCount: number; warning?: AppError }> {
    const ctx = await this.options.forProfile(profile.id, region);
    const ec2 = ctx.ec2;
    const raws: Ec2Instance[] = [];
    let nextToken: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await ec2.send(new DescribeInstancesCommand({ MaxResults: 1000, ...(nextToken ? { NextToken: nextToken } : {}) }), { abortSignal: signal });
      for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) if (i.InstanceId && i.State?.Name !== 'terminated') raws.push(i);
      nextToken = page.NextToken || undefined;
      if (nextToken && seen.has(nextToken)) break;
      if (nextToken) seen.add(nextToken);
    } while (nextToken);

    let warning: AppError | undefined;
    let endpoints: EndpointFacts[] = [];
    let endpointsUnknown = false;
    const ctxError = { region, profile: profile.name };
    try {
      endpoints = await describeAllEndpoints(ec2);
    } catch (error) {
      endpointsUnknown = true;
      warning = mapAwsError(error, { ...ctxError, action: 'list the EC2 Instance Connect Endpoints' });
    }
    let images = new Map<string, Image>();
    try {
      images = await this.describeImages(ec2, [...new Set(raws.map((i) => i.ImageId).filter((id): id is string => !!id))], signal);
    } catch (error) {
      // Without AMI names the OS is guessed from the platform: worth a warning, not a failure.
      warning ??= mapAwsError(error, { ...ctxError, action: 'read the AMIs' });
    }
    const vpcNames = await this.vpcNames(ec2, [...new Set(raws.map((i) => i.VpcId).filter((v): v is string => !!v))], signal);
    const fetchedAt = this.now().toISOString();
    const instances = raws.map((raw) => toInstance({ profileId: profile.id, region, raw, image: raw.ImageId ? images.get(raw.ImageId) : undefined, endpoints, vpcNames, fetchedAt }));
    if (endpointsUnknown && warning) {
      // "No endpoint" would be a guess: say the endpoints could not be read, and why.
      const hint = warning.hint;
      for (const i of instances) {
        i.eic.blockers = i.eic.blockers.map((b) =>
          b.code === 'noEndpoint' ? { ...b, message: 'The endpoints of this Region could not be listed, so Bastionless cannot tell whether this VPC has one.', hint } : b,
        );
      }
    }
    return { instances: instances.map((i) => InstanceSchema.parse(i)), endpointCount: endpoints.length, ...(warning ? { warning } : {}) };
  }

  /** The Name tags of these VPCs. Names are a nicety: a refusal (no ec2:DescribeVpcs) leaves them out. */
  private async vpcNames(ec2: EC2Client, ids: string[], signal: AbortSignal | undefined): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    if (ids.length === 0) return names;
    try {
      const out = await ec2.send(new DescribeVpcsCommand({ VpcIds: ids }), signal ? { abortSignal: signal } : {});
      for (const vpc of out.Vpcs ?? []) {
        const name = vpc.Tags?.find((t) => t.Key === 'Name')?.Value;
        if (vpc.VpcId && name) names.set(vpc.VpcId, name);
      }
    } catch (error) {
      this.options.log.info('VPC names not read', { error });
    }
    return names;
  }

  private async describeImages(ec2: EC2Client, ids: string[], signal: AbortSignal | undefined): Promise<Map<string, Image>> {
    const out = new Map<string, Image>();
    for (let i = 0; i < ids.length; i += IMAGE_BATCH) {
      const page = await ec2.send(new DescribeImagesCommand({ ImageIds: ids.slice(i, i + IMAGE_BATCH) }), signal ? { abortSignal: signal } : {});
      for (const image of page.Images ?? []) if (image.ImageId) out.set(image.ImageId, image);
    }
    return out;
  }

  private merge(
    previous: InventorySnapshot,
    runId: string,
    startedAt: string,
    scopes: Map<string, InventoryScope>,
    results: Map<string, Instance[]>,
    finishedAt: string | undefined,
  ): InventorySnapshot {
    const scanned = new Set(results.keys());
    // Per profile, what its last scan found stays where this run did not scan it again.
    const kept = splitByProfile(previous.instances).filter((i) => !scanned.has(`${i.profileId}\u0000${i.region}`));
    const instances = mergeSameInstances([...kept, ...[...results.values()].flat()], this.profileOrder);
    // Scopes of this run replace the same scopes of earlier runs; others stay visible.
    const scopeList = [...previous.scopes.filter((s) => !scopes.has(`${s.profileId}\u0000${s.region}`)), ...scopes.values()];
    return {
      runId,
      running: finishedAt === undefined,
      startedAt,
      ...(finishedAt ? { finishedAt } : {}),
      scopes: scopeList,
      instances,
      totals: totalsOf(instances),
    };
  }

  /** Puts one profile's fresh read of an instance in the snapshot, and returns the instance as listed (merged with the other profiles that reach it). */
  private replaceInstance(instance: Instance): Instance {
    const snapshot = this.snapshot ?? emptySnapshot();
    const sameForProfile = (i: Instance): boolean => i.profileId === instance.profileId && i.region === instance.region && i.instanceId === instance.instanceId;
    const before = findInstance(snapshot.instances, instance.profileId, instance.region, instance.instanceId);
    // Keep who owned it: the order of the profiles seen last, then the order it was listed in.
    const order = [...this.profileOrder, ...(before?.profileIds ?? (before ? [before.profileId] : []))];
    const instances = mergeSameInstances([...splitByProfile(snapshot.instances).filter((i) => !sameForProfile(i)), instance], order);
    this.snapshot = { ...snapshot, instances, totals: totalsOf(instances) };
    return findInstance(instances, instance.profileId, instance.region, instance.instanceId) ?? instance;
  }
}

/** How many instances, how many with a public IPv4, and what those addresses cost a month. */
function totalsOf(instances: readonly Instance[]): InventorySnapshot['totals'] {
  const withIp = instances.filter((i) => i.publicIpv4MonthlyUsd > 0);
  return {
    instances: instances.length,
    publicIpv4: withIp.length,
    publicIpv4MonthlyUsd: Math.round(withIp.reduce((sum, i) => sum + i.publicIpv4MonthlyUsd, 0) * 100) / 100,
  };
}
