import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateInstanceConnectEndpointCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Page } from '@playwright/test';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { expect, startDemo, test } from './fixtures';
import { inDarkTheme } from './sandboxDemo';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SCENARIO = join(root, 'test/sandbox/scenarios/endpoints-e2e.json');
const SHOTS = join(root, 'test-results/screenshots');
const STAGING_VPC = 'vpc-0e2e0000000000002';
const PROD_ENDPOINT = 'eice-0e2e0000000000901';

interface SandboxApp {
  sandbox: Sandbox;
  page: Page;
  stop(): Promise<void>;
}

/** The sandbox (AWS, the EICE tunnel server, a real sshd per instance) and the app pointed at it, as one principal. */
async function openApp(page: Page, options: { principal?: string; scenario?: string } = {}): Promise<SandboxApp> {
  const sandbox = await startSandbox({ scenario: options.scenario ?? SCENARIO });
  const home = mkdtempSync(join(tmpdir(), 'e2e-endpoints-home-'));
  const principal = sandbox.principals.find((p) => p.name === (options.principal ?? 'sandbox-admin')) ?? sandbox.principals[0];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...sandbox.env,
    AWS_ACCESS_KEY_ID: principal?.accessKeyId ?? '',
    AWS_SECRET_ACCESS_KEY: principal?.secretAccessKey ?? '',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
  };
  delete env['AWS_PROFILE'];
  const demo = await startDemo([], env);
  await page.goto(demo.info.url);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  return {
    sandbox,
    page,
    stop: async () => {
      const exited = new Promise((r) => demo.child.once('exit', r));
      demo.child.kill('SIGTERM');
      await exited;
      await sandbox.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot of the whole view: the window grows to the content's height for it (the view scrolls inside the shell). */
async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const size = page.viewportSize();
  const height = await page.evaluate(() => (document.querySelector('.shell__content')?.scrollHeight ?? 0) + 80);
  if (size && height > size.height) await page.setViewportSize({ width: size.width, height: Math.min(height, 4000) });
  await page.screenshot({ path: join(SHOTS, `endpoints-${name}.png`) });
  if (size) await page.setViewportSize(size);
}

async function showEndpoints(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /Endpoints/ }).click();
  await expect(page.getByRole('heading', { name: 'Endpoints', level: 1 })).toBeVisible();
  await expect(page.getByTestId('region-quota')).toBeVisible();
}

const wizard = (page: Page) => page.getByTestId('setup-wizard');

test.describe('Endpoints', () => {
  test('a VPC without an endpoint: wizard, created, rules added, then double-click a host connects', async ({ page }) => {
    test.setTimeout(180_000);
    const app = await openApp(page);
    try {
      await showEndpoints(page);
      await expect(page.locator(`[data-endpoint-id="${PROD_ENDPOINT}"]`)).toContainText('ready');
      await expect(page.getByTestId('region-quota')).toContainText('1 of 5 in us-east-1');
      await shot(page, '0-list');
      await inDarkTheme(page, () => shot(page, '0-list-dark'));

      await page.getByRole('button', { name: 'Set up endpoint' }).first().click();
      await expect(wizard(page)).toHaveAttribute('data-step', '1');
      await expect(wizard(page).locator('[data-vpc-id="vpc-0e2e0000000000001"]')).toContainText(`Already has its endpoint, ${PROD_ENDPOINT}`);
      await expect(wizard(page).getByTestId('wizard-quota')).toContainText('1 of 5 endpoints used in us-east-1');
      await wizard(page).locator(`[data-vpc-id="${STAGING_VPC}"]`).click();
      await shot(page, '1-where');
      await wizard(page).getByRole('button', { name: 'Next' }).click();

      // 2: the private subnet of us-east-1b, where both app instances run, is recommended and chosen.
      await expect(wizard(page).locator('[data-subnet-id="subnet-0e2e0000000000022"]')).toContainText('recommended');
      await expect(wizard(page).locator('input[value="subnet-0e2e0000000000022"]')).toBeChecked();
      await expect(wizard(page).locator('[data-subnet-id="subnet-0e2e0000000000023"]')).toContainText('public');
      await expect(wizard(page)).toContainText('One endpoint serves every subnet of the VPC');
      await shot(page, '2-subnet');
      await wizard(page).getByRole('button', { name: 'Next' }).click();

      // 3: the dedicated group; the existing ones are shown with their egress checked.
      await expect(wizard(page).locator('[data-choice="dedicated"]')).toContainText(`bastionless-eice-${STAGING_VPC}`);
      await expect(wizard(page).locator('[data-choice="dedicated"]')).toContainText('TCP 22 to 10.2.0.0/16');
      await wizard(page).locator('[data-choice="existing"]').click();
      await expect(wizard(page).locator('[data-group-id="sg-0e2e0000000000201"]')).toContainText('✓ TCP 22 out');
      await shot(page, '3-groups');
      await inDarkTheme(page, () => shot(page, '3-groups-dark'));
      await wizard(page).locator('[data-choice="dedicated"]').click();
      await wizard(page).getByRole('button', { name: 'Next' }).click();

      // 4: client IP, off by default.
      await expect(wizard(page).locator('[data-choice="off"] input')).toBeChecked();
      await shot(page, '4-client-ip');
      await wizard(page).getByRole('button', { name: 'Next' }).click();

      // 5: the exact calls, then the DryRun check passes.
      await expect(wizard(page).locator('.ep-call')).toHaveCount(5);
      await expect(wizard(page).locator('[data-action="ec2:CreateInstanceConnectEndpoint"]').first()).toContainText('"PreserveClientIp": false');
      await expect(wizard(page).getByTestId('permissions-ok')).toBeVisible();
      await shot(page, '5-review');
      // Going back keeps the choices.
      await wizard(page).getByRole('button', { name: 'Back' }).click();
      await expect(wizard(page)).toHaveAttribute('data-step', '4');
      await wizard(page).getByRole('button', { name: 'Next' }).click();
      await expect(wizard(page).getByTestId('permissions-ok')).toBeVisible();
      await wizard(page).getByRole('button', { name: 'Create endpoint' }).click();

      // 6: live progress until create-complete.
      await expect(wizard(page)).toHaveAttribute('data-step', '6');
      await expect(wizard(page).locator('[data-step="createGroup"]')).toHaveAttribute('data-status', 'done');
      await shot(page, '6-create-progress');
      await inDarkTheme(page, () => shot(page, '6-create-progress-dark'));
      await expect(wizard(page).locator('.op-card')).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
      await shot(page, '6-create-done');
      await wizard(page).getByRole('button', { name: 'Next: open the path' }).click();

      // 7: both app instances need SSH from the endpoint's group: one rule on their shared group.
      const openPath = wizard(page).getByTestId('open-path');
      await expect(openPath.locator('[data-instance-id="i-0e2e0000000000002"]')).toHaveAttribute('data-status', 'needsRule');
      await expect(openPath.locator('[data-rule="sg-0e2e0000000000201:22"]')).toContainText('staging-app');
      await expect(openPath.locator('[data-rule="sg-0e2e0000000000201:22"]')).toContainText(`bastionless-eice-${STAGING_VPC}`);
      await shot(page, '7-open-path');
      await openPath.getByRole('button', { name: 'Add this rule' }).click();
      await expect(openPath.getByTestId('rule-results')).toContainText('added');
      await expect(openPath.getByTestId('path-open')).toBeVisible();
      await expect(openPath.locator('[data-instance-id="i-0e2e0000000000002"]')).toHaveAttribute('data-status', 'open');
      await shot(page, '7-open-path-done');
      await openPath.getByRole('button', { name: 'Done' }).click();

      // The list shows the new endpoint; 2 of 5 now.
      await expect(page.getByTestId('region-quota')).toContainText('2 of 5 in us-east-1');
      await expect(page.locator('.endpoint-card', { hasText: STAGING_VPC })).toContainText('made by Bastionless');

      // Double-click app-1 in the Hosts view: a terminal through the new endpoint.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /Hosts/ }).click();
      const row = page.locator('[data-instance-id="i-0e2e0000000000002"]').first();
      await expect(row).toBeVisible({ timeout: 30_000 });
      await page.getByRole('button', { name: /Scan|Refresh/ }).first().click();
      await expect(row).toContainText('EIC-ready', { timeout: 30_000 });
      await row.dblclick();
      await expect(page.locator('[data-testid="terminal-panel"][data-status="connected"]')).toBeVisible({ timeout: 30_000 });
      await shot(page, '8-connected');
      const tunnels = app.sandbox.world.tunnels();
      expect(tunnels.some((t) => t.instanceId === 'i-0e2e0000000000002')).toBe(true);
    } finally {
      await app.stop();
    }
  });

  test('quota refusals name the endpoint that holds the slot', async ({ page }) => {
    const app = await openApp(page);
    try {
      await showEndpoints(page);
      await page.locator(`tr[data-vpc-id="${STAGING_VPC}"]`).getByRole('button', { name: 'Set up endpoint' }).click();
      await expect(wizard(page)).toHaveAttribute('data-step', '2');
      await wizard(page).getByRole('button', { name: 'Next' }).click();
      await wizard(page).getByRole('button', { name: 'Next' }).click();
      // The VPC's one slot shows as taken on the first step for prod-vpc.
      // Meanwhile someone else creates an endpoint in the chosen subnet (another tool, a colleague).
      const ec2 = new EC2Client({ region: 'us-east-1', endpoint: app.sandbox.urls.ec2, credentials: { accessKeyId: app.sandbox.env['AWS_ACCESS_KEY_ID'] ?? '', secretAccessKey: app.sandbox.env['AWS_SECRET_ACCESS_KEY'] ?? '' } });
      const created = await ec2.send(new CreateInstanceConnectEndpointCommand({ SubnetId: 'subnet-0e2e0000000000022', SecurityGroupIds: ['sg-0e2e0000000000201'], PreserveClientIp: false }));
      ec2.destroy();
      const holder = created.InstanceConnectEndpoint?.InstanceConnectEndpointId ?? '';
      await wizard(page).getByRole('button', { name: 'Next' }).click();
      const refusal = wizard(page).locator('.error-notice[data-code="EIC_QUOTA_EXCEEDED"]');
      await expect(refusal).toContainText(`Subnet subnet-0e2e0000000000022 already has an EC2 Instance Connect Endpoint, ${holder}`);
      await expect(wizard(page).getByRole('button', { name: 'Create endpoint' })).toBeDisabled();
      await shot(page, '5-review-quota-refused');
    } finally {
      await app.stop();
    }
  });

  test('a full Region: five of five, and the wizard names the five endpoints', async ({ page }) => {
    const full = await openApp(page, { scenario: join(root, 'test/sandbox/scenarios/endpoint-quota.json') });
    try {
      await showEndpoints(page);
      await expect(page.getByTestId('region-quota')).toContainText('5 of 5 in us-east-1');
      await expect(page.locator('tr[data-vpc-id="vpc-0c000000000000006"]').getByRole('button', { name: 'Set up endpoint' })).toBeDisabled();
      await page.getByRole('button', { name: 'Set up endpoint' }).first().click();
      await expect(wizard(page).getByTestId('wizard-quota')).toContainText('5 of 5 endpoints used in us-east-1');
      await expect(wizard(page)).toContainText('us-east-1 has no room for another endpoint (eice-0c000000000000101');
      await shot(page, '1-where-region-full');
    } finally {
      await full.stop();
    }
  });

  test('a DryRun denial from IAM names the missing actions and nothing is created', async ({ page }) => {
    const app = await openApp(page, { principal: 'sandbox-restricted' });
    try {
      // Offered from the Hosts view: a host whose VPC has no endpoint.
      const offer = page.getByTestId('setup-endpoint-for-vpc');
      await expect(offer).toBeVisible({ timeout: 30_000 });
      await shot(page, 'hosts-offer');
      await offer.click();
      await expect(wizard(page)).toHaveAttribute('data-step', '2');
      await expect(wizard(page).locator('[data-subnet-id="subnet-0e2e0000000000022"]')).toBeVisible();
      for (let i = 0; i < 3; i += 1) await wizard(page).getByRole('button', { name: 'Next' }).click();
      const missing = wizard(page).getByTestId('missing-permissions');
      await expect(missing).toContainText('ec2:AuthorizeSecurityGroupEgress, ec2:CreateInstanceConnectEndpoint');
      await expect(wizard(page).locator('tr[data-action="ec2:CreateInstanceConnectEndpoint"]')).toHaveAttribute('data-allowed', 'no');
      await expect(wizard(page).getByRole('button', { name: 'Create endpoint' })).toBeDisabled();
      await shot(page, '5-review-dryrun-denied');
      expect(app.sandbox.world.endpoints().filter((e) => e.vpcId === STAGING_VPC)).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  test('delete asks first, naming the saved hosts that connect through the endpoint', async ({ page }) => {
    const app = await openApp(page);
    try {
      // A saved host in prod-vpc, saved the way the Hosts view saves one.
      await page.evaluate(async () => {
        const eic = (window as unknown as { eic: { hosts: { save(input: unknown): Promise<unknown> } } }).eic;
        await eic.hosts.save({ label: 'web-1 (prod)', profileId: 'env', region: 'us-east-1', instanceId: 'i-0e2e0000000000001' });
      });
      await showEndpoints(page);
      const card = page.locator(`[data-endpoint-id="${PROD_ENDPOINT}"]`);
      await expect(card).toContainText('web-1 (prod)');
      await card.getByRole('button', { name: 'Delete…' }).click();
      const dialog = page.getByRole('dialog', { name: `Delete ${PROD_ENDPOINT}?` });
      await expect(dialog.getByRole('list', { name: 'Saved hosts that depend on it' })).toContainText('web-1 (prod)');
      await shot(page, 'delete-dialog');
      await dialog.getByRole('button', { name: `Delete ${PROD_ENDPOINT}` }).click();
      await expect(page.locator('.op-card').first()).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 });
      await expect(page.locator('tr[data-vpc-id="vpc-0e2e0000000000001"]').getByRole('button', { name: 'Set up endpoint' })).toBeVisible();
      await expect(page.getByTestId('region-quota')).toContainText('0 of 5 in us-east-1');
    } finally {
      await app.stop();
    }
  });

  test('move to another AZ when its AZ is impaired, then connect through the new endpoint', async ({ page }) => {
    test.setTimeout(120_000);
    const app = await openApp(page);
    try {
      app.sandbox.world.setZoneState('us-east-1', 'us-east-1a', 'impaired', 'Increased connectivity issues in use1-az1.');
      await showEndpoints(page);
      const card = page.locator(`[data-endpoint-id="${PROD_ENDPOINT}"]`);
      await expect(card).toContainText('us-east-1a is impaired');
      await card.getByRole('button', { name: 'Move to another AZ…' }).click();
      const dialog = page.getByRole('dialog', { name: `Move ${PROD_ENDPOINT} to another AZ` });
      await expect(dialog.locator('[data-subnet-id="subnet-0e2e0000000000012"]')).toContainText('recommended');
      await expect(dialog.getByTestId('move-downtime')).toContainText(`first deletes ${PROD_ENDPOINT}`);
      await shot(page, 'move-dialog');
      await dialog.getByRole('button', { name: 'Delete and re-create in the new AZ' }).click();

      const op = page.locator('.op-card').first();
      await expect(op).toHaveAttribute('data-status', 'running');
      await shot(page, 'move-progress');
      await expect(op).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
      const moved = page.locator('.endpoint-card', { hasText: 'subnet-0e2e0000000000012' });
      await expect(moved).toContainText('ready');
      await expect(moved).toContainText('us-east-1b');
      await shot(page, 'move-done');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /Hosts/ }).click();
      await page.getByRole('button', { name: /Scan|Refresh/ }).first().click();
      const row = page.locator('[data-instance-id="i-0e2e0000000000001"]').first();
      await expect(row).toContainText('EIC-ready', { timeout: 30_000 });
      await row.dblclick();
      await expect(page.locator('[data-testid="terminal-panel"][data-status="connected"]')).toBeVisible({ timeout: 30_000 });
      const newEndpoint = app.sandbox.world.endpoints().find((e) => e.subnetId === 'subnet-0e2e0000000000012' && e.state === 'create-complete');
      expect(app.sandbox.world.tunnels().some((t) => t.endpointId === newEndpoint?.id)).toBe(true);
      await shot(page, 'move-connected');
    } finally {
      await app.stop();
    }
  });
});
