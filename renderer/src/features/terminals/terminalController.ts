import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon, type ISearchOptions } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import type { TerminalSink } from './sessionsStore';
import { themeFor } from './terminalTheme';

/** What a terminal needs from main: input, size, acknowledgements and paste (main reads the clipboard). */
export interface TerminalIo {
  write(data: string | Uint8Array): void;
  resize(cols: number, rows: number): void;
  ack(bytes: number): void;
  paste(bracketed: boolean): void;
  openLink(url: string): void;
}

/** Terminal actions the keyboard reaches from inside the terminal. */
export interface TerminalActions {
  openSearch(): void;
  zoom(delta: number): void;
  resetZoom(): void;
}

// Only https links are clickable: app.openExternal opens nothing else.
const HTTPS_LINK = /https:\/\/[^\s"'!*(){}|\\^<>`]*[^\s"':,.!?{}|\\^~[\]`()<>]/;

const FONT_FAMILY = getComputedStyle(document.documentElement).getPropertyValue('--font-mono').trim() || 'monospace';

/**
 * One xterm.js terminal for one session: WebGL rendering (the DOM renderer when WebGL is
 * missing or its context is lost), fit, search, https links and Unicode 11 widths. Output is
 * acknowledged to main only once xterm has processed it, which is what keeps a `yes` from
 * flooding either process. Keys that belong to the app (tab switching, zoom, search, copy and
 * paste) are handed back instead of going to the shell.
 */
export class TerminalController implements TerminalSink {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  readonly search = new SearchAddon();
  private webgl: WebglAddon | undefined;
  private rendererKind: 'webgl' | 'dom' = 'dom';
  private container: HTMLElement | undefined;
  private disposed = false;
  private lastSize = { cols: 0, rows: 0 };

  constructor(
    private readonly io: TerminalIo,
    private readonly actions: TerminalActions,
    options: { fontSize: number; dark: boolean },
  ) {
    this.term = new Terminal({
      fontFamily: FONT_FAMILY,
      fontSize: options.fontSize,
      theme: themeFor(options.dark),
      cursorBlink: true,
      scrollback: 10_000,
      allowProposedApi: true,
      // Lines the shell wraps stay one line when copied.
      convertEol: false,
      macOptionIsMeta: true,
      rightClickSelectsWord: false,
    });
    this.term.loadAddon(this.fit);
    this.term.loadAddon(this.search);
    this.term.loadAddon(new WebLinksAddon((_event, uri) => this.io.openLink(uri), { urlRegex: HTTPS_LINK }));
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = '11';
    this.term.onData((data) => this.io.write(data));
    // Binary input (some mouse reports) is one byte per character.
    this.term.onBinary((data) => this.io.write(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));
    this.term.onSelectionChange(() => {
      // Copy on select, as terminals on Linux do.
      if (this.term.hasSelection()) void writeClipboard(this.term.getSelection());
    });
    this.term.attachCustomKeyEventHandler((e) => this.onKey(e));
  }

  /** Which renderer draws the terminal (WebGL, or the DOM fallback). */
  get renderer(): 'webgl' | 'dom' {
    return this.rendererKind;
  }

  open(container: HTMLElement): void {
    this.container = container;
    this.term.open(container);
    this.tryWebgl();
    container.addEventListener('contextmenu', this.onContextMenu);
    this.fitNow();
  }

  private tryWebgl(): void {
    // WebGL drawn by the CPU (SwiftShader, llvmpipe: VMs, remote desktops, no GPU driver) is
    // slower than the DOM renderer and stalls the page under heavy output: use the DOM there.
    if (isSoftwareWebgl()) {
      this.rendererKind = 'dom';
      return;
    }
    try {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => {
        // The GPU went away (driver reset, too many contexts): carry on with the DOM renderer.
        webgl.dispose();
        this.webgl = undefined;
        this.rendererKind = 'dom';
      });
      this.term.loadAddon(webgl);
      this.webgl = webgl;
      this.rendererKind = 'webgl';
    } catch {
      this.rendererKind = 'dom';
    }
  }

  /** Output from main; acknowledged once xterm has written it. */
  write(chunk: Uint8Array): void {
    if (this.disposed) return;
    const bytes = chunk.byteLength;
    this.term.write(chunk, () => {
      if (!this.disposed) this.io.ack(bytes);
    });
  }

  /**
   * Marks a new connection in the output: modes a dropped program left on (the alternate
   * screen of an editor, a hidden cursor, application keys) are reset without clearing the
   * scrollback, and a dim line says when the new shell starts.
   */
  markReconnected(at: Date): void {
    if (this.disposed) return;
    const time = at.toLocaleTimeString();
    // Back to the normal screen (1047: without restoring a saved cursor, which would jump to
    // the top), DECSTR soft reset (modes only: it moves nothing), cursor shown; then the line.
    this.term.write(`\x1b[?1047l\x1b[!p\x1b[?25h\r\n\x1b[2m── reconnected at ${time} ──\x1b[0m\r\n`);
  }

  /** Fits the terminal to its box and tells main the new size (window-change) when it changed. */
  fitNow(): void {
    const box = this.container;
    if (this.disposed || !box || box.offsetWidth === 0 || box.offsetHeight === 0) return;
    const proposed = this.fit.proposeDimensions();
    if (!proposed || !Number.isFinite(proposed.cols) || !Number.isFinite(proposed.rows)) return;
    const cols = Math.max(2, proposed.cols);
    const rows = Math.max(1, proposed.rows);
    if (cols !== this.term.cols || rows !== this.term.rows) this.term.resize(cols, rows);
    if (cols !== this.lastSize.cols || rows !== this.lastSize.rows) {
      this.lastSize = { cols, rows };
      this.io.resize(cols, rows);
    }
  }

  setTheme(dark: boolean): void {
    this.term.options.theme = themeFor(dark);
  }

  setFontSize(size: number): void {
    if (this.term.options.fontSize === size) return;
    this.term.options.fontSize = size;
    this.fitNow();
  }

  focus(): void {
    this.term.focus();
  }

  copySelection(): void {
    if (this.term.hasSelection()) void writeClipboard(this.term.getSelection());
  }

  paste(): void {
    this.io.paste(this.term.modes.bracketedPasteMode);
  }

  find(query: string, direction: 'next' | 'previous', options: Pick<ISearchOptions, 'caseSensitive' | 'regex'>): boolean {
    if (!query) {
      this.search.clearDecorations();
      return false;
    }
    const full: ISearchOptions = {
      ...options,
      decorations: { matchBackground: '#f5d76e', matchOverviewRuler: '#f5d76e', activeMatchBackground: '#ff9f1a', activeMatchColorOverviewRuler: '#ff9f1a' },
    };
    return direction === 'next' ? this.search.findNext(query, full) : this.search.findPrevious(query, full);
  }

  clearSearch(): void {
    this.search.clearDecorations();
    this.term.clearSelection();
  }

  private readonly onContextMenu = (e: MouseEvent): void => {
    // Right-click copies a selection, else pastes (as Windows Terminal and PuTTY do).
    e.preventDefault();
    if (this.term.hasSelection()) {
      this.copySelection();
      this.term.clearSelection();
    } else {
      this.paste();
    }
  };

  /** Returns false for keys the terminal must not send to the shell. */
  private onKey(e: KeyboardEvent): boolean {
    if (!e.ctrlKey || e.altKey || e.metaKey) return true;
    const key = e.key;
    // App navigation (handled by the window's listeners): let the event bubble up untouched.
    if (key === 'Tab' || key === 'PageUp' || key === 'PageDown' || (!e.shiftKey && /^[1-9]$/.test(key))) return false;
    if (e.shiftKey && (key === 'T' || key === 'W' || key === 't' || key === 'w')) return false;
    if (e.type !== 'keydown') return !(e.shiftKey && /^[cvfCVF]$/.test(key)) && !isZoomKey(e);
    if (e.shiftKey && (key === 'C' || key === 'c')) {
      e.preventDefault();
      this.copySelection();
      return false;
    }
    if (e.shiftKey && (key === 'V' || key === 'v')) {
      e.preventDefault();
      this.paste();
      return false;
    }
    if (e.shiftKey && (key === 'F' || key === 'f')) {
      e.preventDefault();
      this.actions.openSearch();
      return false;
    }
    if (isZoomKey(e)) {
      e.preventDefault();
      if (key === '0') this.actions.resetZoom();
      else this.actions.zoom(key === '-' || key === '_' ? -1 : 1);
      return false;
    }
    return true;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.container?.removeEventListener('contextmenu', this.onContextMenu);
    this.webgl?.dispose();
    this.term.dispose();
  }
}

let softwareWebgl: boolean | undefined;

/** Whether this page's WebGL runs in software (checked once, on a throwaway canvas). */
export function isSoftwareWebgl(): boolean {
  if (softwareWebgl !== undefined) return softwareWebgl;
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return (softwareWebgl = false);
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    softwareWebgl = /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
  } catch {
    softwareWebgl = false;
  }
  return softwareWebgl;
}

function isZoomKey(e: KeyboardEvent): boolean {
  return e.key === '=' || e.key === '+' || e.key === '-' || e.key === '_' || (e.key === '0' && !e.shiftKey);
}

/** The renderer may write the clipboard (Electron grants clipboard-sanitized-write); it never reads it. */
async function writeClipboard(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Without a user gesture or focus the browser refuses; the selection stays for Ctrl+Shift+C.
  }
}
