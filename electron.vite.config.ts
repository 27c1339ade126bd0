import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY } from './main/windowOptions';

/** Writes the one CSP (declared in main/windowOptions.ts) into index.html as a meta tag. */
function cspMeta(): Plugin {
  return {
    name: 'bastionless-csp-meta',
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        return html.replace(
          /<!-- bastionless:csp[^>]*-->/,
          `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`,
        );
      },
    },
  };
}

/**
 * In development the React refresh preamble is an inline script and HMR uses a WebSocket to
 * the dev server, which the production CSP forbids. Relax the meta CSP for `serve` only; the
 * built index.html keeps the strict policy (and main adds it as a header too).
 */
function devCsp(): Plugin {
  return {
    name: 'bastionless-dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("connect-src 'self'", "connect-src 'self' ws: http://localhost:*");
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        // cli: the `bastionless-tunnel` command (bin/bastionless-tunnel.js runs out/main/cli.js).
        input: { index: resolve('main/index.ts'), cli: resolve('main/cli.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can only require('electron'): bundle zod and the contract into
      // one CommonJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    plugins: [react(), cspMeta(), devCsp()],
    build: {
      outDir: resolve('out/renderer'),
      rolldownOptions: {
        input: { index: resolve('renderer/index.html') },
      },
    },
  },
});
