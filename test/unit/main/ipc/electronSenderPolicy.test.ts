import { describe, expect, it } from 'vitest';
import { electronSenderPolicy } from '../../../../main/ipc/electronSenderPolicy';

const mainFrame = { url: 'app://bastionless/index.html' };
const policy = electronSenderPolicy({ mainFrame: () => mainFrame, appOrigin: 'app://bastionless' });
const event = (senderFrame: { url: string } | null) => ({ senderFrame, sender: { id: 7 } }) as never;

describe('electronSenderPolicy', () => {
  it('trusts our window main frame at our origin', () => {
    expect(policy.identify(event(mainFrame))).toEqual({ senderId: 'window:7' });
  });

  it('refuses a subframe, even at our origin', () => {
    expect(policy.identify(event({ url: 'app://bastionless/index.html' }))).toBeNull();
  });

  it('refuses our main frame once it shows another origin', () => {
    const navigated = { url: 'https://evil.example/' };
    const p = electronSenderPolicy({ mainFrame: () => navigated, appOrigin: 'app://bastionless' });
    expect(p.identify(event(navigated))).toBeNull();
  });

  it('refuses a frame that is gone, or when no window is open', () => {
    expect(policy.identify(event(null))).toBeNull();
    const none = electronSenderPolicy({ mainFrame: () => null, appOrigin: 'app://bastionless' });
    expect(none.identify(event(mainFrame))).toBeNull();
  });

  it('trusts the dev server origin in development', () => {
    const dev = { url: 'http://localhost:5173/' };
    const p = electronSenderPolicy({ mainFrame: () => dev, appOrigin: 'http://localhost:5173' });
    expect(p.identify(event(dev))).not.toBeNull();
  });
});
