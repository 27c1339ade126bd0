import { useSyncExternalStore } from 'react';

export const DEFAULT_FONT_SIZE = 14;
export const MIN_FONT_SIZE = 8;
export const MAX_FONT_SIZE = 32;
const KEY = 'bastionless.terminal.fontSize';

type Listener = () => void;

/** The terminals' font size (Ctrl+= / Ctrl+- / Ctrl+0), shared by every tab and kept across restarts. */
export class TerminalSettings {
  private size: number;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | undefined = safeLocalStorage()) {
    const saved = Number(storage?.getItem(KEY));
    this.size = Number.isInteger(saved) && saved >= MIN_FONT_SIZE && saved <= MAX_FONT_SIZE ? saved : DEFAULT_FONT_SIZE;
  }

  get fontSize(): number {
    return this.size;
  }

  zoom(delta: number): void {
    this.set(this.size + delta);
  }

  reset(): void {
    this.set(DEFAULT_FONT_SIZE);
  }

  private set(size: number): void {
    const next = Math.max(MIN_FONT_SIZE, Math.min(MAX_FONT_SIZE, Math.round(size)));
    if (next === this.size) return;
    this.size = next;
    try {
      this.storage?.setItem(KEY, String(next));
    } catch {
      // A full or disabled storage only means the size is not remembered.
    }
    for (const l of this.listeners) l();
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): number => this.size;
}

function safeLocalStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

export const terminalSettings = new TerminalSettings();

export function useFontSize(): number {
  return useSyncExternalStore(terminalSettings.subscribe, terminalSettings.getSnapshot);
}
