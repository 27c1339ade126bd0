import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  isPermissionAllowed,
  mainWindowOptions,
  resolveRendererFile,
} from '../../../main/windowOptions';

describe('the main window options', () => {
  it('sandboxes and isolates the renderer with no Node', () => {
    const prefs = mainWindowOptions('/app/preload/index.cjs', false).webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      devTools: false,
    });
  });

  it('allows devtools in development only', () => {
    expect(mainWindowOptions('p', true).webPreferences?.devTools).toBe(true);
    expect(mainWindowOptions('p', false).webPreferences?.devTools).toBe(false);
  });

  it('denies every permission but clipboard writes', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fullscreen', 'hid', 'serial'])
      expect(isPermissionAllowed(p), p).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write')).toBe(true);
  });

  it('has a CSP that allows only our own origin and no inline script', () => {
    const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*/);
  });

  it('serves from app://bastionless', () => {
    expect(APP_ORIGIN).toBe('app://bastionless');
  });
});

describe('resolveRendererFile()', () => {
  const dir = '/app/out/renderer';
  it('maps paths inside the renderer folder', () => {
    expect(resolveRendererFile(dir, '/')).toBe('/app/out/renderer/index.html');
    expect(resolveRendererFile(dir, '/assets/index-1.js')).toBe('/app/out/renderer/assets/index-1.js');
    expect(resolveRendererFile(dir, '/hosts')).toBe('/app/out/renderer/index.html');
  });

  it('refuses to leave the folder', () => {
    for (const p of ['/../main/index.js', '/assets/../../secrets.json', '/%2e%2e/%2e%2e/etc/passwd', '/..%5c..%5cwin.ini', '/a%00.js', '/%E0%A4%A'])
      expect(resolveRendererFile(dir, p), p).toBeNull();
  });
});
