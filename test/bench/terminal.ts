/**
 * `npm run bench -- terminal [--mb 50]`
 *
 * Terminal throughput as a person sees it: `--mb` megabytes of output from a shell on a
 * sandbox instance (sshd -> EICE tunnel -> main -> IPC -> xterm.js in Chromium), timed from
 * Enter until xterm has parsed the marker printed after it, against `term.write` of the same
 * amount straight into a bare xterm.js in the same page (no session, no IPC). Prints both
 * rates, their ratio, the peak JS heap of the page, the peak resident memory of main (the demo
 * process), and the longest stall of the page's event loop during each run.
 */
import { chromium, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type {} from '../../renderer/src/features/terminals/harnessHooks';
import { chromiumPath } from '../e2e/chromium';
import { startSandbox } from '../sandbox/index';
import { numberOption } from './support/options';

export const description = 'MB/s of a 50 MB shell output through the app into the rendered terminal vs term.write of the same bytes in the same page; peak page heap and main RSS; prints the ratio';

const root = fileURLToPath(new URL('../..', import.meta.url));
const LINE = 'x'.repeat(99);

/** `npm run demo -- --json` pointed at the sandbox, as a person runs it; resolves with its URL. */
async function startDemo(env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/harness/demo.ts', '--json'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the demo exited with ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

/** Samples a process's resident memory every 50 ms; `stop()` gives the peak in bytes. */
function sampleRss(pid: number): { stop(): number } {
  let peak = 0;
  const read = (): void => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      peak = Math.max(peak, kb * 1024);
    } catch {
      // The process ended.
    }
  };
  read();
  const timer = setInterval(read, 50);
  return {
    stop: () => {
      clearInterval(timer);
      read();
      return peak;
    },
  };
}

/** In the page: peak JS heap and the longest gap of a 20 ms interval timer (a stalled event loop). */
async function startPageSampler(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __bench?: { peakHeap: number; maxGap: number; timer: number } };
    const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
    let last = performance.now();
    const state = { peakHeap: memory?.usedJSHeapSize ?? 0, maxGap: 0, timer: 0 };
    state.timer = window.setInterval(() => {
      const now = performance.now();
      state.maxGap = Math.max(state.maxGap, now - last - 20);
      last = now;
      state.peakHeap = Math.max(state.peakHeap, memory?.usedJSHeapSize ?? 0);
    }, 20);
    w.__bench = state;
  });
}

async function stopPageSampler(page: Page): Promise<{ peakHeap: number; maxGap: number }> {
  return page.evaluate(() => {
    const w = window as unknown as { __bench: { peakHeap: number; maxGap: number; timer: number } };
    window.clearInterval(w.__bench.timer);
    return { peakHeap: w.__bench.peakHeap, maxGap: w.__bench.maxGap };
  });
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

export async function run(args: string[]): Promise<void> {
  const megabytes = numberOption(args, '--mb', 50);
  const bytes = Math.round(megabytes * 1e6);
  const sandbox = await startSandbox();
  const home = mkdtempSync(join(tmpdir(), 'bl-bench-terminal-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...sandbox.env, HOME: home };
  for (const name of ['AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_SESSION_TOKEN']) delete env[name];
  const demo = await startDemo(env);
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu', '--enable-precise-memory-info', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(demo.url);
    // The Hosts view scans the environment's profile by itself; double-click web-1 when it shows.
    const row = page.locator('#panel-workspace tr').filter({ has: page.getByText('web-1', { exact: true }) }).first();
    await row.waitFor({ timeout: 60_000 });
    await row.dblclick();
    const panel = page.locator('[data-testid="terminal-panel"][data-status="connected"]:visible');
    await panel.waitFor({ timeout: 60_000 });
    const sessionId = (await panel.getAttribute('data-session'))!;
    await page.waitForFunction((id) => (window.__bastionlessTerminals?.text(id) ?? '').includes('$'), sessionId);

    // Through the app: the shell prints `bytes` of 100-byte lines, then a marker.
    const mainBefore = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${demo.child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    await page.keyboard.type(`yes ${LINE} | head -c ${bytes}; echo; echo END-$((6*7))`);
    const mainRss = sampleRss(demo.child.pid!);
    await startPageSampler(page);
    await page.evaluate((id) => {
      const w = window as unknown as { __run: { done: Promise<number>; started: number } };
      w.__run = { done: window.__bastionlessTerminals!.whenText(id, 'END-42'), started: performance.now() };
    }, sessionId);
    await page.keyboard.press('Enter');
    const appMs = await page.evaluate(async () => {
      const w = window as unknown as { __run: { done: Promise<number>; started: number } };
      return (await w.__run.done) - w.__run.started;
    });
    const appPage = await stopPageSampler(page);
    const mainPeak = mainRss.stop();

    // The baseline: the same amount written straight into a bare xterm.js in the same page.
    await startPageSampler(page);
    const directMs = await page.evaluate((n) => window.__bastionlessTerminals!.writeDirect(n, 64 * 1024), bytes);
    const directPage = await stopPageSampler(page);

    const appRate = bytes / 1e6 / (appMs / 1000);
    const directRate = bytes / 1e6 / (directMs / 1000);
    console.log(`terminal: ${mb(bytes)} MB of shell output into the rendered terminal (renderer: ${await page.evaluate((id) => window.__bastionlessTerminals!.renderer(id), sessionId)})`);
    console.log(`  app (sshd -> tunnel -> main -> IPC -> xterm):  ${appRate.toFixed(1)} MB/s (${(appMs / 1000).toFixed(2)} s)   page heap peak ${mb(appPage.peakHeap)} MB, longest event-loop stall ${appPage.maxGap.toFixed(0)} ms`);
    console.log(`  direct term.write in the same page:            ${directRate.toFixed(1)} MB/s (${(directMs / 1000).toFixed(2)} s)   page heap peak ${mb(directPage.peakHeap)} MB, longest event-loop stall ${directPage.maxGap.toFixed(0)} ms`);
    console.log(`  main (demo process) resident memory: ${mb(mainBefore)} MB before, ${mb(mainPeak)} MB peak during the stream`);
    console.log(`  ratio app / direct: ${(appRate / directRate).toFixed(2)}`);
  } finally {
    await browser.close();
    const exited = new Promise((r) => demo.child.once('exit', r));
    demo.child.kill('SIGTERM');
    await exited;
    await sandbox.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
