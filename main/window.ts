import { BrowserWindow, Menu, net, protocol, session, shell, type MenuItemConstructorOptions, type Session } from 'electron';
import { pathToFileURL } from 'node:url';
import type { Logger } from './log';
import {
  APP_HOST,
  APP_ORIGIN,
  APP_SCHEME,
  CONTENT_SECURITY_POLICY,
  isPermissionAllowed,
  mainWindowOptions,
  resolveRendererFile,
} from './windowOptions';

/** Must run before app 'ready': app:// behaves like a secure, standard origin. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves the built renderer from app://bastionless with the CSP header. */
export function serveRenderer(rendererDir: string, ses: Session = session.defaultSession): void {
  ses.protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST ? resolveRendererFile(rendererDir, url.pathname) : null;
    if (!file) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

/** Denies every permission request except the few the renderer needs. */
export function hardenSession(ses: Session, log: Logger): void {
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    const allowed = isPermissionAllowed(permission);
    if (!allowed) log.warn('denied a permission request', { permission });
    callback(allowed);
  });
  ses.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));
}

export interface MainWindowOptions {
  preloadPath: string;
  /** Dev server URL in development; app://bastionless/index.html otherwise. */
  url: string;
  isDev: boolean;
  log: Logger;
}

/** Creates the one app window with the hardening of ARCHITECTURE.md. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const { preloadPath, url, isDev, log } = options;
  const win = new BrowserWindow(mainWindowOptions(preloadPath, isDev));
  const allowedOrigin = new URL(url).origin === 'null' ? APP_ORIGIN : new URL(url).origin;

  // No new windows: external https links go to the person's browser, everything else nowhere.
  win.webContents.setWindowOpenHandler(({ url: target }) => {
    if (target.startsWith('https://')) void shell.openExternal(target);
    return { action: 'deny' };
  });
  // The window only ever shows our own page.
  win.webContents.on('will-navigate', (event, target) => {
    if (!target.startsWith(allowedOrigin)) {
      event.preventDefault();
      log.warn('blocked a navigation', { target });
    }
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  void win.loadURL(url);
  return win;
}

/**
 * The app menu. Electron's default menu binds Ctrl+= / Ctrl+- / Ctrl+0 to page zoom, which
 * would steal the terminal's font-size keys, and offers devtools in production; this one keeps
 * only what a person needs: edit commands (macOS routes copy/paste through the menu), reload,
 * full screen, and devtools in development.
 */
export function installAppMenu(isDev: boolean): void {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    {
      label: 'View',
      submenu: [{ role: 'reload' }, { role: 'togglefullscreen' }, ...(isDev ? [{ role: 'toggleDevTools' as const }] : [])],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
