import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { CreateKeyPairOptions, DiagnosisReport, FixOffer, FixPreview } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { TextField } from '../../components/TextField';

export interface FixPanelProps {
  runId: string;
  fix: FixOffer;
  /** The report after the fix and the re-run of the checks it affects. */
  onApplied: (report: DiagnosisReport) => void;
  onCancel: () => void;
}

/** The form of a "create a key pair" fix: name, type, and where the private key goes. */
function KeyPairForm({ fix, value, onChange }: { fix: FixOffer; value: CreateKeyPairOptions; onChange: (v: CreateKeyPairOptions) => void }): ReactElement {
  const defaults = fix.keyPair!;
  return (
    <fieldset className="fix-form" aria-label="The new key pair">
      <TextField label="Name" value={value.name} onChange={(name) => onChange({ ...value, name })} />
      <Field label="Type">
        {(id) => (
          <select id={id} value={value.type} onChange={(e) => onChange({ ...value, type: e.target.value as CreateKeyPairOptions['type'] })}>
            {defaults.rsaOnly ? null : <option value="ed25519">ED25519 (recommended for Linux)</option>}
            <option value="rsa">RSA 2048{defaults.rsaOnly ? ' (Windows needs RSA)' : ''}</option>
          </select>
        )}
      </Field>
      <div className="field" role="radiogroup" aria-label="Where the private key goes">
        <span className="field__label">Private key</span>
        <label className="checkbox">
          <input type="radio" name="kp-storage" checked={value.storage.to === 'keychain'} onChange={() => onChange({ ...value, storage: { to: 'keychain' } })} />
          Keep it in my OS keychain
        </label>
        <label className="checkbox">
          <input type="radio" name="kp-storage" checked={value.storage.to === 'file'} onChange={() => onChange({ ...value, storage: { to: 'file', path: defaults.defaultPath.replace(defaults.name, value.name) } })} />
          Save it as a file only I can read (0600)
        </label>
        {value.storage.to === 'file' ? (
          <input
            type="text"
            aria-label="File path"
            className="mono"
            value={value.storage.path}
            onChange={(e) => onChange({ ...value, storage: { to: 'file', path: e.target.value } })}
          />
        ) : null}
      </div>
    </fieldset>
  );
}

/**
 * A main-side fix, step by step: (key pair form), "Review" asks main exactly what it will do
 * (with AWS's DryRun verdict), then "Apply" with the preview's token. Nothing changes before
 * Apply; a failure keeps the panel open with the reason.
 */
export function FixPanel({ runId, fix, onApplied, onCancel }: FixPanelProps): ReactElement {
  const api = getApi();
  const [keyPair, setKeyPair] = useState<CreateKeyPairOptions | undefined>(
    fix.keyPair ? { name: fix.keyPair.name, type: fix.keyPair.type, storage: { to: 'keychain' } } : undefined,
  );
  const [preview, setPreview] = useState<FixPreview>();
  const [busy, setBusy] = useState<'preview' | 'apply'>();
  const [error, setError] = useState<AppError>();

  const review = async (): Promise<void> => {
    setBusy('preview');
    setError(undefined);
    try {
      setPreview(await api.diagnose.previewFix({ runId, fixId: fix.fixId, ...(keyPair ? { keyPair } : {}) }));
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(undefined);
    }
  };
  // A fix without a form is reviewed at once: the person sees exactly what it does, then confirms.
  const reviewed = useRef(false);
  useEffect(() => {
    if (fix.keyPair || reviewed.current) return;
    reviewed.current = true;
    void review();
    // Runs once per fix; `review` is a fresh closure each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const apply = async (): Promise<void> => {
    if (!preview) return;
    setBusy('apply');
    setError(undefined);
    try {
      onApplied(await api.diagnose.applyFix({ runId, fixId: fix.fixId, confirmToken: preview.confirmToken, ...(keyPair ? { keyPair } : {}) }));
    } catch (e) {
      setError(toAppError(e));
      setPreview(undefined);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section className="fix-panel" aria-label={fix.label} data-fix={fix.fixId}>
      <h4 className="fix-panel__title">
        <Icon name="shield" size={15} /> {fix.label}
      </h4>
      {preview ? (
        <>
          <p className="fix-panel__lead">Bastionless will:</p>
          <ul className="fix-panel__lines">
            {preview.lines.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
          <details className="fix-panel__calls">
            <summary>Exact calls</summary>
            <pre className="code-block code-block--wrap">{preview.calls.join('\n')}</pre>
          </details>
          <p className={`fix-panel__permission fix-panel__permission--${preview.permission.state}`} role="status">
            {preview.permission.state === 'allowed'
              ? 'AWS confirms (DryRun) that you are allowed to do this.'
              : preview.permission.state === 'denied'
                ? `AWS says you are not allowed to do this: ${preview.permission.message ?? ''}`
                : `Permission could not be checked in advance${preview.permission.message ? `: ${preview.permission.message}` : '.'}`}
          </p>
        </>
      ) : (
        <>
          <ul className="fix-panel__lines">
            {fix.preview.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
          {fix.keyPair && keyPair ? <KeyPairForm fix={fix} value={keyPair} onChange={setKeyPair} /> : null}
        </>
      )}
      {/* Review first; once the preview is in, Apply it (or go Back to the form). */}
      <div className="card__actions">
        <button type="button" className="btn btn--primary" disabled={busy !== undefined} onClick={() => void (preview ? apply() : review())}>
          {preview ? (busy === 'apply' ? 'Applying…' : 'Apply') : busy === 'preview' ? 'Checking…' : 'Review'}
        </button>
        {preview ? (
          <button type="button" className="btn btn--ghost" disabled={busy !== undefined} onClick={() => setPreview(undefined)}>
            Back
          </button>
        ) : null}
        <button type="button" className="btn btn--ghost" disabled={busy !== undefined} onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
    </section>
  );
}
