import { useId, useState, type FormEvent, type ReactElement } from 'react';
import type { SessionPrompt } from '../../../../preload/contract';

/**
 * A question from main (password, key passphrase, keyboard-interactive) answered in the tab.
 * The answers go straight back to main and are forgotten here once sent.
 */
export function PromptForm({ prompt, onAnswer }: { prompt: SessionPrompt; onAnswer: (answers: string[] | null) => Promise<void> }): ReactElement {
  const [values, setValues] = useState<string[]>(() => prompt.fields.map(() => ''));
  const [busy, setBusy] = useState(false);
  const id = useId();
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    const answers = values;
    // Secrets do not linger in the page once handed over.
    setValues(prompt.fields.map(() => ''));
    void onAnswer(answers).finally(() => setBusy(false));
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
      <div className="prompt-form__actions">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {prompt.kind === 'passphrase' ? 'Unlock key' : 'Log in'}
        </button>
        <button type="button" className="btn btn--ghost" disabled={busy} onClick={() => void onAnswer(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
