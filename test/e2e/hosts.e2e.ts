import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { addProfile, openSandboxDemo, shot, type SandboxDemo } from './sandboxDemo';

const instanceRow = (page: Page, name: string) => page.locator('tr.instance-row').filter({ has: page.getByText(name, { exact: true }) });

test.describe('Hosts', () => {
  let app: SandboxDemo | undefined;
  test.afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`add a profile, see the sandbox's instances, filter, save one as a host (${scheme})`, async ({ page }) => {
      test.setTimeout(120_000);
      app = await openSandboxDemo(page, { colorScheme: scheme });
      const admin = app.sandbox.principals[0]!;

      // Nothing yet: the designed empty state leads to the Profiles view.
      await expect(page.getByRole('heading', { name: 'No hosts yet' })).toBeVisible();
      await page.getByRole('button', { name: 'Add an AWS profile' }).click();
      await expect(page.getByRole('heading', { name: 'Profiles', level: 1 })).toBeVisible();
      await addProfile(page, 'sandbox admin', admin);

      // Back to Hosts: the new profile needs no prompt, so the first scan starts by itself.
      await page.keyboard.press('Control+1');
      await expect(page.getByRole('heading', { name: 'Discovered instances' })).toBeVisible();
      const truth = app.sandbox.instances;
      for (const t of truth) await expect(page.locator(`tr[data-instance-id="${t.instanceId}"]`)).toBeVisible();
      await expect(page.getByRole('region', { name: 'Profile sandbox admin' })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Region us-east-1' })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Region eu-west-1' })).toBeVisible();

      // What each row says: state and platform badges, EIC readiness or what is missing, the public IPv4 cost.
      await expect(instanceRow(page, 'web-1')).toContainText('EIC-ready');
      await expect(instanceRow(page, 'web-1')).toContainText('Amazon Linux 2023');
      await expect(instanceRow(page, 'batch-worker')).toContainText('stopped');
      await expect(instanceRow(page, 'legacy-reporting')).toContainText('No ec2-instance-connect package');
      await expect(instanceRow(page, 'analytics-worker')).toContainText('No endpoint in its VPC');
      await expect(instanceRow(page, 'win-admin')).toContainText('Windows');
      await expect(instanceRow(page, 'jump-host')).toContainText('$3.65/mo');
      await expect(page.getByTestId('savings')).toHaveText('Save $7.30/month');
      await expect(page.getByTestId('savings-detail')).toContainText('2 instances have a public IPv4 address');
      await shot(page, scheme === 'light' ? 'hosts' : 'hosts-dark');

      // The filter narrows as you type: by name, by IP, by id.
      const search = page.getByRole('searchbox', { name: 'Filter hosts' });
      await search.fill('web');
      await expect(page.locator('tr.instance-row')).toHaveCount(2);
      await expect(instanceRow(page, 'web-1')).toBeVisible();
      await expect(instanceRow(page, 'web-frontend')).toBeVisible();
      const euApi = truth.find((t) => t.name === 'eu-api')!;
      await search.fill(euApi.privateIp);
      await expect(page.locator('tr.instance-row')).toHaveCount(1);
      await expect(instanceRow(page, 'eu-api')).toBeVisible();
      await search.fill('nothing-matches-this');
      await expect(page.getByText('No instance matches “nothing-matches-this”.')).toBeVisible();
      await search.fill('web-1');

      // A row's actions sit on one line and Tab goes from the row through them, in order.
      const row = instanceRow(page, 'web-1');
      const actions = row.getByRole('group', { name: 'Actions for web-1' });
      const group = (await actions.boundingBox())!;
      const button = (await actions.getByRole('button').first().boundingBox())!;
      expect(group.height).toBeLessThan(button.height * 1.5);
      await row.focus();
      for (const name of ['Connect to web-1', 'Save web-1 as a host', 'Diagnose web-1']) {
        await page.keyboard.press('Tab');
        await expect(row.getByRole('button', { name })).toBeFocused();
      }

      // Save as host: label, folder, tags; the OS user comes from the AMI.
      await instanceRow(page, 'web-1').getByRole('button', { name: 'Save web-1 as a host' }).click();
      const dialog = page.getByRole('dialog', { name: 'Save as host' });
      await expect(dialog.getByLabel('Label')).toHaveValue('web-1');
      await expect(dialog.getByLabel('OS user')).toHaveValue('ec2-user');
      await expect(dialog.getByLabel('Port')).toHaveValue('22');
      await dialog.getByLabel(/^Folder/).fill('prod/web');
      await dialog.getByLabel(/^Tags/).fill('critical, frontend');
      if (scheme === 'light') await shot(page, 'hosts-save');
      await dialog.getByRole('button', { name: 'Save host' }).click();
      await expect(dialog).toHaveCount(0);

      const saved = page.getByRole('region', { name: 'Folder prod/web' });
      await expect(saved).toBeVisible();
      await expect(saved.locator('tr.instance-row')).toContainText('web-1');
      await expect(saved.locator('tr.instance-row')).toContainText('critical');
      await expect(saved.locator('tr.instance-row')).toContainText('EC2 Instance Connect key');
      await expect(instanceRow(page, 'web-1').getByRole('button', { name: 'Save web-1 as a host' })).toHaveText('Saved');
      // Saved hosts are found by their tags too.
      await search.fill('frontend');
      await expect(saved).toBeVisible();
      await search.fill('');
      if (scheme === 'light') await shot(page, 'hosts-saved');

      // Copy SSH config: the person's own key, a Host block on the clipboard, and what to type.
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
      await saved.getByRole('button', { name: 'Copy SSH config for web-1' }).click();
      const config = page.getByRole('dialog', { name: 'Copy SSH config for “web-1”' });
      await config.getByLabel(/^Your private key/).fill('~/.ssh/id_work');
      await config.getByRole('button', { name: 'Copy to clipboard' }).click();
      await expect(config.getByRole('status')).toContainText('Copied. Add it to ~/.ssh/config, then run ssh web-1.');
      const block = await page.evaluate(() => navigator.clipboard.readText());
      expect(block).toContain('Host web-1\n');
      expect(block).toContain('IdentityFile ~/.ssh/id_work\n');
      expect(block).toMatch(/ProxyCommand bastionless-tunnel .*--instance-id i-[0-9a-f]+ .*--push-key ~\/\.ssh\/id_work\.pub/);
      await expect(config.getByLabel('The copied block')).toHaveText(block.trimEnd());
      await shot(page, scheme === 'light' ? 'hosts-ssh-config' : 'hosts-ssh-config-dark');
      await config.getByRole('button', { name: 'Done' }).click();
      await expect(config).toHaveCount(0);

      // The save survives a reload of the window (it is main's, not the page's).
      await page.reload();
      await expect(page.getByRole('region', { name: 'Folder prod/web' })).toBeVisible();
    });
  }

  test('a Region that fails shows its message and hint, and the others still list', async ({ page }) => {
    test.setTimeout(90_000);
    app = await openSandboxDemo(page);
    await addProfile(page, 'sandbox admin', app.sandbox.principals[0]!);
    await page.keyboard.press('Control+1');
    await page.getByText(/^Scan covers/).click();
    const regions = page.getByLabel(/^Regions/);
    await regions.fill('us-east-1, eu-west-1, af-south-1');
    await regions.blur();
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    const failure = page.locator('.scan-status__error[data-regions~="af-south-1"]');
    await expect(failure.getByRole('alert')).toHaveAttribute('data-code', 'AWS_REGION_DISABLED');
    await expect(failure).toContainText('af-south-1 is not enabled');
    await expect(failure).toContainText('Enable the Region in the AWS console');
    await expect(page.locator('.scope--failed')).toContainText('af-south-1');
    await expect(page.locator('.scope--done')).toHaveCount(2);
    await expect(instanceRow(page, 'eu-api')).toBeVisible();
    await shot(page, 'hosts-region-error');
  });
});
