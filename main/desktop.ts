/**
 * What main needs from the desktop around it. Electron provides it in the app (shell,
 * clipboard); the test harness provides a recording version. Features take this interface,
 * never `electron` itself, so they run in plain Node.
 */
export interface DesktopIo {
  /** Opens an https URL in the person's default browser. */
  openExternal(url: string): Promise<void>;
  /** Replaces the clipboard's text. */
  writeClipboard(text: string): Promise<void>;
  /** Reads the clipboard's text (to clear it only if it still holds what we put there). */
  readClipboard(): Promise<string>;
}

/** A DesktopIo that records what it was asked to do: for the harness and tests. */
export class RecordingDesktop implements DesktopIo {
  readonly opened: string[] = [];
  private clipboard = '';

  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  }

  async writeClipboard(text: string): Promise<void> {
    this.clipboard = text;
  }

  async readClipboard(): Promise<string> {
    return this.clipboard;
  }
}
