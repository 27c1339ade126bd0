/**
 * The troubleshooting wizard as a person uses it: the demo app (`npm run demo`, real main in
 * Node) against a sandbox world (EC2 API, EC2 Instance Connect, the EICE tunnel server, real
 * sshd instances) and a private OS keychain, driven in Chromium. Screenshots go to
 * test-results/screenshots/diagnose-*.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import type { Sandbox } from '../sandbox/index';
import type {} from '../../renderer/src/features/terminals/harnessHooks';
import { openDemoWorld, type DemoWorld } from './demoWorld';
import { expect, test } from './fixtures';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = join(root, 'test-results/screenshots');

/** A diagnose-*.json world, a private keychain, and the demo app pointed at both (AWS keys in its environment). */
async function openApp(page: Page, scenario: string, colorScheme: 'light' | 'dark' = 'light'): Promise<DemoWorld> {
  return openDemoWorld(page, {
    sandbox: { scenario: join(root, `test/sandbox/scenarios/diagnose-${scenario}.json`) },
    viewport: { width: 1280, height: 900 },
    colorScheme,
  });
}

/** Steers the sandbox through its control API (faults). */
async function control(sandbox: Sandbox, path: string, body: unknown = {}): Promise<void> {
  const response = await fetch(`${sandbox.controlUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.ok, `${path} answered ${response.status}`).toBe(true);
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** The instance's row in the Hosts view (the scan of the environment's profile runs by itself). */
async function instanceRow(page: Page, name: string): Promise<Locator> {
  await page.keyboard.press('Control+1');
  const row = page.locator('#panel-workspace tr').filter({ has: page.getByText(name, { exact: true }) }).first();
  await expect(row).toBeVisible({ timeout: 30_000 });
  return row;
}

const visiblePanel = (page: Page): Locator => page.locator('[data-testid="terminal-panel"]:visible');
const wizard = (page: Page): Locator => page.getByRole('dialog', { name: /^Diagnose/ });
const card = (page: Page, id: string): Locator => wizard(page).locator(`[data-check="${id}"]`);

test.describe('the troubleshooting wizard', () => {
  let app: DemoWorld | undefined;
  test.afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  test('a group without port 22: the tab fails, Diagnose finds it, one fix adds the rule, Try again connects', async ({ page }) => {
    test.setTimeout(150_000);
    app = await openApp(page, 'sg-without-22');
    await (await instanceRow(page, 'app-1')).dblclick();
    const panel = visiblePanel(page);
    await expect(panel).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
    await expect(panel.getByRole('alert')).toContainText('could not open a TCP connection');

    await panel.getByRole('button', { name: 'Diagnose' }).click();
    const dialog = wizard(page);
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('diagnosis')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await expect(dialog.getByRole('status').first()).toContainText('2 problems found');
    // Failures first: the security groups, then the failure's own words explained by them.
    const first = dialog.locator('[data-check]').first();
    await expect(first).toHaveAttribute('data-check', 'securityGroups');
    await expect(card(page, 'securityGroups')).toHaveAttribute('data-status', 'fail');
    await expect(card(page, 'securityGroups')).toContainText("The instance's groups do not let SSH in from the endpoint.");
    await expect(card(page, 'failure')).toContainText('Unable to connect to target');
    await expect(card(page, 'credentials')).toHaveAttribute('data-status', 'pass');
    await shot(page, 'diagnose-sg-found');

    // The fix says exactly what it will do (and AWS's DryRun verdict) before anything changes.
    await card(page, 'securityGroups').getByRole('button', { name: 'Add the inbound rule' }).click();
    const fix = card(page, 'securityGroups').getByRole('region', { name: 'Add the inbound rule' });
    await expect(fix).toContainText('Bastionless will:');
    await expect(fix).toContainText('Add an inbound rule to sg-0d1a9e5e00000104 (web-only): TCP 22 from sg-0d1a9e5e00000101 (eice-endpoint)');
    await expect(fix).toContainText('AWS confirms (DryRun) that you are allowed to do this.');
    expect(app.sandbox.instances.find((i) => i.name === 'app-1')?.reachable).toBe(false);
    await shot(page, 'diagnose-sg-fix-preview');

    await fix.getByRole('button', { name: 'Apply' }).click();
    await expect(card(page, 'securityGroups')).toHaveAttribute('data-status', 'pass', { timeout: 30_000 });
    await expect(dialog.getByRole('list', { name: 'Fixes applied' })).toContainText('Added inbound rule TCP 22 from sg-0d1a9e5e00000101 on sg-0d1a9e5e00000104.');
    await expect(card(page, 'failure')).toContainText('It works now.');
    await shot(page, 'diagnose-sg-fixed');

    await dialog.getByRole('button', { name: 'Try again' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(panel).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
    const id = (await panel.getAttribute('data-session'))!;
    await page.keyboard.type('echo $((6*7))');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate((sid) => window.__bastionlessTerminals?.text(sid) ?? '', id), { timeout: 20_000 }).toMatch(/^42$/m);
    await shot(page, 'diagnose-sg-connected');
  });

  test('the old Amazon Linux 2: the install commands, how to check, and the key-pair alternative (from the host’s row)', async ({ page }) => {
    test.setTimeout(120_000);
    app = await openApp(page, 'old-al2', 'dark');
    const row = await instanceRow(page, 'legacy-1');
    // A slow AWS (every call 400 ms) shows the progress: checks light up as their facts arrive.
    await control(app.sandbox, '/faults', { apiDelayMs: 400 });
    await row.getByRole('button', { name: 'Diagnose legacy-1' }).click();
    const dialog = wizard(page);
    await expect(dialog.getByRole('list', { name: 'Gathering facts' })).toBeVisible();
    await expect(card(page, 'instance')).toHaveAttribute('data-status', 'pass', { timeout: 30_000 });
    await expect(dialog.getByTestId('diagnosis')).toHaveAttribute('data-state', 'running');
    await expect(card(page, 'failure')).toHaveAttribute('data-status', 'pending');
    await shot(page, 'diagnose-progress-dark');
    await expect(dialog.getByTestId('diagnosis')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await control(app.sandbox, '/faults/reset');

    const os = card(page, 'os');
    await expect(os).toHaveAttribute('data-status', 'fail');
    await expect(os).toContainText('Amazon Linux 2 (2.0.20190313) does not come with the ec2-instance-connect package.');
    await expect(os).toContainText('sudo yum install ec2-instance-connect');
    await expect(os).toContainText('/opt/aws/bin/eic_run_authorized_keys');
    await expect(os).toContainText("connect with the instance's key pair (legacy-key)");
    const keyPair = card(page, 'keyPair');
    await expect(keyPair).toHaveAttribute('data-status', 'fail');
    await expect(keyPair).toContainText('Bastionless does not have the private key of legacy-key.');
    await expect(keyPair.getByRole('button', { name: 'Create a key pair' })).toBeVisible();
    await shot(page, 'diagnose-old-al2-dark');

    // The alternative, previewed: a new key pair whose private key goes to the keychain.
    await keyPair.getByRole('button', { name: 'Create a key pair' }).click();
    const fix = keyPair.getByRole('region', { name: 'Create a key pair' });
    await expect(fix.getByLabel('Name')).toHaveValue('bastionless-legacy-1');
    await expect(fix).toContainText('authorized_keys');
    await fix.getByRole('button', { name: 'Review' }).click();
    await expect(fix).toContainText('Create the ED25519 key pair "bastionless-legacy-1" in us-east-1.');
    await expect(fix).toContainText('AWS confirms (DryRun)');
    await shot(page, 'diagnose-old-al2-keypair-preview-dark');
    await fix.getByRole('button', { name: 'Apply' }).click();
    await expect(dialog.getByRole('list', { name: 'Fixes applied' })).toContainText('Created the ED25519 key pair "bastionless-legacy-1"; its private key is in your OS keychain.');
    // The private key went to the keychain, and nowhere near the window.
    expect(app.keyring.lookup('keypair:env:us-east-1:bastionless-legacy-1')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(await page.content()).not.toContain('PRIVATE KEY');

    await dialog.getByRole('button', { name: 'Copy report' }).click();
    await expect(dialog.getByRole('button', { name: 'Report copied' })).toBeVisible();
  });
});
