import { createPrivateKey, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';
import { z } from 'zod';
import {
  AppError,
  Host,
  type HostAuth,
  type HostId,
  type HostsStatus,
  type Instance,
  type KeyRef,
  type Notice,
  type SaveHostInput,
} from '../../preload/contract';
import { secretAccounts, type SecretStore } from '../aws/keychain';
import type { Logger } from '../log';
import { JsonStore } from '../storage/jsonStore';

const HostsFile = z.object({ hosts: z.array(Host) });
type HostsFile = z.infer<typeof HostsFile>;
type SaveHostValues = z.output<typeof SaveHostInput>;
type KeyValues = NonNullable<SaveHostValues['windowsKey']>;

/** The export file: versioned so a later Bastionless can still read today's exports. */
const ExportFile = z.strictObject({
  format: z.literal('bastionless-hosts'),
  version: z.literal(1),
  exportedAt: z.string(),
  hosts: z.array(Host),
});

export interface HostsServiceOptions {
  dataDir: string;
  keychain: SecretStore;
  log: Logger;
  /** Facts of a discovered instance, to default platform, OS user and port (InventoryService). */
  knownInstance?: (profileId: string, region: string, instanceId: string) => Promise<Instance | undefined>;
  /** Tells the person something they should know (the `app.noticePosted` event). */
  notify?: (notice: Notice) => void;
  /** Saved hosts changed (the `hosts.changed` event). */
  onChanged?: () => void;
  now?: () => Date;
}

export function newHostId(): HostId {
  return `h-${randomBytes(8).toString('hex')}` as HostId;
}

/**
 * Saved hosts in `<dataDir>/hosts.json` (JsonStore: atomic writes, a backup, corrupt files kept
 * aside). A private key or password pasted in the save dialog goes to the OS keychain under
 * `host:<id>:…` and the host only says where it is; a key file is referenced by path. A
 * recovered store is announced once, with where the broken file was kept.
 */
export class HostsService {
  private readonly store: JsonStore<HostsFile>;
  private readonly now: () => Date;
  private loaded: Promise<unknown> | undefined;

  constructor(private readonly options: HostsServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.store = new JsonStore({
      file: join(options.dataDir, 'hosts.json'),
      version: 1,
      schema: HostsFile,
      empty: () => ({ hosts: [] }),
      log: options.log.child('hosts.json'),
    });
  }

  /** Loads hosts.json once; if it had to be recovered, tells the person what happened. Resolves with the current data. */
  async load(): Promise<HostsFile> {
    this.loaded ??= this.store.load().then((data) => {
      const r = this.store.recovery;
      if (r) {
        this.options.log.warn('hosts.json recovered', { from: r.from, reason: r.reason });
        this.options.notify?.({
          level: r.from === 'backup' ? 'warning' : 'error',
          message:
            r.from === 'backup'
              ? `Your saved hosts file could not be read (${r.reason}), so Bastionless loaded its backup. The most recent change may be missing.`
              : `Your saved hosts file could not be read (${r.reason}) and there was no usable backup, so the list starts empty.`,
          hint: r.keptAs ? `The unreadable file was kept, untouched, at ${r.keptAs}.` : 'Nothing was overwritten.',
          at: this.now().toISOString(),
        });
      }
      return data;
    });
    await this.loaded;
    // Always the store's current data: every update replaces it.
    return this.store.get();
  }

  async list(): Promise<Host[]> {
    return (await this.load()).hosts;
  }

  async status(): Promise<HostsStatus> {
    await this.load();
    const r = this.store.recovery;
    return {
      file: this.store.file,
      ...(r ? { recovery: { from: r.from, reason: r.reason, ...(r.keptAs ? { keptAs: r.keptAs } : {}) } } : {}),
    };
  }

  /** One saved host. Fails with NOT_FOUND. */
  async get(id: string): Promise<Host> {
    const host = (await this.load()).hosts.find((h) => h.id === id);
    if (!host) throw hostNotFound(id);
    return host;
  }

  /**
   * Adds or edits a host. Secrets are checked and written to the keychain first; if anything
   * fails (a bad key, the keychain, the disk) nothing is left behind and the store is unchanged.
   */
  async save(input: SaveHostValues): Promise<Host> {
    const data = await this.load();
    const existing = input.id ? data.hosts.find((h) => h.id === input.id) : undefined;
    if (input.id && !existing) throw hostNotFound(input.id);
    const id = existing?.id ?? newHostId();
    const known = existing ? undefined : await this.options.knownInstance?.(input.profileId, input.region, input.instanceId).catch(() => undefined);
    const platform = input.platform ?? existing?.platform ?? known?.platform ?? 'linux';
    const osUser = input.osUser ?? existing?.osUser ?? known?.os.defaultUser ?? (platform === 'windows' ? 'Administrator' : 'ec2-user');
    const port = input.port ?? existing?.port ?? (platform === 'windows' ? 3389 : 22);

    // Work out every secret to write before writing any.
    const writes: { account: string; secret: string }[] = [];
    const deletes: string[] = [];
    const auth = await this.authFor(id, platform, input.auth, existing?.auth, writes, deletes);
    let windowsKey = existing?.windowsKey;
    if (input.windowsKey) windowsKey = await this.keyRef(id, 'windowsKey', input.windowsKey, existing?.windowsKey, true, writes);
    if (platform !== 'windows') windowsKey = undefined;
    if (existing?.windowsKey?.store === 'keychain' && windowsKey?.store !== 'keychain') deletes.push(secretAccounts.host(id, 'windowsKey'));

    const at = this.now().toISOString();
    const host = Host.parse({
      id,
      label: input.label,
      folder: input.folder ?? existing?.folder ?? '',
      tags: dedupe(input.tags ?? existing?.tags ?? []),
      profileId: input.profileId,
      region: input.region,
      instanceId: input.instanceId,
      platform,
      osUser,
      port,
      auth,
      ...(windowsKey ? { windowsKey } : {}),
      autoReconnect: input.autoReconnect ?? existing?.autoReconnect ?? false,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
    });

    const previous = new Map<string, string | null>();
    const { keychain } = this.options;
    try {
      for (const w of writes) {
        previous.set(w.account, existing ? await keychain.get(w.account) : null);
        await keychain.set(w.account, w.secret);
      }
      await this.store.update((d) => ({ hosts: existing ? d.hosts.map((h) => (h.id === id ? host : h)) : [...d.hosts, host] }));
    } catch (error) {
      await this.rollback(previous);
      throw error;
    }
    // Secrets the host no longer uses; a failure here only leaves an unused keychain entry.
    for (const account of deletes) await keychain.delete(account).catch((error: unknown) => this.options.log.warn('an unused host secret stayed in the keychain', { error }));
    this.options.log.info(existing ? 'host edited' : 'host saved', { hostId: id });
    this.options.onChanged?.();
    return host;
  }

  /** Removes a host, then its keychain entries. Fails with NOT_FOUND or STORE_WRITE_FAILED. */
  async remove(id: string): Promise<void> {
    const host = await this.get(id);
    await this.store.update((d) => ({ hosts: d.hosts.filter((h) => h.id !== id) }));
    const accounts = [
      ...(host.auth.method === 'keyPair' && host.auth.key.store === 'keychain' ? [secretAccounts.host(id, 'privateKey')] : []),
      ...(host.auth.method === 'password' ? [secretAccounts.host(id, 'password')] : []),
      ...(host.windowsKey?.store === 'keychain' ? [secretAccounts.host(id, 'windowsKey')] : []),
    ];
    for (const account of accounts) {
      await this.options.keychain.delete(account).catch((error: unknown) => this.options.log.warn('a removed host’s secret stayed in the keychain', { error }));
    }
    this.options.log.info('host removed', { hostId: id });
    this.options.onChanged?.();
  }

  /** Every host as export JSON. Keychain secrets are referenced, never exported. */
  async exportJson(): Promise<{ json: string; count: number }> {
    const hosts = await this.list();
    const file: z.infer<typeof ExportFile> = { format: 'bastionless-hosts', version: 1, exportedAt: this.now().toISOString(), hosts };
    return { json: `${JSON.stringify(file, null, 2)}\n`, count: hosts.length };
  }

  /**
   * Imports an export: every host is validated before anything is written; hosts with a known
   * id replace the saved ones, the rest are added. A bad file changes nothing.
   */
  async importJson(json: string): Promise<{ added: number; replaced: number }> {
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(json);
    } catch (error) {
      throw new AppError('STORE_IMPORT_INVALID', `The file is not valid JSON (${error instanceof Error ? error.message : 'parse error'}); nothing was imported.`, {
        hint: 'Choose a file made by "Export hosts" in Bastionless.',
      });
    }
    const parsed = ExportFile.safeParse(parsedJson);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.map(String).join('.') : 'the file';
      throw new AppError('STORE_IMPORT_INVALID', `The import is not a valid Bastionless hosts file: ${where}: ${issue?.message ?? 'invalid'}. Nothing was imported.`, {
        hint: 'Choose a file made by "Export hosts" (format "bastionless-hosts", version 1), or fix the field named above.',
      });
    }
    const ids = parsed.data.hosts.map((h) => h.id);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate) {
      throw new AppError('STORE_IMPORT_INVALID', `The import lists host ${duplicate} twice; nothing was imported.`, { hint: 'Remove one of the two entries and import again.' });
    }
    let added = 0;
    let replaced = 0;
    await this.load();
    await this.store.update((d) => {
      const byId = new Map(d.hosts.map((h) => [h.id as string, h]));
      added = 0;
      replaced = 0;
      for (const h of parsed.data.hosts) {
        if (byId.has(h.id)) replaced += 1;
        else added += 1;
        byId.set(h.id, h);
      }
      return { hosts: [...byId.values()] };
    });
    this.options.log.info('hosts imported', { added, replaced });
    this.options.onChanged?.();
    return { added, replaced };
  }

  private async authFor(
    id: string,
    platform: 'linux' | 'windows',
    input: SaveHostValues['auth'],
    existing: HostAuth | undefined,
    writes: { account: string; secret: string }[],
    deletes: string[],
  ): Promise<HostAuth> {
    const keyAccount = secretAccounts.host(id, 'privateKey');
    const passwordAccount = secretAccounts.host(id, 'password');
    const chosen = input ?? (existing ? undefined : platform === 'windows' ? { method: 'password' as const } : { method: 'eic' as const });
    if (!chosen) return existing as HostAuth;
    let auth: HostAuth;
    if (chosen.method === 'eic') {
      auth = { method: 'eic' };
    } else if (chosen.method === 'password') {
      if (chosen.password) writes.push({ account: passwordAccount, secret: chosen.password });
      auth = { method: 'password' };
    } else {
      auth = { method: 'keyPair', key: await this.keyRef(id, 'privateKey', chosen.key, existing?.method === 'keyPair' ? existing.key : undefined, false, writes) };
    }
    // Drop what the previous method kept in the keychain and the new one does not use.
    if (existing?.method === 'keyPair' && existing.key.store === 'keychain' && !(auth.method === 'keyPair' && auth.key.store === 'keychain')) deletes.push(keyAccount);
    if (existing?.method === 'password' && auth.method !== 'password') deletes.push(passwordAccount);
    return auth;
  }

  private async keyRef(id: string, part: 'privateKey' | 'windowsKey', input: KeyValues, existing: KeyRef | undefined, mustBeRsa: boolean, writes: { account: string; secret: string }[]): Promise<KeyRef> {
    const what = part === 'windowsKey' ? 'Windows key pair' : 'private key';
    if ('keep' in input) {
      if (!existing) {
        throw new AppError('INVALID_INPUT', `There is no stored ${what} to keep for this host.`, { hint: 'Paste the private key or choose its file.' });
      }
      return existing;
    }
    if ('keyFile' in input) {
      const path = input.keyFile.trim();
      if (!isAbsolute(path)) throw new AppError('INVALID_INPUT', `The ${what} file must be given by its full path (${path} is relative).`, { hint: 'Choose the file again, or type its full path.' });
      const size = await stat(path).then((s) => (s.isFile() ? s.size : -1), () => -2);
      if (size === -2) throw new AppError('INVALID_INPUT', `The ${what} file ${path} does not exist or cannot be read.`, { hint: 'Check the path; the file stays where it is and is read at each connection.' });
      if (size < 0 || size > 64 * 1024) throw new AppError('INVALID_INPUT', `${path} is not a private key file.`, { hint: 'Choose the .pem file you downloaded when the key pair was created.' });
      const text = await readFile(path, 'utf8').catch(() => {
        throw new AppError('INVALID_INPUT', `The ${what} file ${path} cannot be read.`, { hint: 'Check its permissions (chmod 600 is fine: Bastionless runs as you).' });
      });
      checkPrivateKey(text, what, mustBeRsa);
      return { store: 'file', path };
    }
    checkPrivateKey(input.privateKey, what, mustBeRsa);
    writes.push({ account: secretAccounts.host(id, part), secret: input.privateKey.trim() + '\n' });
    return { store: 'keychain' };
  }

  private async rollback(previous: Map<string, string | null>): Promise<void> {
    for (const [account, value] of previous) {
      try {
        if (value) await this.options.keychain.set(account, value);
        else await this.options.keychain.delete(account);
      } catch (error) {
        this.options.log.error('could not roll back a host secret after a failed save', { error });
      }
    }
  }
}

/**
 * Checks a private key without keeping it: OpenSSH or PEM (PKCS#1, PKCS#8, SEC1), possibly
 * passphrase-protected (the session asks for the passphrase). Windows needs RSA (EICE.md).
 */
export function checkPrivateKey(text: string, what: string, mustBeRsa: boolean): void {
  const trimmed = text.trim();
  if (!/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(trimmed)) {
    const isPublic = /^(ssh-|ecdsa-)|BEGIN PUBLIC KEY|BEGIN SSH2 PUBLIC KEY/.test(trimmed);
    throw new AppError('INVALID_INPUT', isPublic ? `That is a public key; the ${what} is needed.` : `That does not look like a ${what} (it should start with -----BEGIN … PRIVATE KEY-----).`, {
      hint: 'Paste the whole .pem file you downloaded when the key pair was created, or choose the file.',
    });
  }
  const parsed = ssh2.utils.parseKey(trimmed);
  let type: string | undefined;
  if (parsed instanceof Error) {
    if (/encrypted|passphrase/i.test(parsed.message)) {
      type = /BEGIN RSA PRIVATE KEY/.test(trimmed) ? 'ssh-rsa' : undefined;
    } else {
      // ssh2 reads OpenSSH and PKCS#1; PKCS#8 and SEC1 keys are checked by Node's crypto instead.
      try {
        const key = createPrivateKey(trimmed);
        type = key.asymmetricKeyType === 'rsa' ? 'ssh-rsa' : key.asymmetricKeyType;
      } catch (error) {
        if (/passphrase|encrypted/i.test(error instanceof Error ? error.message : '')) type = undefined;
        else {
          throw new AppError('INVALID_INPUT', `The ${what} could not be read: ${parsed.message}.`, {
            hint: 'Paste the whole file, including the BEGIN and END lines.',
          });
        }
      }
    }
  } else {
    const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
    if (key && !key.isPrivateKey()) throw new AppError('INVALID_INPUT', `That is a public key; the ${what} is needed.`, { hint: 'Paste the private key (.pem).' });
    type = key?.type;
  }
  if (mustBeRsa && type !== undefined && type !== 'ssh-rsa') {
    throw new AppError('INVALID_INPUT', `The Windows password can only be decrypted with an RSA key pair, and this key is ${type}.`, {
      hint: 'Choose the RSA key pair the instance was launched with (ED25519 key pairs cannot be used for Windows).',
    });
  }
}

function dedupe(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  return tags.map((t) => t.trim()).filter((t) => t && !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()));
}

function hostNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `There is no saved host ${id}.`, { hint: 'It may have been removed; reload the Hosts view.' });
}
