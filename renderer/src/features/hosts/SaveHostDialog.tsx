import { useId, useState, type FormEvent, type ReactElement } from 'react';
import type { Host, Instance, SaveHostInput } from '../../../../preload/contract';
import { AppError, getApi } from '../../api';
import { toAppError } from '../../api/useAsync';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useProfiles } from '../profiles/profilesStore';
import { AWS_REGIONS } from '../profiles/regions';

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
  const ids = {
    label: useId(),
    folder: useId(),
    folders: useId(),
    tags: useId(),
    user: useId(),
    port: useId(),
    keyText: useId(),
    keyFile: useId(),
    keyPath: useId(),
    password: useId(),
    winText: useId(),
    winFile: useId(),
    winPath: useId(),
    reconnect: useId(),
    profile: useId(),
    region: useId(),
    regions: useId(),
    instance: useId(),
  };
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | undefined>();
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
    setBusy(true);
    setError(undefined);
    try {
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
    } catch (err) {
      setError(toAppError(err));
    } finally {
      setBusy(false);
    }
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
    const textId = prefix === 'key' ? ids.keyText : ids.winText;
    const fileId = prefix === 'key' ? ids.keyFile : ids.winFile;
    const pathId = prefix === 'key' ? ids.keyPath : ids.winPath;
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
          <div className="field">
            <label htmlFor={textId}>Private key (.pem)</label>
            <textarea
              id={textId}
              className="mono"
              rows={4}
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="-----BEGIN RSA PRIVATE KEY-----"
              spellCheck={false}
              autoComplete="off"
            />
            <label htmlFor={fileId} className="muted">
              or read it from a file:
            </label>
            <input id={fileId} type="file" accept=".pem,.key,.txt" onChange={(e) => void readFile(e.target.files?.[0], setText)} />
          </div>
        ) : null}
        {source === 'path' ? (
          <div className="field">
            <label htmlFor={pathId}>Full path of the .pem file</label>
            <input id={pathId} type="text" className="mono" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/home/you/.ssh/main-key.pem" spellCheck={false} />
          </div>
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
            <div className="field">
              <label htmlFor={ids.instance}>Instance id</label>
              <input
                id={ids.instance}
                type="text"
                className="mono"
                value={manualInstance}
                onChange={(e) => setManualInstance(e.target.value)}
                placeholder="i-0123456789abcdef0"
                pattern="i-[0-9a-f]{8,17}"
                required
                spellCheck={false}
                autoFocus
              />
            </div>
            <div className="field">
              <label htmlFor={ids.profile}>Profile</label>
              <select id={ids.profile} value={manualProfile} onChange={(e) => setManualProfile(e.target.value)} required>
                {(profiles ?? []).map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={ids.region}>Region</label>
              <input id={ids.region} type="text" list={ids.regions} value={manualRegion} onChange={(e) => setManualRegion(e.target.value)} required spellCheck={false} />
              <datalist id={ids.regions}>
                {AWS_REGIONS.map((r) => (
                  <option key={r.code} value={r.code}>
                    {r.name}
                  </option>
                ))}
              </datalist>
            </div>
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
          <div className="field">
            <label htmlFor={ids.label}>Label</label>
            <input id={ids.label} type="text" value={label} onChange={(e) => setLabel(e.target.value)} required={!manual} maxLength={120} autoFocus={!manual} placeholder={manual ? 'The instance id if empty' : undefined} />
          </div>
          <div className="field">
            <label htmlFor={ids.folder}>
              Folder <span className="muted">(a/b nests)</span>
            </label>
            <input id={ids.folder} type="text" list={ids.folders} value={folder} onChange={(e) => setFolder(e.target.value)} maxLength={120} />
            <datalist id={ids.folders}>
              {folders.map((f) => (
                <option key={f} value={f} />
              ))}
            </datalist>
          </div>
          <div className="field">
            <label htmlFor={ids.tags}>
              Tags <span className="muted">(comma separated)</span>
            </label>
            <input id={ids.tags} type="text" value={tags} onChange={(e) => setTags(e.target.value)} />
          </div>
          <div className="form__row">
            <div className="field">
              <label htmlFor={ids.user}>{windows ? 'Windows user' : 'OS user'}</label>
              <input id={ids.user} type="text" className="mono" value={osUser} onChange={(e) => setOsUser(e.target.value)} required spellCheck={false} />
            </div>
            <div className="field field--narrow">
              <label htmlFor={ids.port}>Port</label>
              <input id={ids.port} type="number" min={1} max={65535} value={port} onChange={(e) => setPort(e.target.value)} required />
            </div>
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
            <div className="field">
              <label htmlFor={ids.password}>Password {host?.auth.method === 'password' ? <span className="muted">(unchanged if empty)</span> : null}</label>
              <input id={ids.password} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
            </div>
          ) : null}
        </fieldset>

        {windows ? (
          <fieldset className="fieldset">
            <legend>Key pair for the Administrator password</legend>
            <p className="muted">AWS encrypts the Administrator password with the instance’s launch key pair{instance?.keyName ? ` (“${instance.keyName}”)` : ''}; it must be an RSA key.</p>
            {keyFields('win', winSource, setWinSource, winText, setWinText, winPath, setWinPath, host?.windowsKey?.store === 'keychain', true)}
          </fieldset>
        ) : null}

        <label className="checkbox" htmlFor={ids.reconnect}>
          <input id={ids.reconnect} type="checkbox" checked={autoReconnect} onChange={(e) => setAutoReconnect(e.target.checked)} />
          Reconnect on its own when the session drops (tunnel expiry, network)
        </label>

        {error ? <ErrorNotice error={error} /> : null}
        <div className="card__actions form__actions">
          <button type="button" className="btn btn--ghost" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy || !target}>
            {busy ? 'Saving…' : host ? 'Save changes' : 'Save host'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
