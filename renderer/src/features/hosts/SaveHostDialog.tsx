import { useState, type FormEvent, type ReactElement } from 'react';
import type { Host, Instance, SaveHostInput } from '../../../../preload/contract';
import { AppError, getApi } from '../../api';
import { Dialog } from '../../components/Dialog';
import { DialogFooter } from '../../components/DialogFooter';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { TextField } from '../../components/TextField';
import { useAction } from '../../hooks/useAction';
import { useProfiles } from '../profiles/profilesStore';
import { REGION_SUGGESTIONS } from '../profiles/regions';

type KeySource = 'keep' | 'paste' | 'path' | 'none';
type AuthChoice = 'eic' | 'keyPair' | 'password';

export interface SaveHostDialogProps {
  /** The discovered instance to save (new host), if any. */
  instance?: Instance | undefined;
  /** The saved host to edit, if any. */
  host?: Host | undefined;
  /** Folders already in use, offered as suggestions. */
  folders: readonly string[];
  onClose: () => void;
  onSaved: (host: Host) => void;
}

const MAX_KEY_BYTES = 32 * 1024;

/**
 * Saves a discovered instance as a host, or edits a saved one: label, folder, tags, OS user,
 * port, how SSH signs in, and (Windows) the key pair that decrypts the Administrator password.
 * A pasted or chosen key and a password are sent once to main, which keeps them in the OS
 * keychain; a typed path is only referenced.
 */
export function SaveHostDialog({ instance, host, folders, onClose, onSaved }: SaveHostDialogProps): ReactElement {
  const { profiles } = useProfiles();
  const manual = !host && !instance;
  const [manualProfile, setManualProfile] = useState(() => profiles?.find((p) => p.isDefault)?.id ?? profiles?.[0]?.id ?? '');
  const [manualRegion, setManualRegion] = useState(() => profiles?.find((p) => p.isDefault)?.region ?? profiles?.[0]?.region ?? 'us-east-1');
  const [manualInstance, setManualInstance] = useState('');
  const [manualPlatform, setManualPlatform] = useState<'linux' | 'windows'>('linux');
  const platform = host?.platform ?? instance?.platform ?? manualPlatform;
  const windows = platform === 'windows';
  const [label, setLabel] = useState(host?.label ?? instance?.name ?? instance?.instanceId ?? '');
  const [folder, setFolder] = useState(host?.folder ?? '');
  const [tags, setTags] = useState((host?.tags ?? []).join(', '));
  const [osUser, setOsUser] = useState(host?.osUser ?? instance?.os.defaultUser ?? (windows ? 'Administrator' : 'ec2-user'));
  const [port, setPort] = useState(String(host?.port ?? (windows ? 3389 : 22)));
  const [auth, setAuth] = useState<AuthChoice>(host?.auth.method ?? (windows ? 'password' : instance && instance.os.eicPackage !== 'preinstalled' && instance.os.eicPackage !== 'unknown' && instance.keyName ? 'keyPair' : 'eic'));
  const storedKey = host?.auth.method === 'keyPair' ? host.auth.key : undefined;
  const [keySource, setKeySource] = useState<KeySource>(storedKey ? (storedKey.store === 'keychain' ? 'keep' : 'path') : 'paste');
  const [keyText, setKeyText] = useState('');
  const [keyPath, setKeyPath] = useState(storedKey?.store === 'file' ? storedKey.path : '');
  const [password, setPassword] = useState('');
  const [winSource, setWinSource] = useState<KeySource>(host?.windowsKey ? (host.windowsKey.store === 'keychain' ? 'keep' : 'path') : 'none');
  const [winText, setWinText] = useState('');
  const [winPath, setWinPath] = useState(host?.windowsKey?.store === 'file' ? host.windowsKey.path : '');
  const [autoReconnect, setAutoReconnect] = useState(host?.autoReconnect ?? false);
  const { busy, error, run, setError } = useAction();
  const target = host ?? instance ?? (manual ? { profileId: manualProfile, region: manualRegion.trim(), instanceId: manualInstance.trim() } : undefined);

  const readFile = async (file: File | undefined, set: (text: string) => void): Promise<void> => {
    if (!file) return;
    if (file.size > MAX_KEY_BYTES) {
      setError(new AppError('INVALID_INPUT', `${file.name} is too large to be a private key.`, { hint: 'Choose the .pem file you downloaded when the key pair was created.' }));
      return;
    }
    set(await file.text());
  };

  const keyInput = (source: KeySource, text: string, path: string): { keep: true } | { privateKey: string } | { keyFile: string } | undefined => {
    if (source === 'keep') return { keep: true };
    if (source === 'paste' && text.trim()) return { privateKey: text };
    if (source === 'path' && path.trim()) return { keyFile: path.trim() };
    return undefined;
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!target) return;
    await run(async () => {
      let authInput: SaveHostInput['auth'];
      if (auth === 'eic') authInput = { method: 'eic' };
      else if (auth === 'password') authInput = { method: 'password', ...(password ? { password } : {}) };
      else {
        const key = keyInput(keySource, keyText, keyPath);
        if (!key) {
          throw new AppError('INVALID_INPUT', 'The key pair option needs its private key.', { hint: 'Paste the private key, read it from its file, or type the full path of the .pem file.' });
        }
        authInput = { method: 'keyPair', key };
      }
      const windowsKey = windows ? keyInput(winSource, winText, winPath) : undefined;
      const saved = await getApi().hosts.save({
        ...(host ? { id: host.id } : {}),
        label: label.trim() || target.instanceId,
        folder: folder.trim(),
        tags: tags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
        profileId: target.profileId,
        region: target.region,
        instanceId: target.instanceId,
        platform,
        osUser: osUser.trim(),
        port: Number(port),
        auth: authInput,
        ...(windowsKey ? { windowsKey } : {}),
        autoReconnect,
      });
      setKeyText('');
      setPassword('');
      setWinText('');
      onSaved(saved);
    });
  };

  const keyFields = (
    prefix: 'key' | 'win',
    source: KeySource,
    setSource: (s: KeySource) => void,
    text: string,
    setText: (t: string) => void,
    path: string,
    setPath: (p: string) => void,
    canKeep: boolean,
    allowNone: boolean,
  ): ReactElement => {
    const name = `${prefix}-source`;
    return (
      <div className="key-source">
        <div className="segmented" role="radiogroup" aria-label={prefix === 'key' ? 'Where the private key is' : 'Where the key pair is'}>
          {allowNone ? (
            <label>
              <input type="radio" name={name} checked={source === 'none'} onChange={() => setSource('none')} /> None
            </label>
          ) : null}
          {canKeep ? (
            <label>
              <input type="radio" name={name} checked={source === 'keep'} onChange={() => setSource('keep')} /> Keep the stored key
            </label>
          ) : null}
          <label>
            <input type="radio" name={name} checked={source === 'paste'} onChange={() => setSource('paste')} /> Keep in the keychain
          </label>
          <label>
            <input type="radio" name={name} checked={source === 'path'} onChange={() => setSource('path')} /> Use a file on this computer
          </label>
        </div>
        {source === 'paste' ? (
          <Field label="Private key (.pem)">
            {(id) => (
              <>
                <textarea
                  id={id}
                  className="mono"
                  rows={4}
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                  placeholder="-----BEGIN RSA PRIVATE KEY-----"
                  spellCheck={false}
                  autoComplete="off"
                />
                <label className="muted">
                  or read it from a file: <input type="file" accept=".pem,.key,.txt" onChange={(e) => void readFile(e.target.files?.[0], setText)} />
                </label>
              </>
            )}
          </Field>
        ) : null}
        {source === 'path' ? (
          <TextField label="Full path of the .pem file" className="mono" value={path} onChange={setPath} placeholder="/home/you/.ssh/main-key.pem" spellCheck={false} />
        ) : null}
      </div>
    );
  };

  return (
    <Dialog
      title={host ? `Edit “${host.label}”` : manual ? 'Add a host' : 'Save as host'}
      description={
        !manual && target ? (
          <>
            <span className="mono">{target.instanceId}</span> in {target.region}
            {instance?.os ? <> · {instance.os.name}</> : null}
          </>
        ) : undefined
      }
      onClose={onClose}
      wide
    >
      <form className="form" onSubmit={(e) => void submit(e)} aria-label={host ? 'Edit host' : manual ? 'Add host' : 'Save host'}>
        {manual ? (
          <div className="form__grid">
            <TextField
              label="Instance id"
              className="mono"
              value={manualInstance}
              onChange={setManualInstance}
              placeholder="i-0123456789abcdef0"
              pattern="i-[0-9a-f]{8,17}"
              required
              spellCheck={false}
              autoFocus
            />
            <Field label="Profile">
              {(id) => (
                <select id={id} value={manualProfile} onChange={(e) => setManualProfile(e.target.value)} required>
                  {(profiles ?? []).map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <TextField label="Region" value={manualRegion} onChange={setManualRegion} suggestions={REGION_SUGGESTIONS} required spellCheck={false} />
            <div className="field">
              <span className="field__label">Platform</span>
              <div className="segmented segmented--flush" role="radiogroup" aria-label="Platform">
                <label>
                  <input type="radio" name="platform" checked={manualPlatform === 'linux'} onChange={() => { setManualPlatform('linux'); setAuth('eic'); setPort('22'); setOsUser('ec2-user'); }} /> Linux (SSH)
                </label>
                <label>
                  <input type="radio" name="platform" checked={manualPlatform === 'windows'} onChange={() => { setManualPlatform('windows'); setAuth('password'); setPort('3389'); setOsUser('Administrator'); }} /> Windows (RDP)
                </label>
              </div>
            </div>
          </div>
        ) : null}
        <div className="form__grid">
          <TextField label="Label" value={label} onChange={setLabel} required={!manual} maxLength={120} autoFocus={!manual} placeholder={manual ? 'The instance id if empty' : undefined} />
          <TextField label="Folder" hint="(a/b nests)" value={folder} onChange={setFolder} maxLength={120} suggestions={folders.map((f) => ({ value: f }))} />
          <TextField label="Tags" hint="(comma separated)" value={tags} onChange={setTags} />
          <div className="form__row">
            <TextField label={windows ? 'Windows user' : 'OS user'} className="mono" value={osUser} onChange={setOsUser} required spellCheck={false} />
            <TextField label="Port" narrow type="number" min={1} max={65535} value={port} onChange={setPort} required />
          </div>
        </div>

        <fieldset className="fieldset">
          <legend>{windows ? 'Signing in' : 'How SSH signs in'}</legend>
          {!windows ? (
            <label className="choice">
              <input type="radio" name="auth" checked={auth === 'eic'} onChange={() => setAuth('eic')} />
              <span>
                <strong>EC2 Instance Connect</strong>
                <span className="muted"> — a fresh key is pushed for each connection; nothing to store. Needs the ec2-instance-connect package{instance ? ` (${instance.os.eicPackage === 'preinstalled' ? `preinstalled on ${instance.os.name}` : `not preinstalled on ${instance.os.name}`})` : ''}.</span>
              </span>
            </label>
          ) : null}
          {!windows ? (
            <label className="choice">
              <input type="radio" name="auth" checked={auth === 'keyPair'} onChange={() => setAuth('keyPair')} />
              <span>
                <strong>Key pair</strong>
                <span className="muted"> — the private key of {instance?.keyName ? `“${instance.keyName}”` : 'the launch key pair'}.</span>
              </span>
            </label>
          ) : null}
          {auth === 'keyPair' && !windows ? keyFields('key', keySource, setKeySource, keyText, setKeyText, keyPath, setKeyPath, storedKey?.store === 'keychain', false) : null}
          <label className="choice">
            <input type="radio" name="auth" checked={auth === 'password'} onChange={() => setAuth('password')} />
            <span>
              <strong>Password</strong>
              <span className="muted"> — kept in your OS keychain{windows ? '; leave empty to use the Administrator password AWS gives for the key pair below' : ''}.</span>
            </span>
          </label>
          {auth === 'password' ? (
            <TextField label="Password" hint={host?.auth.method === 'password' ? '(unchanged if empty)' : undefined} type="password" value={password} onChange={setPassword} autoComplete="new-password" />
          ) : null}
        </fieldset>

        {windows ? (
          <fieldset className="fieldset">
            <legend>Key pair for the Administrator password</legend>
            <p className="muted">AWS encrypts the Administrator password with the instance’s launch key pair{instance?.keyName ? ` (“${instance.keyName}”)` : ''}; it must be an RSA key.</p>
            {keyFields('win', winSource, setWinSource, winText, setWinText, winPath, setWinPath, host?.windowsKey?.store === 'keychain', true)}
          </fieldset>
        ) : null}

        <label className="checkbox">
          <input type="checkbox" checked={autoReconnect} onChange={(e) => setAutoReconnect(e.target.checked)} />
          Reconnect on its own when the session drops (tunnel expiry, network)
        </label>

        {error ? <ErrorNotice error={error} /> : null}
        <DialogFooter confirmLabel={host ? 'Save changes' : 'Save host'} busyLabel="Saving…" busy={busy} disabled={!target} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
