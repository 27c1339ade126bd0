/**
 * RDP to a Windows instance as a person does it, in Chromium against the demo app and the
 * sandbox: Launch RDP, pick the key pair's file, and the system's RDP client (the real
 * xfreerdp in its auth-only test mode) signs in through the app's tunnel. Screenshots go to
 * test-results/screenshots/.
 */
import { readFileSync } from 'node:fs';
import { loadScenarioFile } from '../sandbox/scenario';
import { DEFAULT_SCENARIO_FILE } from '../sandbox/index';
import { expect, test } from './fixtures';
import { expectSignedIn, instanceRow, localPort, openRdpDemo, portOpen, provideKey, rdpPanel, SHOTS } from './rdpDemo';

test.describe('RDP to a Windows instance', () => {
  test.setTimeout(180_000);

  test('Launch RDP: the key prompt, the password decrypted, xfreerdp signs in through the tunnel; remembered for the next double-click', async ({ page }) => {
    const demo = await openRdpDemo(page);
    try {
      const row = await instanceRow(page, demo.win);
      await expect(row.getByText('Windows', { exact: true })).toBeVisible();
      await row.getByRole('button', { name: 'Launch RDP to win-admin' }).click();

      // A tab for the session; no key is stored yet, so it asks for the key pair's file.
      await expect(page.getByRole('tab', { name: /RDP · win-admin/ })).toHaveAttribute('aria-selected', 'true');
      const panel = rdpPanel(page);
      await expect(panel.getByTestId('rdp-state')).toHaveText('Needs the key', { timeout: 30_000 });
      await expect(panel.getByRole('heading', { name: 'win-admin' })).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/rdp-key-prompt.png` });
      await provideKey(page, demo.win.keyPairFile!, true);

      await expectSignedIn(page);
      for (const step of ['Retrieving password', 'Opening tunnel', 'Launching client', 'Connected']) {
        await expect(panel.locator('.progress-step--done').filter({ hasText: step })).toBeVisible();
      }
      const port = await localPort(page);
      expect(await portOpen(port)).toBe(true);
      await panel.getByRole('button', { name: 'Copy password' }).click();
      await expect(panel.getByText(/Password copied\. It is cleared from the clipboard in 0:(30|29|28)/)).toBeVisible();
      // The password is never in the window: not in the page, not in what main sent it.
      expect(await page.content()).not.toContain(demo.win.rdpPassword!);
      await page.screenshot({ path: `${SHOTS}/rdp-signed-in.png` });

      // "Remember" put the key in the OS keychain (the real gnome-keyring), under RDP's own account.
      expect(demo.keyring.lookup('keypair:env:us-east-1:windows-admin')).toBe(readFileSync(demo.win.keyPairFile!, 'utf8'));

      // Stop ends the tunnel: the port closes.
      await panel.getByRole('button', { name: 'Stop' }).click();
      await expect(panel.getByTestId('rdp-state')).toHaveText('Closed');
      await expect.poll(() => portOpen(port)).toBe(false);
      await panel.getByRole('button', { name: 'Close' }).click();
      await expect(page.getByRole('tab', { name: /RDP · win-admin/ })).toHaveCount(0);

      // Double-click is the same gesture: this time the key comes from the keychain, no prompt.
      await (await instanceRow(page, demo.win)).dblclick();
      await expectSignedIn(page);
      await expect(rdpPanel(page).getByRole('heading', { name: /Private key for key pair/ })).toHaveCount(0);
    } finally {
      await demo.stop();
    }
  });

  test('no password published by Windows: says why, and Connect without password still opens the tunnel (dark)', async ({ page }) => {
    const scenario = loadScenarioFile(DEFAULT_SCENARIO_FILE);
    const demo = await openRdpDemo(page, { colorScheme: 'dark', scenario: { ...scenario, timing: { ...scenario.timing, passwordAvailableAfterSeconds: 3600 } } });
    try {
      await (await instanceRow(page, demo.win)).dblclick();
      const panel = rdpPanel(page);
      // The sandbox's instance was launched days ago: past the 15 minutes, so waiting will not help, and it says why.
      const alert = panel.getByRole('alert').filter({ hasText: 'RDP_PASSWORD_NOT_READY' });
      await expect(alert).toBeVisible({ timeout: 30_000 });
      await expect(alert).toContainText(/has no Administrator password to retrieve/);
      await expect(alert).toContainText(/Connect without password/);
      await expect(panel.getByTestId('rdp-state')).toHaveText('Failed');
      await page.screenshot({ path: `${SHOTS}/rdp-password-not-ready-dark.png` });

      // Diagnose reads the failed session in main and explains it; Close goes back to the panel.
      await panel.getByRole('button', { name: 'Diagnose' }).click();
      const wizard = page.getByRole('dialog', { name: 'Diagnose win-admin' });
      await expect(wizard.getByTestId('diagnosis')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
      await expect(wizard).toContainText('explaining RDP_PASSWORD_NOT_READY');
      await page.screenshot({ path: `${SHOTS}/rdp-diagnose-dark.png` });
      await wizard.getByRole('button', { name: 'Close', exact: true }).last().click();
      await expect(wizard).toHaveCount(0);

      await panel.getByRole('button', { name: 'Connect without password' }).click();
      const next = rdpPanel(page);
      await expect(next.locator('.progress-step--skipped').filter({ hasText: 'Retrieving password' })).toBeVisible({ timeout: 30_000 });
      const port = await localPort(page);
      expect(await portOpen(port)).toBe(true);
      // The auth-only test mode has nothing to check without a password, and says so; the tunnel stays for any client.
      await expect(next.getByRole('alert')).toContainText('The auth-only check needs the password');
      await expect(next.getByRole('button', { name: 'Copy password' })).toHaveCount(0);
    } finally {
      await demo.stop();
    }
  });
});
