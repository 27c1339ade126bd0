#!/usr/bin/env node
// The `bastionless-tunnel` command: runs the command-line tunnel built from main/cli.ts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'out', 'main', 'cli.js');
if (!existsSync(built)) {
  process.stderr.write(`bastionless-tunnel: not built yet: run \`npm run build\` in ${root}, then try again.\n`);
  process.exit(1);
}
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const { main } = await import(pathToFileURL(built).href);
await main({ version });
