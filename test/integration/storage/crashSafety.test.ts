import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JsonStore } from '../../../main/storage/jsonStore';
import { memoryLogger } from '../../support/fakes';

const Notes = z.object({ items: z.array(z.object({ id: z.string(), text: z.string() })) });

async function runAndKill(file: string, afterMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'writer.ts'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => createInterface({ input: child.stdout }).once('line', () => resolve()));
  await new Promise((r) => setTimeout(r, afterMs));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('JsonStore under SIGKILL', () => {
  it('always loads a complete version after a kill during writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bl-crash-'));
    const file = join(dir, 'notes.json');
    let last = 0;
    for (let round = 0; round < 12; round++) {
      await runAndKill(file, 20 + ((round * 37) % 90));
      const store = new JsonStore({ file, version: 1, schema: Notes, empty: () => ({ items: [] }), log: memoryLogger().log });
      const data = await store.load();
      // Nothing is ever lost beyond the write in flight, and nothing is half-written.
      expect(store.recovery?.from ?? 'main').not.toBe('empty');
      expect(data.items.length).toBeGreaterThanOrEqual(last);
      data.items.forEach((item, i) => expect(item.id).toBe(String(i + 1)));
      last = data.items.length;
    }
    expect(last).toBeGreaterThan(0);
    // No corrupt file was ever found, and loading swept the killed writers' temp files away.
    expect(readdirSync(dir).sort()).toEqual(['notes.json', 'notes.json.bak']);
  });
});
