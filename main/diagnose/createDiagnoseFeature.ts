import { constants } from 'node:fs';
import { access, open, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute } from 'node:path';
import { AppError, type DiagnosisReport, type HandlerDomain, type diagnose } from '../../preload/contract';
import type { AwsClientFactory } from '../aws/clients';
import type { InventoryService } from '../aws/inventory/inventoryService';
import type { SecretStore } from '../aws/keychain';
import type { ProfilesService } from '../aws/profilesService';
import type { DesktopIo } from '../desktop';
import { tunnelTargetThrough } from '../eice/instanceEndpoint';
import type { TunnelManager } from '../eice/tunnelManager';
import type { TunnelOptionsFor } from '../eice/tunnelOptions';
import type { HostsService } from '../hosts/hostsService';
import type { Logger } from '../log';
import type { RdpService } from '../rdp/rdpService';
import type { SessionManager } from '../ssh/sessionManager';
import { createDiagnoseHandlers } from './diagnoseHandlers';
import type { FailureSource } from './diagnoseIo';
import { DiagnoseService } from './diagnoseService';
import { fetchPublicIp } from './publicIp';
import { rdpFailureOf, sshFailureOf } from './sessionFailures';

export interface DiagnoseFeatureOptions {
  aws: AwsClientFactory;
  profiles: Pick<ProfilesService, 'resolve'>;
  hosts: Pick<HostsService, 'get' | 'save'>;
  inventory: Pick<InventoryService, 'last'>;
  keychain: SecretStore;
  tunnelManager: Pick<TunnelManager, 'openStream'>;
  /** A profile's tunnel options (compose's tunnelOptionsFrom). */
  tunnelOptionsFor: TunnelOptionsFor;
  sessions?: Pick<SessionManager, 'get'>;
  rdp?: Pick<RdpService, 'list'>;
  desktop: Pick<DesktopIo, 'writeClipboard'>;
  env: NodeJS.ProcessEnv;
  log: Logger;
  onChanged(report: DiagnosisReport): void;
  version?: string;
}

export interface DiagnoseFeature {
  handlers: HandlerDomain<typeof diagnose>;
  service: DiagnoseService;
  dispose(): Promise<void>;
}

/** Builds the troubleshooting wizard on the app's real pieces (called by compose). */
export function createDiagnoseFeature(options: DiagnoseFeatureOptions): DiagnoseFeature {
  const { aws, hosts, keychain } = options;
  const failures: FailureSource = {
    ssh: (sessionId) => {
      try {
        return options.sessions ? sshFailureOf(options.sessions.get(sessionId).info()) : undefined;
      } catch {
        return undefined;
      }
    },
    rdp: (sessionId) => {
      const session = options.rdp?.list().find((s) => s.sessionId === sessionId);
      return session ? rdpFailureOf(session) : undefined;
    },
  };
  const profileOf = (profileId: string) => options.profiles.resolve(profileId).catch(() => undefined);
  const service = new DiagnoseService({
    aws: {
      clientsFor: async (profileId, region) => {
        const ctx = await aws.forProfile(profileId, region);
        return {
          profileName: ctx.profileName,
          ec2: ctx.ec2,
          eic: ctx.eic,
          sts: ctx.sts,
          credentials: async () => {
            const c = await ctx.credentials();
            return c.expiration ? { expiration: c.expiration } : {};
          },
        };
      },
      profileRegion: async (profileId) => (await profileOf(profileId))?.region ?? (options.env['AWS_REGION']?.trim() || undefined),
      profileName: async (profileId) => (await profileOf(profileId))?.name ?? profileId.replace(/^config:/, ''),
    },
    app: {
      host: (hostId) => hosts.get(hostId),
      inventory: () => options.inventory.last(),
      hasSecret: async (account) => (await keychain.get(account)) !== null,
      readable: async (path) => {
        try {
          const s = await stat(path);
          if (!s.isFile()) return { readable: false, problem: `${path} is not a file.` };
          await access(path, constants.R_OK);
          return { readable: true };
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          return { readable: false, problem: code === 'ENOENT' ? `The file ${path} does not exist.` : code === 'EACCES' ? `${path} cannot be read (permission denied).` : `${path} cannot be read (${code ?? 'error'}).` };
        }
      },
    },
    probes: {
      openTunnel: async (request, signal) =>
        options.tunnelManager.openStream(
          tunnelTargetThrough(request, { instanceId: request.instanceId, region: request.region, privateIpAddress: request.privateIpAddress, remotePort: request.port, maxTunnelDuration: request.maxTunnelDuration }),
          { kind: request.port === 3389 ? 'rdp' : 'ssh', label: request.label, ...(request.hostId ? { hostId: request.hostId } : {}) },
          // The probe asks for each duration itself (probeTunnel.ts), so it can report them all.
          // The probe writes only its own fixed bytes, so its frames may use the zero masking key.
          { ...(await options.tunnelOptionsFor(request.profileId, request.region)), exactDuration: true, zeroMask: true, signal },
        ),
      publicIp: (signal) => fetchPublicIp(aws.network, signal),
    },
    failures,
    actions: {
      updateHost: async (hostId, patch) => {
        const host = await hosts.get(hostId);
        await hosts.save({
          id: host.id,
          label: host.label,
          profileId: host.profileId,
          region: patch.region ?? host.region,
          instanceId: host.instanceId,
          osUser: patch.osUser ?? host.osUser,
        });
      },
      useKeyPair: async (hostId, privateKey) => {
        const host = await hosts.get(hostId);
        await hosts.save({ id: host.id, label: host.label, profileId: host.profileId, region: host.region, instanceId: host.instanceId, auth: { method: 'keyPair', key: { privateKey } } });
      },
      readSecret: (account) => keychain.get(account),
      storeSecret: (account, secret) => keychain.set(account, secret),
      checkNewFile,
      writeNewFile: async (path, content) => {
        await checkNewFile(path);
        // `wx`: never overwrite (a key written a moment ago by someone else stays); 0600 from the start.
        const handle = await open(path, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
          throw new AppError('INVALID_INPUT', error.code === 'EEXIST' ? `${path} already exists; Bastionless never overwrites a file.` : `${path} could not be created (${error.code ?? 'error'}).`, {
            hint: 'Choose another file name, or keep the key in your OS keychain.',
            cause: error,
          });
        });
        try {
          await handle.writeFile(content, 'utf8');
        } catch (error) {
          // A half-written key is useless and would block the next try ("already exists"): remove it.
          await handle.close().catch(() => undefined);
          await unlink(path).catch(() => undefined);
          const code = (error as NodeJS.ErrnoException).code;
          throw new AppError('STORE_WRITE_FAILED', `The private key could not be written to ${path}${code ? ` (${code})` : ''}.`, {
            hint: code === 'ENOSPC' ? 'Free some disk space and apply the fix again, or keep the key in your OS keychain.' : 'Choose another place, or keep the key in your OS keychain.',
            cause: error,
          });
        }
        await handle.close();
      },
      homeDir: options.env['HOME'] ?? homedir(),
    },
    desktop: options.desktop,
    log: options.log,
    onChanged: options.onChanged,
    ...(options.version ? { version: options.version } : {}),
  });
  return { handlers: createDiagnoseHandlers(service), service, dispose: () => service.dispose() };
}

/** A path that can become a new private key file: absolute, free, in an existing folder. */
async function checkNewFile(path: string): Promise<void> {
  if (!isAbsolute(path)) throw new AppError('INVALID_INPUT', `"${path}" is not a full path.`, { hint: 'Give a path from the root, or one starting with ~/.' });
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (exists) throw new AppError('INVALID_INPUT', `${path} already exists; Bastionless never overwrites a file.`, { hint: 'Choose another file name, or keep the key in your OS keychain.' });
  const folder = await stat(dirname(path)).catch(() => undefined);
  if (!folder?.isDirectory()) throw new AppError('INVALID_INPUT', `The folder ${dirname(path)} does not exist.`, { hint: 'Create it first (for ~/.ssh: mkdir -m 700 ~/.ssh), or choose another place.' });
}
