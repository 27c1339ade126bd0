import type { ITheme } from '@xterm/xterm';

/** The terminal palettes, matched to the app's light and dark tokens (styles.css). */
export const LIGHT_THEME: ITheme = {
  background: '#ffffff',
  foreground: '#1d2129',
  cursor: '#2563eb',
  cursorAccent: '#ffffff',
  selectionBackground: 'rgba(37, 99, 235, 0.22)',
  black: '#1d2129',
  red: '#c52a2a',
  green: '#15803d',
  yellow: '#a16207',
  blue: '#2563eb',
  magenta: '#9333ea',
  cyan: '#0e7490',
  white: '#d9dde4',
  brightBlack: '#5c6472',
  brightRed: '#dc2626',
  brightGreen: '#16a34a',
  brightYellow: '#b45309',
  brightBlue: '#3b82f6',
  brightMagenta: '#a855f7',
  brightCyan: '#0891b2',
  brightWhite: '#f6f7f9',
};

export const DARK_THEME: ITheme = {
  background: '#121418',
  foreground: '#e6e8ec',
  cursor: '#5b8def',
  cursorAccent: '#121418',
  selectionBackground: 'rgba(91, 141, 239, 0.35)',
  black: '#1f2228',
  red: '#f87171',
  green: '#4ade80',
  yellow: '#fbbf24',
  blue: '#60a5fa',
  magenta: '#c084fc',
  cyan: '#22d3ee',
  white: '#d4d7dd',
  brightBlack: '#737b88',
  brightRed: '#fca5a5',
  brightGreen: '#86efac',
  brightYellow: '#fde68a',
  brightBlue: '#93c5fd',
  brightMagenta: '#d8b4fe',
  brightCyan: '#67e8f9',
  brightWhite: '#ffffff',
};

export function themeFor(dark: boolean): ITheme {
  return dark ? DARK_THEME : LIGHT_THEME;
}
