import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JsonStore } from '../../../../main/storage/jsonStore';
import { memoryLogger } from '../../../support/fakes';

const Notes = z.object({ items: z.array(z.object({ id: z.string(), text: z.string() })) });
type Notes = z.infer<typeof Notes>;

function store(dir: string, version = 2, migrations?: Record<number, (d: unknown) => unknown>) {
  return new JsonStore<Notes>({ file: join(dir, 'notes.json'), version, schema: Notes, migrations, empty: () => ({ items: [] }), log: memoryLogger().log });
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'bl-store-'));
const add = (id: string) => (n: Notes): Notes => ({ items: [...n.items, { id, text: `note ${id}` }] });

describe('JsonStore', () => {
  it('starts empty, writes, and reads back what it wrote', async () => {
    const dir = tempDir();
    const s = store(dir);
    expect(await s.load()).toEqual({ items: [] });
    expect(s.recovery).toBeUndefined();
    await s.update(add('a'));
    await s.update(add('b'));
    const again = store(dir);
    expect((await again.load()).items.map((i) => i.id)).toEqual(['a', 'b']);
    const file = JSON.parse(readFileSync(join(dir, 'notes.json'), 'utf8'));
    expect(file.schemaVersion).toBe(2);
  });

  it('writes files only the user can read', async () => {
    const dir = tempDir();
    const s = store(dir);
    await s.update(add('a'));
    await s.update(add('b'));
    expect(statSync(join(dir, 'notes.json')).mode & 0o777).toBe(0o600);
  });

  it('keeps the previous version as a backup', async () => {
    const dir = tempDir();
    const s = store(dir);
    await s.update(add('a'));
    await s.update(add('b'));
    const backup = JSON.parse(readFileSync(join(dir, 'notes.json.bak'), 'utf8'));
    expect(backup.data.items.map((i: { id: string }) => i.id)).toEqual(['a']);
  });

  it('never overwrites a corrupt file: moves it aside and loads the backup', async () => {
    const dir = tempDir();
    const s = store(dir);
    await s.update(add('a'));
    await s.update(add('b'));
    writeFileSync(join(dir, 'notes.json'), '{"schemaVersion": 2, "data": {"items": [tr');
    const recovered = store(dir);
    expect((await recovered.load()).items.map((i) => i.id)).toEqual(['a']);
    expect(recovered.recovery).toMatchObject({ from: 'backup', reason: expect.stringContaining('not valid JSON') });
    const kept = readdirSync(dir).find((f) => f.startsWith('notes.json.corrupt-'));
    expect(kept).toBeDefined();
    expect(readFileSync(join(dir, kept!), 'utf8')).toContain('[tr');
    // The next write creates a fresh file; the broken one stays aside.
    await recovered.update(add('c'));
    expect(readFileSync(join(dir, kept!), 'utf8')).toContain('[tr');
  });

  it('treats data that fails its schema as corrupt', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.json'), JSON.stringify({ schemaVersion: 2, data: { items: [{ id: 1 }] } }));
    const s = store(dir);
    expect(await s.load()).toEqual({ items: [] });
    expect(s.recovery).toMatchObject({ from: 'empty', reason: expect.stringContaining('schema') });
  });

  it('loads the backup when the main file is missing (a crash between renames)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.json.bak'), JSON.stringify({ schemaVersion: 2, data: { items: [{ id: 'x', text: 't' }] } }));
    const s = store(dir);
    expect((await s.load()).items).toHaveLength(1);
    expect(s.recovery?.from).toBe('backup');
  });

  it('migrates older schema versions', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.json'), JSON.stringify({ schemaVersion: 1, data: { notes: ['hello'] } }));
    const s = store(dir, 2, { 1: (d) => ({ items: (d as { notes: string[] }).notes.map((text, i) => ({ id: String(i), text })) }) });
    expect(await s.load()).toEqual({ items: [{ id: '0', text: 'hello' }] });
  });

  it('leaves a file from a newer version alone and refuses to write over it', async () => {
    const dir = tempDir();
    const body = JSON.stringify({ schemaVersion: 9, data: { future: true } });
    writeFileSync(join(dir, 'notes.json'), body);
    const s = store(dir);
    await s.load();
    await expect(s.update(add('a'))).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED', hint: expect.stringContaining('Update Bastionless') });
    expect(readFileSync(join(dir, 'notes.json'), 'utf8')).toBe(body);
  });

  it('keeps the data unchanged when a write fails', async () => {
    const dir = tempDir();
    const s = store(dir);
    await s.update(add('a'));
    // Pull the folder out from under the store (root ignores permissions, so use ENOTDIR).
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'not a folder');
    await expect(s.update(add('b'))).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED', retryable: true, message: expect.stringContaining('ENOTDIR') });
    expect(s.get().items.map((i) => i.id)).toEqual(['a']);
  });

  it('serialises concurrent updates', async () => {
    const dir = tempDir();
    const s = store(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.update(add(String(i)))));
    expect((await store(dir).load()).items).toHaveLength(20);
  });
});
