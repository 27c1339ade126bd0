import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log';
import { JsonStore } from '../storage/jsonStore';
import type { HostKeyIdentity } from './hostKeyFingerprint';

const KnownHost = z.object({
  algorithm: z.string(),
  fingerprint: z.string().startsWith('SHA256:'),
  firstSeen: z.string(),
  lastSeen: z.string(),
});
export type KnownHost = z.infer<typeof KnownHost>;

const KnownHostsFile = z.object({
  /** Instance id -> the host key trusted for it. Instance ids are never reused, so they key it. */
  instances: z.record(z.string(), KnownHost),
});
type KnownHostsFile = z.infer<typeof KnownHostsFile>;

export type HostKeyVerdict =
  | { status: 'trusted'; known: KnownHost }
  | { status: 'new' }
  | { status: 'changed'; known: KnownHost };

/**
 * Host keys trusted on first use, one per instance, in `<dataDir>/known-hosts.json`. A key that
 * differs from the remembered one is never trusted silently: only `trust()` after the person
 * accepted it replaces it.
 */
export class KnownHosts {
  private readonly store: JsonStore<KnownHostsFile>;

  constructor(dataDir: string, log: Logger, private readonly now: () => Date = () => new Date()) {
    this.store = new JsonStore<KnownHostsFile>({
      file: join(dataDir, 'known-hosts.json'),
      version: 1,
      schema: KnownHostsFile,
      empty: () => ({ instances: {} }),
      log: log.child('knownHosts'),
    });
  }

  /** The key remembered for an instance, if any. */
  async get(instanceId: string): Promise<KnownHost | undefined> {
    const data = await this.store.load();
    return data.instances[instanceId];
  }

  async check(instanceId: string, key: HostKeyIdentity): Promise<HostKeyVerdict> {
    const known = await this.get(instanceId);
    if (!known) return { status: 'new' };
    return known.fingerprint === key.fingerprint && known.algorithm === key.algorithm ? { status: 'trusted', known } : { status: 'changed', known };
  }

  /**
   * Remembers `key` for the instance: on first use, after an accepted change (firstSeen starts
   * again), or to refresh lastSeen. Fails with STORE_WRITE_FAILED.
   */
  async trust(instanceId: string, key: HostKeyIdentity): Promise<KnownHost> {
    const at = this.now().toISOString();
    const next = await this.store.update((data) => {
      const known = data.instances[instanceId];
      const same = known && known.fingerprint === key.fingerprint && known.algorithm === key.algorithm;
      const entry: KnownHost = { algorithm: key.algorithm, fingerprint: key.fingerprint, firstSeen: same ? known.firstSeen : at, lastSeen: at };
      return { instances: { ...data.instances, [instanceId]: entry } };
    });
    return next.instances[instanceId]!;
  }

  /** Forgets the instance's key (the instance was terminated, or the person asked). */
  async forget(instanceId: string): Promise<void> {
    await this.store.update((data) => {
      const { [instanceId]: _gone, ...rest } = data.instances;
      return { instances: rest };
    });
  }

  /** Set when the file was unusable and was recovered from its backup or started empty. */
  get recovery() {
    return this.store.recovery;
  }
}
