import { app, BrowserWindow, clipboard, ipcMain, session, shell } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contract } from '../preload/contract';
import { compose, type Composition } from './compose';
import type { DesktopIo } from './desktop';
import { electronSenderPolicy } from './ipc/electronSenderPolicy';
import { registerIpc } from './ipc/registerIpc';
import { stderrSink, type LogSink } from './log';
import { createFileSink } from './logFile';
import { createMainWindow, hardenSession, installAppMenu, registerAppScheme, serveRenderer } from './window';
import { APP_ORIGIN } from './windowOptions';

// Lifecycle only: everything else is built by compose() and runs in plain Node.
const here = dirname(fileURLToPath(import.meta.url));
const devUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
const isDev = devUrl !== undefined;

registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  let composition: Composition | null = null;
  let unregister: (() => void) | null = null;

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  // Belt and braces: any webContents (not only our window's) gets no popups and no webviews.
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  const desktop: DesktopIo = {
    openExternal: (url) => shell.openExternal(url),
    writeClipboard: (text) => clipboard.writeText(text),
    readClipboard: () => clipboard.readText(),
  };

  void app.whenReady().then(async () => {
    const fileSink = createFileSink(join(app.getPath('userData'), 'logs'));
    const sink: LogSink = isDev ? { write: (l) => (fileSink.write(l), stderrSink.write(l)) } : fileSink;
    composition = await compose({
      dataDir: app.getPath('userData'),
      version: app.getVersion(),
      platform: process.platform,
      desktop,
      logSink: sink,
      logLevel: isDev ? 'debug' : 'info',
      env: process.env,
    });
    const log = composition.log;
    hardenSession(session.defaultSession, log.child('window'));
    installAppMenu(isDev);
    serveRenderer(join(here, '../renderer'));

    const appOrigin = devUrl ? new URL(devUrl).origin : APP_ORIGIN;
    unregister = registerIpc({
      ipcMain,
      contract,
      handlers: composition.api,
      events: composition.events,
      policy: electronSenderPolicy({ mainFrame: () => win?.webContents.mainFrame ?? null, appOrigin }),
      target: () => win?.webContents ?? null,
      log: log.child('ipc'),
    });

    const open = (): void => {
      win = createMainWindow({
        preloadPath: join(here, '../preload/index.cjs'),
        url: devUrl ?? `${APP_ORIGIN}/index.html`,
        isDev,
        log: log.child('window'),
      });
      win.on('closed', () => {
        win = null;
      });
    };
    open();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) open();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !composition) return;
    // Close sessions and tunnels cleanly before the process goes.
    event.preventDefault();
    quitting = true;
    unregister?.();
    void composition.dispose().finally(() => app.quit());
  });
}
