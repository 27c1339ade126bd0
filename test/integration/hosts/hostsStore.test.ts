import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { compose } from '../../../main/compose';
import { RecordingDesktop } from '../../../main/desktop';
import { HostsService } from '../../../main/hosts/hostsService';
import { MemorySink } from '../../../main/log';
import type { Notice } from '../../../preload/contract';
import { memoryLogger } from '../../support/fakes';
import { MemorySecretStore } from '../../support/memorySecretStore';

async function runAndKill(dataDir: string, afterMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'hostsWriter.ts'), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`the hosts writer exited with ${code} before it was ready`)));
  });
  await new Promise((r) => setTimeout(r, afterMs));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('saved hosts under SIGKILL and corruption', () => {
  it('always loads a complete list after a kill during saves', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bl-hosts-crash-'));
    let last = 0;
    for (let round = 0; round < 10; round++) {
      await runAndKill(dataDir, 30 + ((round * 41) % 100));
      const notices: Notice[] = [];
      const hosts = new HostsService({ dataDir, keychain: new MemorySecretStore(), log: memoryLogger().log, notify: (n) => notices.push(n) });
      const list = await hosts.list();
      // Nothing saved before the write in flight is lost, nothing is half-written, no recovery was needed.
      expect(notices).toEqual([]);
      expect(list.length).toBeGreaterThanOrEqual(last);
      list.forEach((h, i) => expect(h.label).toBe(`host-${i + 1}`));
      last = list.length;
    }
    expect(last).toBeGreaterThan(0);
    expect(readdirSync(dataDir).sort()).toEqual(['hosts.json', 'hosts.json.bak']);
  });

  it('tells the person through app.noticePosted when hosts.json is corrupt, and keeps the broken file', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bl-hosts-corrupt-'));
    const boot = () => compose({ dataDir, version: '0.0.0-test', platform: 'linux', desktop: new RecordingDesktop(), logSink: new MemorySink(), env: { HOME: dataDir } });
    const first = await boot();
    const ctx = { senderId: 'test' };
    const base = { profileId: 'env', region: 'eu-west-1', instanceId: 'i-0123456789abcdef0' };
    await first.api.hosts.save({ ...base, label: 'first' }, ctx);
    await first.api.hosts.save({ ...base, label: 'second' }, ctx);
    await first.dispose();
    writeFileSync(join(dataDir, 'hosts.json'), '\u0000\u0000\u0000 a torn write');

    const second = await boot();
    const notices: unknown[] = [];
    second.events.subscribe((channel, payload) => {
      if (channel === 'app:noticePosted') notices.push(payload);
    });
    const list = await second.api.hosts.list({}, ctx);
    expect(list.map((h) => h.label)).toEqual(['first']);
    const status = await second.api.hosts.status({}, ctx);
    expect(status.recovery).toMatchObject({ from: 'backup', reason: 'hosts.json is not valid JSON' });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ level: 'warning', message: expect.stringContaining('loaded its backup'), hint: expect.stringContaining(status.recovery!.keptAs!) });
    expect(readFileSync(status.recovery!.keptAs!, 'utf8')).toContain('a torn write');
    // The recovered list is written over nothing: saving again keeps the broken file aside.
    await second.api.hosts.save({ ...base, label: 'third' }, ctx);
    expect(readdirSync(dataDir).filter((n) => n.startsWith('hosts.json.corrupt-'))).toHaveLength(1);
    await second.dispose();
  });
});
