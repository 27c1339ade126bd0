import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal } from '@xterm/xterm';
import { getApi } from '../../api';
import { isSoftwareWebgl } from './terminalController';
import { terminalOf } from './terminalRegistry';

/** What end-to-end tests and benchmarks read in the demo harness (never installed in the app). */
export interface TerminalHarnessHooks {
  /** The terminal's screen and scrollback as text, one line per row, trailing spaces trimmed. */
  text(sessionId: string): string;
  /** The terminal's size in cells. */
  size(sessionId: string): { cols: number; rows: number } | undefined;
  /** Which renderer draws it. */
  renderer(sessionId: string): 'webgl' | 'dom' | undefined;
  /**
   * Resolves with `performance.now()` of the moment xterm has parsed output that puts `needle`
   * in the last few rows of the session's terminal (checked after each parsed write).
   */
  whenText(sessionId: string, needle: string): Promise<number>;
  /**
   * The benchmark baseline: writes `bytes` of 'x' lines into a bare xterm.js terminal in this
   * page (no session, no IPC; the same renderer the app's terminals use) in chunks of
   * `chunkBytes`, and resolves with the milliseconds until xterm had processed all of it.
   */
  writeDirect(bytes: number, chunkBytes: number): Promise<number>;
}

declare global {
  interface Window {
    __bastionlessTerminals?: TerminalHarnessHooks;
  }
}

/**
 * Installs the hooks only when main says this page runs in the test harness (`npm run demo`):
 * tests read what the terminal shows without scraping a WebGL canvas. They expose nothing the
 * screen does not already show.
 */
export function installHarnessHooks(): void {
  void getApi()
    .app.info()
    .then(
      (info) => {
        if (!info.isHarness) return;
        window.__bastionlessTerminals = {
          text: (sessionId) => {
            const term = terminalOf(sessionId)?.term;
            if (!term) return '';
            const buffer = term.buffer.active;
            const lines: string[] = [];
            for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
            return lines.join('\n').replace(/\n+$/, '');
          },
          size: (sessionId) => {
            const term = terminalOf(sessionId)?.term;
            return term ? { cols: term.cols, rows: term.rows } : undefined;
          },
          renderer: (sessionId) => terminalOf(sessionId)?.renderer,
          whenText: (sessionId, needle) => whenText(sessionId, needle),
          writeDirect: (bytes, chunkBytes) => writeDirect(bytes, chunkBytes),
        };
      },
      () => undefined,
    );
}

function whenText(sessionId: string, needle: string): Promise<number> {
  const term = terminalOf(sessionId)?.term;
  if (!term) return Promise.reject(new Error(`no terminal for ${sessionId}`));
  const seen = (): boolean => {
    const buffer = term.buffer.active;
    for (let i = Math.max(0, buffer.length - 6); i < buffer.length; i++) {
      if (buffer.getLine(i)?.translateToString(true).includes(needle)) return true;
    }
    return false;
  };
  if (seen()) return Promise.resolve(performance.now());
  return new Promise((resolve) => {
    const listener = term.onWriteParsed(() => {
      if (!seen()) return;
      listener.dispose();
      resolve(performance.now());
    });
  });
}

async function writeDirect(bytes: number, chunkBytes: number): Promise<number> {
  const host = document.createElement('div');
  host.style.cssText = 'position:fixed;left:0;top:0;width:900px;height:600px;opacity:0;pointer-events:none';
  document.body.append(host);
  const term = new Terminal({ scrollback: 10_000, allowProposedApi: true });
  term.open(host);
  if (!isSoftwareWebgl()) {
    try {
      term.loadAddon(new WebglAddon());
    } catch {
      // No WebGL here: the app's terminals use the DOM renderer too.
    }
  }
  const line = new TextEncoder().encode(`${'x'.repeat(79)}\n`);
  const chunk = new Uint8Array(chunkBytes);
  for (let at = 0; at < chunkBytes; at += line.length) chunk.set(line.subarray(0, Math.min(line.length, chunkBytes - at)), at);
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let written = 0;
    // Same pacing as a session: the next chunk only after xterm has processed the last one's
    // predecessor, a small window of chunks in flight.
    let inFlight = 0;
    const pump = (): void => {
      while (written < bytes && inFlight < 16) {
        const size = Math.min(chunkBytes, bytes - written);
        written += size;
        inFlight += 1;
        term.write(size === chunkBytes ? chunk : chunk.subarray(0, size), () => {
          inFlight -= 1;
          if (written >= bytes && inFlight === 0) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  const elapsed = performance.now() - started;
  term.dispose();
  host.remove();
  return elapsed;
}
