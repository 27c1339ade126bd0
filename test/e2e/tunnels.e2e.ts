/**
 * The Tunnels view with real tunnels: an SSH tab and an RDP session through the sandbox's
 * endpoint, their counters live, and Stop closing one (its local port stops listening).
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectSignedIn, instanceRow, localPort, openRdpDemo, portOpen, provideKey, rdpPanel, SHOTS } from './rdpDemo';
import { inDarkTheme } from './sandboxDemo';

async function showTunnels(page: Page): Promise<void> {
  await page.keyboard.press('Control+4');
  await expect(page.getByRole('heading', { name: 'Tunnels', level: 1 })).toBeVisible();
}

test.describe('the Tunnels view', () => {
  test.setTimeout(180_000);

  test('lists the SSH and RDP tunnels with target, endpoint, local port, traffic, connections and time left; Stop closes the port', async ({ page }) => {
    const demo = await openRdpDemo(page);
    try {
      await showTunnels(page);
      await expect(page.getByRole('heading', { name: 'No open tunnels' })).toBeVisible();

      // An SSH tab to a Linux instance: a tunnel used in the app, with the endpoint's one-hour limit.
      const linux = demo.sandbox.instances.find((i) => i.platform === 'linux' && i.reachable && i.acceptsPushedKeys && i.region === demo.win.region)!;
      await (await instanceRow(page, linux)).dblclick();
      await expect(page.getByRole('tab', { name: new RegExp(linux.name) })).toBeVisible();

      // An RDP session to the Windows instance: a listener on 127.0.0.1.
      await (await instanceRow(page, demo.win)).getByRole('button', { name: 'Launch RDP to win-admin' }).click();
      await provideKey(page, demo.win.keyPairFile!, false);
      await expectSignedIn(page);
      const port = await localPort(page);

      await showTunnels(page);
      const table = page.getByRole('table', { name: 'Open tunnels' });
      const rdpRow = table.locator('tbody tr').filter({ hasText: 'win-admin' });
      const sshRow = table.locator('tbody tr').filter({ hasText: linux.name });
      await expect(rdpRow).toBeVisible();
      await expect(sshRow).toBeVisible({ timeout: 30_000 });
      await expect(rdpRow).toContainText('RDP');
      await expect(rdpRow).toContainText(demo.win.instanceId);
      await expect(rdpRow).toContainText(`${demo.win.privateIp}:3389`);
      await expect(rdpRow).toContainText(demo.win.endpointId!);
      await expect(rdpRow).toContainText(`127.0.0.1:${port}`);
      await expect(rdpRow).toContainText(/↑ \d+(\.\d)? KB/);
      await expect(rdpRow).toContainText(/↓ \d+(\.\d)? KB/);
      await expect(rdpRow).toContainText('0 / 4');
      // The client has gone (auth-only): the listener waits a while for it, and says until when.
      await expect(rdpRow).toContainText(/idle, closes in\s*[12]:\d\d/);
      await expect(sshRow).toContainText('SSH');
      await expect(sshRow).toContainText('in app');
      await expect(sshRow).toContainText(`${linux.privateIp}:22`);
      // The SSH tunnel's hour, counting down live.
      const first = await sshRow.locator('.time-left').textContent();
      expect(first).toMatch(/^(5\d|60|1:00):\d\d$/);
      await expect.poll(async () => sshRow.locator('.time-left').textContent(), { timeout: 5_000 }).not.toBe(first);
      await page.screenshot({ path: `${SHOTS}/tunnels.png` });
      await inDarkTheme(page, () => page.screenshot({ path: `${SHOTS}/tunnels-dark.png` }).then(() => undefined));

      // Stop the RDP listener: the row goes, the port stops listening, the session says so.
      expect(await portOpen(port)).toBe(true);
      await page.getByRole('button', { name: 'Stop tunnel to win-admin' }).click();
      await expect(rdpRow).toHaveCount(0);
      await expect.poll(() => portOpen(port)).toBe(false);
      await expect(sshRow).toBeVisible();
      await page.getByRole('tab', { name: /RDP · win-admin/ }).click();
      await expect(rdpPanel(page).getByTestId('rdp-state')).toHaveText('Closed');
      await expect(rdpPanel(page).getByText('The tunnel was closed (from the Tunnels view, or by the endpoint).')).toBeVisible();

      // Stop the SSH tunnel too: the list is empty again.
      await showTunnels(page);
      await page.getByRole('button', { name: new RegExp(`^Stop tunnel to .*${linux.name}$`) }).click();
      await expect(page.getByRole('heading', { name: 'No open tunnels' })).toBeVisible({ timeout: 15_000 });
    } finally {
      await demo.stop();
    }
  });
});
