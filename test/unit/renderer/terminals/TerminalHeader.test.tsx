// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../renderer/src/api';
import { TerminalHeader } from '../../../../renderer/src/features/terminals/TerminalHeader';
import { click, renderWithMain } from '../../../support/renderWithMain';
import { sessionInfo } from './builders';

const ui = renderWithMain();

describe('the terminal header', () => {
  it('says why Reconnect or a new tab on the connection failed, with the hint on hover', async () => {
    const refuse = async (): Promise<never> => {
      throw new AppError('NOT_FOUND', 'This session is gone.', { hint: 'Open the host again from Hosts.' });
    };
    ui.render(<TerminalHeader info={sessionInfo()} onSearch={() => undefined} onDuplicate={refuse} onReconnect={refuse} />);
    await click('Reconnect');
    const note = ui.container.querySelector('[role="status"]');
    expect(note?.textContent).toBe('This session is gone.');
    expect(note?.getAttribute('title')).toBe('Open the host again from Hosts.');
  });

  it('shows nothing after an action that worked', async () => {
    ui.render(<TerminalHeader info={sessionInfo()} onSearch={() => undefined} onDuplicate={async () => undefined} onReconnect={async () => undefined} />);
    await click('New tab on this connection');
    expect(ui.container.querySelector('[role="status"]')).toBeNull();
  });
});
