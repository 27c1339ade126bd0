import { useId, useState, type FormEvent, type ReactElement } from 'react';
import type { SessionPrompt } from '../../../../preload/contract';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../hooks/useAction';

/**
 * A question from main (password, key passphrase, keyboard-interactive) answered in the tab.
 * The answers go straight back to main and are forgotten here once sent; when main did not take
 * them (the question was replaced, the session went away) the form says why and gives them back.
 */
export function PromptForm({ prompt, onAnswer }: { prompt: SessionPrompt; onAnswer: (answers: string[] | null) => Promise<void> }): ReactElement {
  const [values, setValues] = useState<string[]>(() => prompt.fields.map(() => ''));
  const { busy, error, run } = useAction();
  const id = useId();
  const send = (answers: string[] | null): void => {
    void run(() => onAnswer(answers)).then((sent) => {
      if (!sent && answers) setValues(answers);
    });
  };
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const answers = values;
    // Secrets do not linger in the page once handed over.
    setValues(prompt.fields.map(() => ''));
    send(answers);
  };
  return (
    <form className="prompt-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="prompt-form__title">
        {prompt.title}
      </h3>
      {prompt.instructions ? <p className="prompt-form__instructions">{prompt.instructions}</p> : null}
      {prompt.retryMessage ? (
        <p className="prompt-form__retry" role="alert">
          {prompt.retryMessage}
        </p>
      ) : null}
      {prompt.fields.map((field, i) => (
        <label key={`${prompt.promptId}-${i}`} className="prompt-form__field">
          <span>{field.label}</span>
          <input
            type={field.echo ? 'text' : 'password'}
            value={values[i] ?? ''}
            autoFocus={i === 0}
            autoComplete={field.echo ? 'off' : 'current-password'}
            spellCheck={false}
            onChange={(e) => setValues((v) => v.map((x, j) => (j === i ? e.target.value : x)))}
          />
        </label>
      ))}
      {error ? <ErrorNotice error={error} /> : null}
      <div className="prompt-form__actions">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {prompt.kind === 'passphrase' ? 'Unlock key' : 'Log in'}
        </button>
        <button type="button" className="btn btn--ghost" disabled={busy} onClick={() => send(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
