// `npm run bench -- <name> [args]`: runs test/bench/<name>.ts; with no name, lists the benchmarks.
// A benchmark module exports `description` (one line) and `run(args)`; it prints its figures
// (throughput, ratios) and asserts nothing about time.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Bench {
  description: string;
  run(args: string[]): Promise<void>;
}

const dir = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();

async function load(name: string): Promise<Bench> {
  const mod = (await import(pathToFileURL(join(dir, `${name}.ts`)).href)) as Partial<Bench>;
  if (typeof mod.run !== 'function') throw new Error(`test/bench/${name}.ts does not export run(args).`);
  return { description: mod.description ?? '', run: mod.run };
}

const [name, ...rest] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h') {
  console.log('Usage: npm run bench -- <name> [args]\n\nBenchmarks:');
  for (const n of names) console.log(`  ${n.padEnd(16)} ${(await load(n)).description}`);
  process.exit(0);
}
if (!names.includes(name)) {
  console.error(`No benchmark "${name}". Benchmarks: ${names.join(', ') || '(none)'}.`);
  process.exit(2);
}
try {
  await (await load(name)).run(rest);
  process.exit(0);
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
