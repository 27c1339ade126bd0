import { extname, join, normalize, sep } from 'node:path';
import type { BrowserWindowConstructorOptions } from 'electron';

/** The scheme and host our renderer is served from in production. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'bastionless';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * The renderer's Content Security Policy. The renderer makes no network calls of its own
 * (main does all AWS and SSH traffic), so everything is 'self'. Inline styles are allowed
 * because xterm.js and React set style attributes; inline scripts are not.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "worker-src 'self' blob:",
].join('; ');

/** Permissions the renderer may be granted: writing to the clipboard (copy from a terminal). */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission);
}

/**
 * The BrowserWindow options: the renderer is treated as hostile. Kept free of runtime Electron
 * imports so a unit test can check every hardening flag.
 */
export function mainWindowOptions(preloadPath: string, isDev: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 820,
    minHeight: 520,
    show: false,
    title: 'Bastionless',
    backgroundColor: '#1b1d22',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: isDev,
    },
  };
}

/**
 * Maps an app:// URL path to a file inside the renderer folder, or null if it would leave it
 * (`..`, encoded separators). Unknown paths fall back to index.html only for extensionless routes.
 */
export function resolveRendererFile(rendererDir: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = normalize(join(rendererDir, relative));
  const root = normalize(rendererDir.endsWith(sep) ? rendererDir : rendererDir + sep);
  if (!full.startsWith(root)) return null;
  if (extname(full) === '') return join(rendererDir, 'index.html');
  return full;
}
