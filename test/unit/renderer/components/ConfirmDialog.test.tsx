// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../renderer/src/api';
import { ConfirmDialog } from '../../../../renderer/src/components/ConfirmDialog';
import { TextField } from '../../../../renderer/src/components/TextField';
import { button, click, field, renderWithMain, settle, typeInto } from '../../../support/renderWithMain';

const ui = renderWithMain();

describe('the confirm dialog', () => {
  it('runs the action with the button busy, then closes', async () => {
    const log: string[] = [];
    let finish: () => void = () => undefined;
    ui.render(
      <ConfirmDialog
        title="Remove “web-1”?"
        description="The saved host is deleted."
        confirmLabel="Remove host"
        busyLabel="Removing…"
        cancelLabel="Keep it"
        tone="danger"
        onConfirm={() => new Promise<void>((resolve) => (finish = () => (log.push('removed'), resolve())))}
        onClose={() => log.push('closed')}
      />,
    );
    const dialog = ui.container.querySelector('dialog')!;
    expect(dialog.getAttribute('aria-describedby')).toBe(dialog.querySelector('.dialog__description')?.id);
    // The safe choice has the focus: Enter does not remove anything.
    expect(document.activeElement?.textContent).toBe('Keep it');
    expect(button('Remove host').className).toContain('btn--destructive');
    await click('Remove host');
    expect(button('Removing…').disabled).toBe(true);
    expect(button('Keep it').disabled).toBe(true);
    expect(log).toEqual([]);
    finish();
    await settle();
    expect(log).toEqual(['removed', 'closed']);
  });

  it('keeps a failure in the dialog, with its hint, and lets the person try again', async () => {
    const log: string[] = [];
    let fail = true;
    ui.render(
      <ConfirmDialog
        title="Delete eice-1?"
        confirmLabel="Delete eice-1"
        onConfirm={async () => {
          if (fail) throw new AppError('AWS_ACCESS_DENIED', 'You may not delete endpoints.', { hint: 'Ask for ec2:DeleteInstanceConnectEndpoint.' });
          log.push('deleted');
        }}
        onClose={() => log.push('closed')}
      />,
    );
    await click('Delete eice-1');
    expect(ui.container.querySelector('[role="alert"]')?.textContent).toContain('Ask for ec2:DeleteInstanceConnectEndpoint.');
    expect(log).toEqual([]);
    expect(button('Delete eice-1').disabled).toBe(false);
    fail = false;
    await click('Delete eice-1');
    expect(log).toEqual(['deleted', 'closed']);
  });

  it('cancels without running the action', async () => {
    const log: string[] = [];
    ui.render(<ConfirmDialog title="Close the session to web-1?" confirmLabel="Close session" autoFocus="confirm" onConfirm={() => void log.push('confirmed')} onClose={() => log.push('closed')} />);
    expect(document.activeElement?.textContent).toBe('Close session');
    await click('Cancel');
    expect(log).toEqual(['closed']);
  });
});

describe('the text field', () => {
  it('ties its label (and hint) to the input, hands back the text, and offers suggestions', async () => {
    const typed: string[] = [];
    ui.render(<TextField label="Folder" hint="(a/b nests)" value="" onChange={(v) => typed.push(v)} suggestions={[{ value: 'prod/web' }, { value: 'staging' }]} />);
    const input = field(/^Folder \(a\/b nests\)$/);
    expect(input.tagName).toBe('INPUT');
    await typeInto(input, 'prod');
    expect(typed).toEqual(['prod']);
    const list = document.getElementById(input.getAttribute('list') ?? '');
    expect([...(list?.querySelectorAll('option') ?? [])].map((o) => o.value)).toEqual(['prod/web', 'staging']);
  });
});
