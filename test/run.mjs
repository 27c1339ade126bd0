#!/usr/bin/env node
// `npm test`: lint, typecheck, build, unit, integration, e2e, in that order, then one summary.
// Every step runs even if an earlier one failed (so one run shows everything that is wrong),
// except that steps needing the build are not run when the build failed.
// `npm test -- unit e2e` runs only the named steps.
import { spawnSync } from 'node:child_process';

const STEPS = [
  { name: 'lint', cmd: ['npx', 'eslint', '--max-warnings', '0', '.'] },
  { name: 'typecheck', cmd: ['npx', 'tsc', '-b'] },
  { name: 'build', cmd: ['npx', 'electron-vite', 'build'] },
  { name: 'unit', cmd: ['npx', 'vitest', 'run', '--project', 'unit'] },
  { name: 'integration', cmd: ['npx', 'vitest', 'run', '--project', 'integration'], needsBuild: true },
  { name: 'e2e', cmd: ['npx', 'playwright', 'test'], needsBuild: true },
];

const only = process.argv.slice(2);
const unknown = only.filter((n) => !STEPS.some((s) => s.name === n));
if (unknown.length > 0) {
  console.error(`Unknown step(s): ${unknown.join(', ')}. Steps: ${STEPS.map((s) => s.name).join(', ')}.`);
  process.exit(2);
}
const selected = STEPS.filter((s) => only.length === 0 || only.includes(s.name));
// A step that needs the build gets one even when only it was asked for.
if (selected.some((s) => s.needsBuild) && !selected.some((s) => s.name === 'build')) {
  selected.unshift(STEPS.find((s) => s.name === 'build'));
}

const results = [];
let buildFailed = false;
for (const step of selected) {
  if (step.needsBuild && buildFailed) {
    results.push({ name: step.name, status: 'not run (build failed)', seconds: 0 });
    continue;
  }
  console.log(`\n━━ ${step.name}: ${step.cmd.join(' ')}`);
  const started = Date.now();
  const run = spawnSync(step.cmd[0], step.cmd.slice(1), { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' } });
  const ok = run.status === 0;
  if (step.name === 'build' && !ok) buildFailed = true;
  results.push({ name: step.name, status: ok ? 'passed' : `FAILED (exit ${run.status ?? run.signal})`, seconds: (Date.now() - started) / 1000 });
}

console.log('\n━━ summary');
for (const r of results) console.log(`  ${r.name.padEnd(12)} ${r.status.padEnd(26)} ${r.seconds.toFixed(1)}s`);
const failed = results.filter((r) => r.status !== 'passed');
console.log(failed.length === 0 ? '\nAll steps passed.' : `\n${failed.length} step(s) did not pass: ${failed.map((r) => r.name).join(', ')}.`);
process.exit(failed.length === 0 ? 0 : 1);
