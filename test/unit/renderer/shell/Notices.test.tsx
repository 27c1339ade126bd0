// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../../preload/contract';
import { Notices } from '../../../../renderer/src/shell/Notices';
import { renderWithMain, settle } from '../../../support/renderWithMain';

const ui = renderWithMain();
const { main } = ui;

const recovered: Notice = { level: 'warning', message: 'hosts.json was damaged and was restored from its backup.', hint: 'Check your saved hosts.', at: '2026-11-29T20:00:00.000Z' };
const capped: Notice = { level: 'info', message: 'Your IAM policy limits tunnels to 15 minutes.', at: '2026-11-29T20:00:05.000Z' };

const shown = (): string[] => [...ui.container.querySelectorAll('.notice p:first-child')].map((p) => p.textContent ?? '');

describe('notices', () => {
  it('shows what main posted while the window was loading, then what it posts live, each once', async () => {
    main.handlers.set('app:startupNotices', () => [recovered, capped]);
    ui.render(<Notices />);
    // The same notice also arrives live in the instant between subscribing and asking.
    act(() => main.emit('app:noticePosted', capped));
    await settle();
    expect(shown()).toEqual([recovered.message, capped.message]);
    expect(ui.container.textContent).toContain('Check your saved hosts.');
    act(() => main.emit('app:noticePosted', { ...capped, message: 'later', at: '2026-11-29T20:10:00.000Z' }));
    expect(shown()).toEqual([recovered.message, capped.message, 'later']);
  });

  it('still shows live notices when main cannot list the start-up ones', async () => {
    ui.render(<Notices />);
    await settle();
    act(() => main.emit('app:noticePosted', capped));
    expect(shown()).toEqual([capped.message]);
  });
});
