import { useId, useState, type FormEvent, type ReactElement } from 'react';
import type { Profile } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { AWS_REGIONS } from './regions';

export interface ProfileFormProps {
  /** The app-managed profile to edit; absent to add one. */
  profile?: Profile;
  onClose: () => void;
  onSaved: (profile: Profile) => void;
}

/**
 * Adds or edits an app-managed profile. The secret access key and session token are
 * write-only: they go to main (and from there to the OS keychain) and are never shown again;
 * on edit, leaving the secret empty keeps the stored one.
 */
export function ProfileForm({ profile, onClose, onSaved }: ProfileFormProps): ReactElement {
  const ids = { name: useId(), region: useId(), regions: useId(), keyId: useId(), secret: useId(), token: useId(), mfa: useId() };
  const editing = profile !== undefined;
  const [name, setName] = useState(profile?.name ?? '');
  const [region, setRegion] = useState(profile?.region ?? 'us-east-1');
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecretAccessKey] = useState('');
  const [sessionToken, setSessionToken] = useState('');
  const [mfaSerial, setMfaSerial] = useState(profile?.mfaSerial ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | undefined>();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const saved = await getApi().profiles.save({
        ...(profile ? { id: profile.id } : {}),
        name: name.trim(),
        region: region.trim(),
        // On edit the key id field starts empty (the window only sees it masked): empty keeps it.
        ...(accessKeyId.trim() ? { accessKeyId: accessKeyId.trim() } : {}),
        ...(secretAccessKey ? { secretAccessKey: secretAccessKey.trim() } : {}),
        ...(sessionToken.trim() ? { sessionToken: sessionToken.trim() } : {}),
        ...(mfaSerial.trim() ? { mfaSerial: mfaSerial.trim() } : {}),
      });
      // Drop the secrets from this window as soon as main has them.
      setSecretAccessKey('');
      setSessionToken('');
      onSaved(saved);
    } catch (err) {
      setError(toAppError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={editing ? `Edit profile “${profile.name}”` : 'Add an AWS profile'}
      description="The secret access key and session token go to your OS keychain and are never shown again or written to a file."
      onClose={onClose}
      wide
    >
      <form className="form" onSubmit={(e) => void submit(e)} aria-label={editing ? 'Edit profile' : 'Add profile'}>
        <div className="form__grid">
          <div className="field">
            <label htmlFor={ids.name}>Name</label>
            <input id={ids.name} type="text" value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} autoFocus autoComplete="off" />
          </div>
          <div className="field">
            <label htmlFor={ids.region}>Default Region</label>
            <input id={ids.region} type="text" list={ids.regions} value={region} onChange={(e) => setRegion(e.target.value)} required autoComplete="off" spellCheck={false} />
            <datalist id={ids.regions}>
              {AWS_REGIONS.map((r) => (
                <option key={r.code} value={r.code}>
                  {r.name}
                </option>
              ))}
            </datalist>
          </div>
          <div className="field">
            <label htmlFor={ids.keyId}>Access key id</label>
            <input
              id={ids.keyId}
              type="text"
              className="mono"
              value={accessKeyId}
              onChange={(e) => setAccessKeyId(e.target.value)}
              required={!editing}
              placeholder={editing ? `${profile.accessKeyIdHint ?? ''} (unchanged if empty)` : 'AKIA…'}
              autoComplete="off"
              spellCheck={false}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.secret}>Secret access key</label>
            <input
              id={ids.secret}
              type="password"
              value={secretAccessKey}
              onChange={(e) => setSecretAccessKey(e.target.value)}
              required={!editing}
              placeholder={editing ? 'Stored in the keychain (unchanged if empty)' : ''}
              autoComplete="off"
            />
          </div>
          <div className="field">
            <label htmlFor={ids.token}>
              Session token <span className="muted">(optional, for temporary keys)</span>
            </label>
            <input id={ids.token} type="password" value={sessionToken} onChange={(e) => setSessionToken(e.target.value)} autoComplete="off" />
          </div>
          <div className="field">
            <label htmlFor={ids.mfa}>
              MFA device <span className="muted">(optional)</span>
            </label>
            <input
              id={ids.mfa}
              type="text"
              className="mono"
              value={mfaSerial}
              onChange={(e) => setMfaSerial(e.target.value)}
              placeholder="arn:aws:iam::123456789012:mfa/you"
              autoComplete="off"
              spellCheck={false}
            />
          </div>
        </div>
        {mfaSerial.trim() ? <p className="muted form__note">With an MFA device, Bastionless asks for a code when it first needs AWS and keeps the 12-hour session in memory only.</p> : null}
        {error ? <ErrorNotice error={error} /> : null}
        <div className="card__actions form__actions">
          <button type="button" className="btn btn--ghost" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? 'Saving…' : editing ? 'Save changes' : 'Add profile'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
