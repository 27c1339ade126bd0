import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { utils } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { secretAccounts } from '../../../../main/aws/keychain';
import { HostsService } from '../../../../main/hosts/hostsService';
import { Host, type Instance, type Notice, type SaveHostInput } from '../../../../preload/contract';
import { memoryLogger } from '../../../support/fakes';
import { MemorySecretStore } from '../../../support/memorySecretStore';
import { ed25519KeyPair } from '../../../support/sshKeys';

const ED25519 = ed25519KeyPair().private;
const RSA_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

function knownInstance(overrides: Partial<Instance> = {}): Instance {
  return {
    profileId: 'env',
    region: 'eu-west-1',
    instanceId: 'i-0123456789abcdef0',
    state: 'running',
    platform: 'linux',
    ipv6: [],
    securityGroups: [],
    ami: {},
    os: { family: 'ubuntu', name: 'Ubuntu 22.04', defaultUser: 'ubuntu', eicPackage: 'preinstalled', basis: 'ami' },
    tags: {},
    vpcEndpoints: [],
    eic: { ready: true, blockers: [] },
    publicIpv4MonthlyUsd: 0,
    fetchedAt: '2024-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function hosts(options: { dataDir?: string; instance?: Instance } = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'bl-hosts-'));
  const keychain = new MemorySecretStore();
  const notices: Notice[] = [];
  let changes = 0;
  const service = new HostsService({
    dataDir,
    keychain,
    log: memoryLogger().log,
    knownInstance: async (_p, _r, id) => (options.instance && options.instance.instanceId === id ? options.instance : undefined),
    notify: (n) => notices.push(n),
    onChanged: () => (changes += 1),
  });
  return { service, keychain, dataDir, notices, changes: () => changes };
}

const base: SaveHostInput = { label: 'web', profileId: 'env', region: 'eu-west-1', instanceId: 'i-0123456789abcdef0' };
type Values = Parameters<HostsService['save']>[0];
const input = (overrides: Partial<SaveHostInput> = {}): Values => ({ ...base, ...overrides }) as Values;

describe('HostsService', () => {
  it('saves a host with defaults from the discovered instance', async () => {
    const { service, changes } = hosts({ instance: knownInstance() });
    const host = await service.save(input({ folder: 'prod/web', tags: ['a', 'A', ' b '] }));
    Host.parse(host);
    expect(host).toMatchObject({ id: expect.stringMatching(/^h-/), label: 'web', folder: 'prod/web', tags: ['a', 'b'], platform: 'linux', osUser: 'ubuntu', port: 22, auth: { method: 'eic' }, autoReconnect: false });
    expect(await service.list()).toEqual([host]);
    expect(changes()).toBe(1);
  });

  it('defaults Windows hosts to RDP, Administrator and a password', async () => {
    const { service } = hosts({ instance: knownInstance({ platform: 'windows', os: { family: 'windows', name: 'Windows Server 2022', defaultUser: 'Administrator', eicPackage: 'unavailable', basis: 'ami' } }) });
    const host = await service.save(input({ windowsKey: { privateKey: RSA_PEM } }));
    expect(host).toMatchObject({ platform: 'windows', osUser: 'Administrator', port: 3389, auth: { method: 'password' }, windowsKey: { store: 'keychain' } });
  });

  it('keeps a pasted private key and a password in the keychain only', async () => {
    const { service, keychain, dataDir } = hosts();
    const host = await service.save(input({ auth: { method: 'keyPair', key: { privateKey: ED25519 } } }));
    expect(host.auth).toEqual({ method: 'keyPair', key: { store: 'keychain' } });
    expect(keychain.secrets.get(secretAccounts.host(host.id, 'privateKey'))).toContain('OPENSSH PRIVATE KEY');
    const withPassword = await service.save(input({ id: host.id, auth: { method: 'password', password: 'hunter2-correct-horse' } }));
    expect(withPassword.auth).toEqual({ method: 'password' });
    // The key is no longer used: it left the keychain.
    expect(keychain.secrets.has(secretAccounts.host(host.id, 'privateKey'))).toBe(false);
    expect(keychain.secrets.get(secretAccounts.host(host.id, 'password'))).toBe('hunter2-correct-horse');
    for (const name of readdirSync(dataDir)) {
      const text = readFileSync(join(dataDir, name), 'utf8');
      expect(text).not.toContain('hunter2-correct-horse');
      expect(text).not.toContain('PRIVATE KEY');
    }
    await service.remove(host.id);
    expect(keychain.secrets.size).toBe(0);
  });

  it('references a key file by path after checking it is a private key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bl-keyfile-'));
    writeFileSync(join(dir, 'main.pem'), RSA_PEM);
    writeFileSync(join(dir, 'main.pub'), utils.parseKey(ED25519) instanceof Error ? '' : 'ssh-ed25519 AAAA comment');
    const { service, keychain } = hosts();
    const host = await service.save(input({ auth: { method: 'keyPair', key: { keyFile: join(dir, 'main.pem') } } }));
    expect(host.auth).toEqual({ method: 'keyPair', key: { store: 'file', path: join(dir, 'main.pem') } });
    expect(keychain.secrets.size).toBe(0);
    await expect(service.save(input({ auth: { method: 'keyPair', key: { keyFile: join(dir, 'missing.pem') } } }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(service.save(input({ auth: { method: 'keyPair', key: { keyFile: 'relative.pem' } } }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(service.save(input({ auth: { method: 'keyPair', key: { keyFile: join(dir, 'main.pub') } } }))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('public key') });
  });

  it('refuses keys that are not private keys, and non-RSA keys for Windows', async () => {
    const { service, keychain } = hosts();
    await expect(service.save(input({ auth: { method: 'keyPair', key: { privateKey: 'x'.repeat(80) } } }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(service.save(input({ platform: 'windows', windowsKey: { privateKey: ED25519 } }))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('RSA') });
    await expect(service.save(input({ auth: { method: 'keyPair', key: { keep: true } } }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(keychain.secrets.size).toBe(0);
    expect(await service.list()).toEqual([]);
  });

  it('changes nothing when the keychain fails', async () => {
    const { service, keychain } = hosts();
    keychain.failWith = 'KEYCHAIN_UNAVAILABLE';
    await expect(service.save(input({ auth: { method: 'keyPair', key: { privateKey: ED25519 } } }))).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    keychain.failWith = undefined;
    expect(await service.list()).toEqual([]);
  });

  it('edits keep the key when asked and the creation time', async () => {
    const { service, keychain } = hosts();
    const host = await service.save(input({ auth: { method: 'keyPair', key: { privateKey: ED25519 } } }));
    const edited = await service.save(input({ id: host.id, label: 'renamed', auth: { method: 'keyPair', key: { keep: true } }, autoReconnect: true }));
    expect(edited).toMatchObject({ label: 'renamed', createdAt: host.createdAt, autoReconnect: true, auth: { method: 'keyPair', key: { store: 'keychain' } } });
    expect(keychain.secrets.has(secretAccounts.host(host.id, 'privateKey'))).toBe(true);
    await expect(service.save(input({ id: 'h-0000000000000000' as never }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('exports and imports, replacing known ids and adding new ones', async () => {
    const a = hosts();
    const h1 = await a.service.save(input({ label: 'one' }));
    await a.service.save(input({ label: 'two' }));
    const exported = await a.service.exportJson();
    expect(exported.count).toBe(2);
    expect(JSON.parse(exported.json)).toMatchObject({ format: 'bastionless-hosts', version: 1 });
    const b = hosts();
    expect(await b.service.importJson(exported.json)).toEqual({ added: 2, replaced: 0 });
    await a.service.save(input({ id: h1.id, label: 'one, renamed' }));
    expect(await b.service.importJson((await a.service.exportJson()).json)).toEqual({ added: 0, replaced: 2 });
    expect((await b.service.list()).map((h) => h.label).sort()).toEqual(['one, renamed', 'two']);
  });

  it('rejects a bad import as a whole, saying what was wrong', async () => {
    const { service } = hosts();
    await service.save(input({ label: 'keep me' }));
    const good = JSON.parse((await service.exportJson()).json) as { hosts: Record<string, unknown>[] };
    const bad = { ...good, hosts: [...good.hosts, { ...good.hosts[0], id: 'h-1111111111111111', port: 'twenty-two' }] };
    await expect(service.importJson(JSON.stringify(bad))).rejects.toMatchObject({ code: 'STORE_IMPORT_INVALID', message: expect.stringContaining('hosts.1.port') });
    await expect(service.importJson('{not json')).rejects.toMatchObject({ code: 'STORE_IMPORT_INVALID', message: expect.stringContaining('not valid JSON') });
    await expect(service.importJson(JSON.stringify({ hosts: [] }))).rejects.toMatchObject({ code: 'STORE_IMPORT_INVALID' });
    const dup = { ...good, hosts: [good.hosts[0], good.hosts[0]] };
    await expect(service.importJson(JSON.stringify(dup))).rejects.toMatchObject({ code: 'STORE_IMPORT_INVALID', message: expect.stringContaining('twice') });
    expect((await service.list()).map((h) => h.label)).toEqual(['keep me']);
  });

  it('loads the backup of a corrupt hosts.json and tells the person where the broken file is', async () => {
    const first = hosts();
    await first.service.save(input({ label: 'one' }));
    await first.service.save(input({ label: 'two' }));
    writeFileSync(join(first.dataDir, 'hosts.json'), '{"schemaVersion": 1, "data": {"hosts": [ broken');
    const second = hosts({ dataDir: first.dataDir });
    expect((await second.service.list()).map((h) => h.label)).toEqual(['one']);
    expect(second.notices).toHaveLength(1);
    expect(second.notices[0]).toMatchObject({ level: 'warning', message: expect.stringContaining('loaded its backup') });
    const status = await second.service.status();
    expect(status.recovery).toMatchObject({ from: 'backup', reason: 'hosts.json is not valid JSON' });
    expect(second.notices[0]!.hint).toContain(status.recovery!.keptAs!);
    expect(readFileSync(status.recovery!.keptAs!, 'utf8')).toContain('broken');
    // Listing again does not repeat the notice.
    await second.service.list();
    expect(second.notices).toHaveLength(1);
  });
});
