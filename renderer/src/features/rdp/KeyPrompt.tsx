import { useId, useState, type FormEvent, type ReactElement } from 'react';
import type { RdpKeyPrompt } from '../../../../preload/contract';
import { AppError, getApi } from '../../api';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { TextField } from '../../components/TextField';
import { useAction } from '../../hooks/useAction';

/** Key files are small; anything bigger was picked by mistake (and the contract caps it). */
const MAX_KEY_BYTES = 64 * 1024;

/**
 * Asks for the key pair's private key (or its passphrase). The file is read here and sent to
 * main once; it is never stored by the window, and kept in the OS keychain only if the person
 * ticks "Remember".
 */
export function KeyPrompt({ sessionId, prompt, onWithoutPassword }: { sessionId: string; prompt: RdpKeyPrompt; onWithoutPassword: () => void }): ReactElement {
  const titleId = useId();
  const [file, setFile] = useState<File | undefined>();
  const [passphrase, setPassphrase] = useState('');
  const [remember, setRemember] = useState(false);
  const { busy, error, run, setError } = useAction();
  const needKey = prompt.need === 'key';

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    if (needKey && !file) {
      setError(new AppError('RDP_KEY_MISSING', 'Pick the private key file first.', { hint: `It is the .pem file of the key pair "${prompt.keyName}".` }));
      return;
    }
    if (file && file.size > MAX_KEY_BYTES) {
      setError(new AppError('RDP_KEY_INVALID', `${file.name} is too large to be a private key.`, { hint: 'Pick the .pem file you downloaded when the key pair was created.' }));
      return;
    }
    await run(async () => {
      const privateKey = needKey && file ? await file.text() : undefined;
      await getApi().rdp.provideKey({
        sessionId,
        remember,
        ...(privateKey !== undefined ? { privateKey } : {}),
        ...(passphrase ? { passphrase } : {}),
      });
      setPassphrase('');
    });
  };

  const problem = prompt.problem ? AppError.fromJSON(prompt.problem) : undefined;
  return (
    <form className="card key-prompt" onSubmit={(e) => void submit(e)} aria-labelledby={titleId}>
      <h2 id={titleId}>
        <Icon name="key" /> {needKey ? <>Private key for key pair “{prompt.keyName}”</> : <>Passphrase for the key of “{prompt.keyName}”</>}
      </h2>
      <p className="muted">
        {needKey
          ? 'AWS encrypted the Administrator password with this key pair. Pick its private key (.pem, OpenSSH or PuTTY); it is read on this computer and never sent anywhere.'
          : 'This private key is protected by a passphrase. It is used once to unlock the key and never stored.'}
      </p>
      {problem ? <ErrorNotice error={problem} /> : null}
      {error ? <ErrorNotice error={error} /> : null}
      {needKey ? (
        <Field label="Private key file">
          {(id) => <input id={id} type="file" accept=".pem,.key,.ppk,.txt,application/x-pem-file" onChange={(e) => setFile(e.target.files?.[0])} disabled={busy} />}
        </Field>
      ) : (
        <TextField label="Passphrase" type="password" autoComplete="off" value={passphrase} onChange={setPassphrase} disabled={busy} autoFocus />
      )}
      <label className="checkbox">
        <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} disabled={busy} />
        Remember this key in the OS keychain for “{prompt.keyName}”
      </label>
      <div className="card__actions">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Decrypting…' : needKey ? 'Decrypt password' : 'Unlock key'}
        </button>
        <button type="button" className="btn btn--ghost" onClick={onWithoutPassword} disabled={busy}>
          Connect without password
        </button>
      </div>
    </form>
  );
}
