import { mkdirSync } from 'node:fs';
import { contract, entriesOf, listenerNameOf } from '../../preload/contract';
import { expect, test } from './fixtures';

const SHOTS = 'test-results/screenshots';

test.describe('the app shell', () => {
  test('loads with the empty state and a working contract round-trip', async ({ page, app }) => {
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await app.open(page);

    // The designed empty state tells a newcomer what to do first.
    await expect(page.getByRole('heading', { name: 'No hosts yet' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Add an AWS profile' })).toBeVisible();

    // The status bar got app.info over the bridge: a real invoke round-trip.
    await expect(page.getByTestId('status-version')).toContainText('Bastionless 0.1.0');
    const info = await page.evaluate(async () => {
      const eic = (window as unknown as { eic: { app: { info(input?: unknown): Promise<unknown> } } }).eic;
      return eic.app.info();
    });
    expect(info).toMatchObject({ ok: true, value: { name: 'Bastionless', dataDir: app.dataDir, isHarness: true } });
    expect(consoleErrors).toEqual([]);
  });

  test('invalid input comes back as INVALID_INPUT and never reaches main', async ({ page, app }) => {
    await app.open(page);
    const result = await page.evaluate(async () => {
      const eic = (window as unknown as { eic: { app: { info(i: unknown): Promise<unknown>; openExternal(i: unknown): Promise<unknown> } } }).eic;
      return {
        extraKey: await eic.app.info({ unexpected: true }),
        badUrl: await eic.app.openExternal({ url: 'file:///etc/passwd' }),
      };
    });
    expect(result.extraKey).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(result.badUrl).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  test('window.eic exposes exactly the contract', async ({ page, app }) => {
    await app.open(page);
    const shape = await page.evaluate(() => {
      const eic = (window as unknown as { eic: Record<string, Record<string, unknown>> }).eic;
      return Object.fromEntries(Object.entries(eic).map(([d, fns]) => [d, Object.keys(fns).sort()]));
    });
    const expected: Record<string, string[]> = {};
    for (const { domain, name, entry } of entriesOf(contract)) (expected[domain] ??= []).push(entry.kind === 'event' ? listenerNameOf(name) : name);
    for (const names of Object.values(expected)) names.sort();
    expect(shape).toEqual(expected);
    expect(shape['app']).toEqual(['info', 'onNoticePosted', 'openExternal']);
  });

  test('sidebar and tabs are keyboard-reachable', async ({ page, app }) => {
    await app.open(page);
    await page.keyboard.press('Control+3');
    await expect(page.getByRole('heading', { name: 'Profiles', level: 1 })).toBeVisible();
    await page.getByRole('button', { name: /Tunnels/ }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Tunnels', level: 1 })).toBeVisible();
    await expect(page.getByRole('button', { name: /Tunnels/ })).toHaveAttribute('aria-current', 'page');
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`follows the OS ${scheme} theme (screenshot)`, async ({ page, app }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await app.open(page);
      await expect(page.getByRole('heading', { name: 'No hosts yet' })).toBeVisible();
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      // The dark palette's background is dark, the light one's is light.
      const [r = 0, g = 0, b = 0] = background.match(/\d+/g)!.map(Number);
      const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
      if (scheme === 'dark') expect(luminance).toBeLessThan(0.3);
      else expect(luminance).toBeGreaterThan(0.7);
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}/shell-${scheme}.png` });
    });
  }
});
