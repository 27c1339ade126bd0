import { connect } from 'node:net';
import { mkdirSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import type { Sandbox, SandboxInstanceInfo, ScenarioInput } from '../sandbox/index';
import type { KeyringSession } from '../support/keyring';
import { requireBinary } from '../support/requireBinary';
import { openDemoWorld } from './demoWorld';
import { expect } from './fixtures';

export const SHOTS = 'test-results/screenshots';

export interface RdpDemo {
  sandbox: Sandbox;
  keyring: KeyringSession;
  /** The sandbox's Windows instance (an NLA RDP server on its own Xvfb display). */
  win: SandboxInstanceInfo;
  stop(): Promise<void>;
}

/**
 * The demo app (`npm run demo` in a child process, the real main in Node) against the sandbox
 * with its real sshd and RDP servers, a real gnome-keyring on a private D-Bus for the OS
 * keychain, and the RDP launcher in its documented test mode: BASTIONLESS_RDP_AUTH_ONLY=1 makes
 * the Linux launcher run the real xfreerdp with /auth-only (it signs in through the tunnel,
 * exits, and the app reports its exit code), on the Windows instance's Xvfb display.
 */
export async function openRdpDemo(page: Page, options: { colorScheme?: 'light' | 'dark'; scenario?: ScenarioInput } = {}): Promise<RdpDemo> {
  requireBinary('xfreerdp');
  // Looked up once the sandbox is up, since the demo needs its display, and handed back as it was then.
  let win: SandboxInstanceInfo | undefined;
  const world = await openDemoWorld(page, {
    sandbox: options.scenario ? { scenario: options.scenario } : {},
    env: (sandbox) => {
      win = sandbox.instances.find((i) => i.platform === 'windows' && i.name === 'win-admin');
      if (!win?.rdpDisplay) throw new Error('the sandbox has no running Windows instance named win-admin');
      return { BASTIONLESS_RDP_AUTH_ONLY: '1', DISPLAY: win.rdpDisplay };
    },
    colorScheme: options.colorScheme ?? 'light',
  });
  mkdirSync(SHOTS, { recursive: true });
  return { sandbox: world.sandbox, keyring: world.keyring, win: win!, stop: world.stop };
}

/** The row of a discovered instance in the Hosts view, once the automatic scan has listed it. */
export async function instanceRow(page: Page, instance: SandboxInstanceInfo): Promise<Locator> {
  await page.keyboard.press('Control+1');
  const row = page.locator(`#panel-workspace tr[data-instance-id="${instance.instanceId}"]`);
  await expect(row).toBeVisible({ timeout: 30_000 });
  return row;
}

/** The panel of the RDP tab in front. */
export function rdpPanel(page: Page): Locator {
  return page.locator('section[id^="panel-rdp:"]:visible');
}

/** Answers the key prompt with the key pair's file (as a person picks it), remembering it if asked. */
export async function provideKey(page: Page, keyFile: string, remember: boolean): Promise<void> {
  const panel = rdpPanel(page);
  await expect(panel.getByRole('heading', { name: /Private key for key pair “windows-admin”/ })).toBeVisible({ timeout: 30_000 });
  await panel.getByLabel('Private key file').setInputFiles(keyFile);
  if (remember) await panel.getByLabel(/Remember this key in the OS keychain/).check();
  await panel.getByRole('button', { name: 'Decrypt password' }).click();
}

/** Waits for the auth-only check to pass: xfreerdp signed in through the tunnel and exited 0. */
export async function expectSignedIn(page: Page): Promise<void> {
  const panel = rdpPanel(page);
  await expect(panel.getByRole('status').filter({ hasText: 'Signed in: xfreerdp accepted the password through the tunnel' })).toBeVisible({ timeout: 30_000 });
  await expect(panel.getByText('exit code 0')).toBeVisible();
}

/** The listener's port, as the panel shows it. */
export async function localPort(page: Page): Promise<number> {
  const text = (await rdpPanel(page).getByTestId('rdp-address').textContent()) ?? '';
  const match = /^127\.0\.0\.1:(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`no local address in the panel: "${text}"`);
  return Number(match[1]);
}

/** Whether something accepts TCP connections on 127.0.0.1:port right now. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
