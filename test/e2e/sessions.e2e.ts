/**
 * Terminal sessions as a person uses them: the demo app (`npm run demo`, real main in Node)
 * against the sandbox (EC2 API, EC2 Instance Connect, the EICE tunnel server, real sshd
 * instances), driven in Chromium. Screenshots go to test-results/screenshots/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { startSandbox, type Sandbox } from '../sandbox/index';
import type {} from '../../renderer/src/features/terminals/harnessHooks';
import { expect, test } from './fixtures';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run demo -- --json` (the command a person runs) with `env`; resolves with its URL. */
async function startDemo(env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/harness/demo.ts', '--json', '--no-build'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`npm run demo exited with ${code}: ${stderr}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

const SHOTS = 'test-results/screenshots';

interface Running {
  sandbox: Sandbox;
  stop(): Promise<void>;
}

/** The sandbox with its sshd instances, and the demo app pointed at it (AWS keys in its environment). */
async function openApp(page: Page, colorScheme: 'light' | 'dark' = 'light'): Promise<Running> {
  const sandbox = await startSandbox();
  const home = mkdtempSync(join(tmpdir(), 'bl-e2e-home-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, ...sandbox.env, HOME: home };
    for (const name of ['AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_SESSION_TOKEN']) delete env[name];
    const demo = await startDemo(env);
    await page.emulateMedia({ colorScheme });
    await page.goto(demo.url);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    return {
      sandbox,
      async stop() {
        const exited = new Promise((r) => demo.child.once('exit', r));
        demo.child.kill('SIGTERM');
        await exited;
        await sandbox.stop();
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await sandbox.stop();
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
}

const control = async (sandbox: Sandbox, path: string, body: unknown = {}): Promise<unknown> => {
  const response = await fetch(`${sandbox.controlUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.ok, `${path} answered ${response.status}`).toBe(true);
  return response.json();
};

/** An instance's row in the Hosts view, once the scan of the environment's profile (it runs by itself) shows it. */
async function instanceRow(page: Page, name: string): Promise<Locator> {
  await page.keyboard.press('Control+1');
  const row = page.locator('#panel-workspace tr').filter({ has: page.getByText(name, { exact: true }) }).first();
  await expect(row).toBeVisible({ timeout: 30_000 });
  return row;
}

async function doubleClickInstance(page: Page, name: string): Promise<void> {
  await (await instanceRow(page, name)).dblclick();
}

const visiblePanel = (page: Page): Locator => page.locator('[data-testid="terminal-panel"]:visible');

async function sessionIdOf(panel: Locator): Promise<string> {
  const id = await panel.getAttribute('data-session');
  if (!id) throw new Error('the terminal panel has no session id');
  return id;
}

/** What the session's terminal shows (screen and scrollback), read through the harness hook. */
function terminalText(page: Page, sessionId: string): Promise<string> {
  return page.evaluate((id) => window.__bastionlessTerminals?.text(id) ?? '', sessionId);
}

/** The shell gets the keys: the terminal of the tab in front has the focus. */
async function expectFocused(page: Page): Promise<void> {
  await expect(visiblePanel(page).locator('.xterm-helper-textarea')).toBeFocused();
}

async function expectTerminal(page: Page, sessionId: string, pattern: RegExp): Promise<void> {
  await expect.poll(() => terminalText(page, sessionId), { timeout: 20_000 }).toMatch(pattern);
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

test.describe('terminal sessions', () => {
  let app: Running | undefined;
  test.afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  test('double-click a host: the steps, then a prompt; 6*7 is 42; resizing reaches the shell', async ({ page }) => {
    test.setTimeout(120_000);
    app = await openApp(page);
    const row = await instanceRow(page, 'web-1');
    // A slow AWS API for this first connection, so the steps can be seen (and photographed) running.
    await control(app.sandbox, '/faults', { apiDelayMs: 1500 });
    await row.dblclick();
    const panel = visiblePanel(page);
    await expect(panel.locator('[data-step="key"]')).toHaveAttribute('data-status', 'running');
    await expect(panel.locator('[data-step="resolve"]')).toHaveAttribute('data-status', 'done');
    await expect(panel.getByRole('heading', { name: 'Connecting to web-1' })).toBeVisible();
    await shot(page, 'session-connecting');
    await control(app.sandbox, '/faults/reset');
    await expect(panel).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
    const id = await sessionIdOf(panel);
    await expect(page.getByRole('tab', { name: /web-1/ })).toHaveAttribute('aria-selected', 'true');
    await expect(panel.getByTestId('time-left')).toHaveText(/(59|60) min left/);

    // The shell's prompt, then a command typed as a person would.
    await expectTerminal(page, id, /ec2-user@\S+[:~\s\S]*\$ ?$/);
    await expectFocused(page);
    await page.keyboard.type('echo $((6*7))');
    await page.keyboard.press('Enter');
    await expectTerminal(page, id, /^42$/m);
    await shot(page, 'session-connected');

    // The terminal fits its box; a smaller window sends window-change and the shell sees it.
    const before = await page.evaluate((sid) => window.__bastionlessTerminals?.size(sid), id);
    await page.setViewportSize({ width: 1000, height: 600 });
    await expect.poll(() => page.evaluate((sid) => window.__bastionlessTerminals?.size(sid), id)).not.toEqual(before);
    const after = (await page.evaluate((sid) => window.__bastionlessTerminals?.size(sid), id))!;
    await page.keyboard.type('stty size');
    await page.keyboard.press('Enter');
    await expectTerminal(page, id, new RegExp(`^${after.rows} ${after.cols}$`, 'm'));
  });

  test('two tabs at once, each with its own shell', async ({ page }) => {
    test.setTimeout(120_000);
    app = await openApp(page);
    await doubleClickInstance(page, 'web-1');
    await expect(visiblePanel(page)).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
    const first = await sessionIdOf(visiblePanel(page));
    await doubleClickInstance(page, 'build-runner');
    await expect(visiblePanel(page)).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
    const second = await sessionIdOf(visiblePanel(page));
    expect(second).not.toBe(first);
    await expect(page.locator('.tab--session')).toHaveCount(2);
    await expect(page.getByTestId('status-sessions')).toHaveText('2 live sessions');

    await expectFocused(page);
    await page.keyboard.type('echo second-$((1+1))');
    await page.keyboard.press('Enter');
    await expectTerminal(page, second, /^second-2$/m);
    // Ctrl+Shift+Tab goes back to the first tab (through the keyboard, from inside the terminal).
    await page.keyboard.press('Control+Shift+Tab');
    await expect(visiblePanel(page)).toHaveAttribute('data-session', first);
    await expectFocused(page);
    await page.keyboard.type('echo first-$((2+2))');
    await page.keyboard.press('Enter');
    await expectTerminal(page, first, /^first-4$/m);
    expect(await terminalText(page, first)).not.toContain('second-2');
    expect(await terminalText(page, second)).not.toContain('first-4');
    await shot(page, 'session-two-tabs');

    // Tabs reorder by dragging and rename by double-clicking the title.
    const tabs = page.locator('.tab--session');
    await tabs.nth(1).dragTo(tabs.nth(0), { targetPosition: { x: 5, y: 10 } });
    await expect(tabs.nth(0)).toContainText('build-runner');
    await page.getByRole('tab', { name: /web-1/ }).dblclick();
    await page.getByRole('textbox', { name: 'Rename web-1' }).fill('prod web');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('tab', { name: /prod web/ })).toBeVisible();

    // Closing a live tab asks first.
    await page.getByRole('button', { name: 'Close prod web' }).click();
    await expect(page.getByRole('heading', { name: 'Close the session to web-1?' })).toBeVisible();
    await page.getByRole('button', { name: 'Close session' }).click();
    await expect(page.locator('.tab--session')).toHaveCount(1);
  });

  test('the sandbox drops the tunnel: the tab says so, and Reconnect runs the whole flow again', async ({ page }) => {
    test.setTimeout(120_000);
    app = await openApp(page);
    await doubleClickInstance(page, 'web-1');
    const panel = visiblePanel(page);
    await expect(panel).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
    const id = await sessionIdOf(panel);
    await expectFocused(page);
    await page.keyboard.type('echo before-drop');
    await page.keyboard.press('Enter');
    await expectTerminal(page, id, /^before-drop$/m);

    const web1 = app.sandbox.instances.find((i) => i.name === 'web-1')!;
    await control(app.sandbox, '/tunnels/drop', { instanceId: web1.instanceId });
    await expect(panel).toHaveAttribute('data-status', 'disconnected', { timeout: 20_000 });
    const bar = panel.getByTestId('drop-bar');
    await expect(bar).toHaveAttribute('data-reason', 'connection-lost');
    await expect(bar).toContainText('Connection lost');
    await expect(page.getByRole('tab', { name: /web-1/ }).locator('.status-dot')).toHaveClass(/status-dot--closed/);
    await shot(page, 'session-dropped');

    await bar.getByRole('button', { name: 'Reconnect' }).click();
    await expect(panel).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
    // The old output stays above the new shell.
    await expectTerminal(page, id, /before-drop[\s\S]*reconnected at/);
    await expectFocused(page);
    await page.keyboard.type('echo after-$((40+2))');
    await page.keyboard.press('Enter');
    await expectTerminal(page, id, /^after-42$/m);
  });

  test('a changed host key is refused with both fingerprints, and accepted only on request', async ({ page }) => {
    test.setTimeout(120_000);
    app = await openApp(page, 'dark');
    await doubleClickInstance(page, 'web-1');
    const panel = visiblePanel(page);
    await expect(panel).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
    const web1 = app.sandbox.instances.find((i) => i.name === 'web-1')!;
    const { hostKeyFingerprint } = (await control(app.sandbox, `/instances/${web1.instanceId}/regenerate-host-key`)) as { hostKeyFingerprint: string };

    // Regenerating restarts sshd, which drops the session; the reconnect meets the new key.
    await expect(panel).toHaveAttribute('data-status', 'disconnected', { timeout: 20_000 });
    await panel.getByTestId('drop-bar').getByRole('button', { name: 'Reconnect' }).click();
    await expect(panel).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
    const change = panel.getByTestId('host-key-change');
    await expect(change).toContainText(hostKeyFingerprint);
    await expect(panel.getByRole('alert')).toContainText('is not the one Bastionless saw before');
    await expect(panel.locator('[data-step="auth"]')).toHaveAttribute('data-status', 'failed');
    await shot(page, 'session-host-key-changed-dark');

    await change.getByRole('button', { name: 'Keep refusing' }).click();
    await expect(panel).toHaveAttribute('data-status', 'failed');
    await expect(panel.getByTestId('host-key-change')).toHaveCount(0);
    await panel.getByRole('button', { name: 'Retry' }).click();
    await expect(panel.getByTestId('host-key-change')).toContainText(hostKeyFingerprint, { timeout: 30_000 });
    await panel.getByRole('button', { name: 'Trust the new key and connect' }).click();
    await expect(panel).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
    await shot(page, 'session-reconnected-dark');
  });
});
