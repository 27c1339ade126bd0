/**
 * `npm run demo`: starts the harness (the real main in Node + the built renderer) and prints
 * the URL to open. `-- --json` prints one JSON line {"url", "dataDir"} instead, for scripts.
 * Stops cleanly on SIGINT/SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startHarness } from './server';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Rebuilds the renderer when its sources are newer than the build, so the demo never shows stale UI. */
function ensureBuilt(): void {
  const index = join(root, 'out/renderer/index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(newestMtime(join(root, 'renderer')), newestMtime(join(root, 'preload/contract')));
  if (built >= sources) return;
  process.stderr.write('Building the renderer (npm run build)...\n');
  const result = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) {
    process.stderr.write('The build failed; see above.\n');
    process.exit(1);
  }
}

async function main(): Promise<void> {
  if (!values['no-build']) ensureBuilt();
  const harness = await startHarness({
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values.port ? { port: Number(values.port) } : {}),
    verboseLog: values.verbose,
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ url: harness.url, dataDir: harness.dataDir })}\n`);
  } else {
    process.stdout.write(`Bastionless demo: open ${harness.url}\nData folder: ${harness.dataDir}\nPress Ctrl+C to stop.\n`);
  }
  const stop = (): void => {
    void harness.stop().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
