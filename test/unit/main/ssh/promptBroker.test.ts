import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../preload/contract';
import { PromptBroker } from '../../../../main/ssh/promptBroker';

const question = { kind: 'password' as const, title: 'Password for a@b', fields: [{ label: 'Password', echo: false }] };

describe('PromptBroker', () => {
  it('publishes the question and resolves with the answer once', async () => {
    let changes = 0;
    const broker = new PromptBroker(() => changes++);
    const answer = broker.ask(question);
    const id = broker.current!.promptId;
    expect(broker.current).toMatchObject(question);
    expect(broker.answer(id, ['s3cret'])).toBe(true);
    await expect(answer).resolves.toEqual(['s3cret']);
    expect(broker.current).toBeUndefined();
    // A second submit of the same form does nothing.
    expect(broker.answer(id, ['again'])).toBe(false);
    expect(changes).toBe(2);
  });

  it('ignores an answer to another question', () => {
    const broker = new PromptBroker(() => undefined);
    void broker.ask(question);
    expect(broker.answer('not-the-id', ['x'])).toBe(false);
    expect(broker.current).toBeDefined();
  });

  it('rejects with CANCELLED when the person cancels (null answers)', async () => {
    const broker = new PromptBroker(() => undefined);
    const answer = broker.ask(question);
    broker.answer(broker.current!.promptId, null);
    await expect(answer).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('fills missing answers with empty strings and drops extra ones', async () => {
    const broker = new PromptBroker(() => undefined);
    const answer = broker.ask({ ...question, kind: 'keyboard-interactive', fields: [{ label: 'a', echo: true }, { label: 'b', echo: false }] });
    broker.answer(broker.current!.promptId, ['1']);
    await expect(answer).resolves.toEqual(['1', '']);
  });

  it('withdraws the open question when the attempt is abandoned, or a new one replaces it', async () => {
    const broker = new PromptBroker(() => undefined);
    const first = broker.ask(question);
    const second = broker.ask(question);
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    broker.cancel(new AppError('CANCELLED', 'The tab was closed.'));
    await expect(second).rejects.toMatchObject({ message: 'The tab was closed.' });
    expect(broker.current).toBeUndefined();
  });
});
