import { z } from 'zod';
import { event, invoke } from './define';
import { InstanceIdSchema } from './inventory';
import { ProfileId, RegionName } from './profiles';

/** A saved host's id: `h-` and random letters. */
export const HostId = z
  .string()
  .regex(/^h-[a-z0-9]{8,32}$/, 'not a host id (h-...)')
  .brand<'HostId'>();
export type HostId = z.infer<typeof HostId>;

/** Linux user names (what useradd accepts) and Windows's `Administrator`. */
export const OsUserName = z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}\$?$/i, 'not a valid OS user name');

/**
 * Where a private key is: in the OS keychain (pasted into the app; the account is derived from
 * the host id, see `hostSecretAccount` in main/aws/keychain.ts) or a file on this computer.
 */
export const KeyRef = z.discriminatedUnion('store', [
  z.object({ store: z.literal('keychain') }),
  z.object({ store: z.literal('file'), path: z.string().min(1).max(4096) }),
]);
export type KeyRef = z.infer<typeof KeyRef>;

/**
 * How SSH signs in: `eic` pushes a fresh ephemeral key with SendSSHPublicKey (the default for
 * Linux; no key on disk), `keyPair` uses the launch key pair's private key, `password` a password
 * kept in the OS keychain.
 */
export const HostAuth = z.discriminatedUnion('method', [
  z.object({ method: z.literal('eic') }),
  z.object({ method: z.literal('keyPair'), key: KeyRef }),
  z.object({ method: z.literal('password') }),
]);
export type HostAuth = z.infer<typeof HostAuth>;

const Label = z.string().trim().min(1, 'a host needs a label').max(120);
const Folder = z
  .string()
  .trim()
  .max(120)
  .regex(/^[^/\\]*(\/[^/\\]+)*$/, 'a folder is a name, or names separated by /');
const Tag = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^,]+$/, 'a tag has no commas');
const Port = z.number().int().min(1).max(65535);

/** A saved host. Secrets are never in it: a key or password in the keychain is only referenced. */
export const Host = z.object({
  id: HostId,
  label: Label,
  /** '' for no folder; `a/b` nests. */
  folder: Folder,
  tags: z.array(Tag).max(50),
  profileId: ProfileId,
  region: RegionName,
  instanceId: InstanceIdSchema,
  platform: z.enum(['linux', 'windows']),
  /** SSH user (from the AMI by default), or the Windows user for RDP. */
  osUser: OsUserName,
  /** 22 for SSH, 3389 for RDP by default. */
  port: Port,
  auth: HostAuth,
  /** Windows: the launch key pair's private key, to decrypt the Administrator password. */
  windowsKey: KeyRef.optional(),
  /** Reconnect on its own when the session drops (tunnel expiry, network). Opt-in. */
  autoReconnect: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Host = z.infer<typeof Host>;

/**
 * What the save dialog sends. Write-only secrets: `privateKey` (PEM/OpenSSH text) and
 * `password` go to the OS keychain; `keyFile` references a file instead. On edit, an auth of the
 * same kind without new secret material keeps the stored one.
 */
const KeyInput = z.union([
  z.strictObject({ keyFile: z.string().min(1).max(4096) }),
  z.strictObject({ privateKey: z.string().min(64).max(32_768) }),
  /** Edit only: keep the key already stored for this host. */
  z.strictObject({ keep: z.literal(true) }),
]);
export const SaveHostInput = z.strictObject({
  id: HostId.optional(),
  label: Label,
  folder: Folder.optional(),
  tags: z.array(Tag).max(50).optional(),
  profileId: ProfileId,
  region: RegionName,
  instanceId: InstanceIdSchema,
  /** Omitted: from the discovered instance, else linux. */
  platform: z.enum(['linux', 'windows']).optional(),
  /** Omitted: the AMI's default user (ec2-user, ubuntu, admin...), Administrator for Windows. */
  osUser: OsUserName.optional(),
  /** Omitted: 22 (Linux) or 3389 (Windows). */
  port: Port.optional(),
  /** Omitted: `eic` for Linux; password for Windows. */
  auth: z
    .discriminatedUnion('method', [
      z.strictObject({ method: z.literal('eic') }),
      z.strictObject({ method: z.literal('keyPair'), key: KeyInput }),
      z.strictObject({ method: z.literal('password'), password: z.string().min(1).max(1024).optional() }),
    ])
    .optional(),
  windowsKey: KeyInput.optional(),
  autoReconnect: z.boolean().optional(),
});
export type SaveHostInput = z.input<typeof SaveHostInput>;

/** Where hosts.json stands after loading: whether it had to be recovered. */
export const HostsStatus = z.object({
  file: z.string(),
  /** Set when hosts.json could not be used and was recovered (from the backup, or empty). */
  recovery: z
    .object({ from: z.enum(['backup', 'empty']), reason: z.string(), keptAs: z.string().optional() })
    .optional(),
  /** Set when the store cannot be written (written by a newer version). */
  readOnly: z.string().optional(),
});
export type HostsStatus = z.infer<typeof HostsStatus>;

export const hosts = {
  /** Resolves with every saved host. Fails only with STORE_* when the data folder cannot be read. */
  list: invoke(z.strictObject({}), z.array(Host)),
  /** Resolves with the store's file and whether it was recovered at start-up. */
  status: invoke(z.strictObject({}), HostsStatus),
  /**
   * Adds (no `id`) or edits a saved host; a pasted private key or password goes to the OS
   * keychain. Resolves with the saved host. Fails with INVALID_INPUT (a key that does not parse,
   * a Windows key that is not RSA, a missing key file), NOT_FOUND (unknown id),
   * KEYCHAIN_UNAVAILABLE / KEYCHAIN_DENIED and STORE_WRITE_FAILED; nothing is saved on failure.
   */
  save: invoke(SaveHostInput, Host),
  /** Removes a host and its keychain entries. Resolves with null. Fails with NOT_FOUND, STORE_WRITE_FAILED. */
  remove: invoke(z.strictObject({ id: HostId }), z.null()),
  /**
   * Imports hosts from an export's JSON text: hosts with a known id are replaced, others added.
   * Everything is checked first: a bad file changes nothing and fails with STORE_IMPORT_INVALID
   * naming what was wrong. Resolves with how many were added and replaced.
   */
  import: invoke(z.strictObject({ json: z.string().min(2).max(20_000_000) }), z.object({ added: z.number().int(), replaced: z.number().int() })),
  /** Resolves with every saved host as JSON text (no secrets: keychain keys are only referenced). */
  export: invoke(z.strictObject({}), z.object({ json: z.string(), count: z.number().int() })),
  /** Saved hosts changed (saved, removed, imported): reload the list. */
  changed: event(z.object({})),
};
