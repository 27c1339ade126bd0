import type { IpcMainEvent, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import type { SenderPolicy } from './handle';

type IpcEvent = Pick<IpcMainInvokeEvent | IpcMainEvent, 'senderFrame' | 'sender'>;

export interface ElectronSenderPolicyOptions {
  /** The main frame of our one window, or null while it is not open. */
  mainFrame(): Pick<WebFrameMain, 'url'> | null;
  /** The origin our renderer is served from: `app://bastionless` or the dev server's. */
  appOrigin: string;
}

/**
 * Trusts a message only from our window's main frame while it shows our own page: not a
 * subframe, not a page the window was somehow navigated to, not another webContents.
 */
export function electronSenderPolicy(options: ElectronSenderPolicyOptions): SenderPolicy<IpcEvent> {
  return {
    identify(event) {
      const frame = event.senderFrame;
      const main = options.mainFrame();
      if (!frame || !main || frame !== main) return null;
      if (originOf(frame.url) !== options.appOrigin) return null;
      return { senderId: `window:${event.sender.id}` };
    },
    describe(event) {
      const frame = event.senderFrame;
      return frame ? `frame at ${originOf(frame.url) ?? 'unknown origin'}` : 'a frame that no longer exists';
    },
  };
}

function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    // app:// URLs have an opaque origin in WHATWG terms; compare scheme and host instead.
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}
