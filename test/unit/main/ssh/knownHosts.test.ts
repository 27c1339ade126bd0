import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KnownHosts } from '../../../../main/ssh/knownHosts';
import { memoryLogger } from '../../../support/fakes';

const ed = { algorithm: 'ssh-ed25519', fingerprint: 'SHA256:AAAAaaaaBBBBbbbbCCCCccccDDDDddddEEEEeeeeFFF' };
const other = { algorithm: 'ssh-ed25519', fingerprint: 'SHA256:ZZZZzzzzYYYYyyyyXXXXxxxxWWWWwwwwVVVVvvvvUUU' };

function store(dir = mkdtempSync(join(tmpdir(), 'bl-known-')), at = '2025-01-01T00:00:00.000Z') {
  let now = new Date(at);
  const hosts = new KnownHosts(dir, memoryLogger().log, () => now);
  return { dir, hosts, setNow: (iso: string) => (now = new Date(iso)) };
}

describe('KnownHosts', () => {
  it('says new for an instance it has never seen, trusted once trusted', async () => {
    const { hosts } = store();
    expect(await hosts.check('i-0aaaaaaaaaaaaaaaa', ed)).toEqual({ status: 'new' });
    await hosts.trust('i-0aaaaaaaaaaaaaaaa', ed);
    expect(await hosts.check('i-0aaaaaaaaaaaaaaaa', ed)).toMatchObject({ status: 'trusted', known: { ...ed, firstSeen: '2025-01-01T00:00:00.000Z' } });
  });

  it('reports a different key (or type) as changed, with the one it knows', async () => {
    const { hosts } = store();
    await hosts.trust('i-0aaaaaaaaaaaaaaaa', ed);
    expect(await hosts.check('i-0aaaaaaaaaaaaaaaa', other)).toMatchObject({ status: 'changed', known: ed });
    expect(await hosts.check('i-0aaaaaaaaaaaaaaaa', { ...ed, algorithm: 'ecdsa-sha2-nistp256' })).toMatchObject({ status: 'changed' });
    // Keys are per instance: another instance is simply new.
    expect(await hosts.check('i-0bbbbbbbbbbbbbbbb', other)).toEqual({ status: 'new' });
  });

  it('keeps firstSeen when the same key is seen again, restarts it for an accepted new key', async () => {
    const { hosts, setNow } = store();
    await hosts.trust('i-0aaaaaaaaaaaaaaaa', ed);
    setNow('2025-02-01T00:00:00.000Z');
    expect(await hosts.trust('i-0aaaaaaaaaaaaaaaa', ed)).toMatchObject({ firstSeen: '2025-01-01T00:00:00.000Z', lastSeen: '2025-02-01T00:00:00.000Z' });
    setNow('2025-03-01T00:00:00.000Z');
    expect(await hosts.trust('i-0aaaaaaaaaaaaaaaa', other)).toMatchObject({ ...other, firstSeen: '2025-03-01T00:00:00.000Z' });
  });

  it('persists in known-hosts.json and reads it back in a new process', async () => {
    const { dir, hosts } = store();
    await hosts.trust('i-0aaaaaaaaaaaaaaaa', ed);
    const file = JSON.parse(readFileSync(join(dir, 'known-hosts.json'), 'utf8')) as { schemaVersion: number; data: unknown };
    expect(file.schemaVersion).toBe(1);
    expect(file.data).toMatchObject({ instances: { 'i-0aaaaaaaaaaaaaaaa': ed } });
    const again = new KnownHosts(dir, memoryLogger().log);
    expect(await again.check('i-0aaaaaaaaaaaaaaaa', ed)).toMatchObject({ status: 'trusted' });
  });

  it('forgets an instance', async () => {
    const { hosts } = store();
    await hosts.trust('i-0aaaaaaaaaaaaaaaa', ed);
    await hosts.forget('i-0aaaaaaaaaaaaaaaa');
    expect(await hosts.check('i-0aaaaaaaaaaaaaaaa', ed)).toEqual({ status: 'new' });
  });

  it('recovers from a corrupt file without trusting anything it cannot read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bl-known-'));
    writeFileSync(join(dir, 'known-hosts.json'), '{ not json');
    const { hosts } = store(dir);
    expect(await hosts.check('i-0aaaaaaaaaaaaaaaa', ed)).toEqual({ status: 'new' });
    expect(hosts.recovery).toMatchObject({ from: 'empty' });
  });
});
