import { useState, type FormEvent, type ReactElement } from 'react';
import type { Profile } from '../../../../preload/contract';
import { getApi } from '../../api';
import { Dialog } from '../../components/Dialog';
import { DialogFooter } from '../../components/DialogFooter';
import { ErrorNotice } from '../../components/ErrorNotice';
import { TextField } from '../../components/TextField';
import { useAction } from '../../hooks/useAction';
import { REGION_SUGGESTIONS } from './regions';

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
  const editing = profile !== undefined;
  const [name, setName] = useState(profile?.name ?? '');
  const [region, setRegion] = useState(profile?.region ?? 'us-east-1');
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecretAccessKey] = useState('');
  const [sessionToken, setSessionToken] = useState('');
  const [mfaSerial, setMfaSerial] = useState(profile?.mfaSerial ?? '');
  const { busy, error, run } = useAction();

  const submit = (e: FormEvent): Promise<boolean> => {
    e.preventDefault();
    return run(async () => {
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
    });
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
          <TextField label="Name" value={name} onChange={setName} required maxLength={64} autoFocus autoComplete="off" />
          <TextField label="Default Region" value={region} onChange={setRegion} suggestions={REGION_SUGGESTIONS} required autoComplete="off" spellCheck={false} />
          <TextField
            label="Access key id"
            className="mono"
            value={accessKeyId}
            onChange={setAccessKeyId}
            required={!editing}
            placeholder={editing ? `${profile.accessKeyIdHint ?? ''} (unchanged if empty)` : 'AKIA…'}
            autoComplete="off"
            spellCheck={false}
          />
          <TextField
            label="Secret access key"
            type="password"
            value={secretAccessKey}
            onChange={setSecretAccessKey}
            required={!editing}
            placeholder={editing ? 'Stored in the keychain (unchanged if empty)' : ''}
            autoComplete="off"
          />
          <TextField label="Session token" hint="(optional, for temporary keys)" type="password" value={sessionToken} onChange={setSessionToken} autoComplete="off" />
          <TextField
            label="MFA device"
            hint="(optional)"
            className="mono"
            value={mfaSerial}
            onChange={setMfaSerial}
            placeholder="arn:aws:iam::123456789012:mfa/you"
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        {mfaSerial.trim() ? <p className="muted form__note">With an MFA device, Bastionless asks for a code when it first needs AWS and keeps the 12-hour session in memory only.</p> : null}
        {error ? <ErrorNotice error={error} /> : null}
        <DialogFooter confirmLabel={editing ? 'Save changes' : 'Add profile'} busyLabel="Saving…" busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
