import { useState, type FormEvent, type ReactElement } from 'react';
import type { Host } from '../../../../preload/contract';
import { Dialog } from '../../components/Dialog';
import { DialogFooter } from '../../components/DialogFooter';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { TextField } from '../../components/TextField';
import { useAction } from '../../hooks/useAction';
import { copySshConfig } from '../terminals/openSession';

/**
 * "Copy SSH config" for a saved Linux host: an OpenSSH `Host` block that reaches it through its
 * endpoint with bastionless-tunnel as the ProxyCommand. When the tunnel pushes a key (EC2
 * Instance Connect, or a key pair kept in the keychain, which OpenSSH cannot read) the person
 * picks their own private key; the block then logs in with it. Shows what was copied.
 */
export function CopySshConfigDialog({ host, onClose }: { host: Host; onClose: () => void }): ReactElement {
  const [identityFile, setIdentityFile] = useState('');
  const [copied, setCopied] = useState<{ alias: string; text: string } | undefined>();
  const { busy, error, run } = useAction();
  const auth = host.auth;
  const pushesOwnKey = auth.method === 'eic' || (auth.method === 'keyPair' && auth.key.store === 'keychain');

  const copy = (e: FormEvent): void => {
    e.preventDefault();
    void run(async () => setCopied(await copySshConfig(host.id, identityFile.trim() || undefined)));
  };

  return (
    <Dialog
      title={`Copy SSH config for “${host.label}”`}
      description="An OpenSSH Host block that reaches it through its endpoint, with bastionless-tunnel as the ProxyCommand: ssh, scp and VS Code Remote-SSH then work as with any host."
      onClose={onClose}
      wide
    >
      <form className="form" onSubmit={copy} aria-label="Copy SSH config">
        {pushesOwnKey ? (
          <TextField
            label="Your private key"
            hint="(its .pub is pushed to the instance for each connection)"
            className="mono"
            value={identityFile}
            onChange={(value) => {
              setIdentityFile(value);
              setCopied(undefined);
            }}
            placeholder="~/.ssh/id_ed25519"
            spellCheck={false}
            autoComplete="off"
            autoFocus
          />
        ) : null}
        {auth.method === 'keyPair' && auth.key.store === 'keychain' ? (
          <p className="muted form__note">Its key pair is in your OS keychain, which OpenSSH cannot read: the block pushes your own key instead.</p>
        ) : auth.method === 'keyPair' && auth.key.store === 'file' ? (
          <p className="muted form__note">
            OpenSSH logs in with the key pair’s file, <code>{auth.key.path}</code>.
          </p>
        ) : auth.method === 'password' ? (
          <p className="muted form__note">It logs in with a password: OpenSSH asks for it.</p>
        ) : null}
        {copied ? (
          <>
            <div className="banner banner--ok" role="status">
              <Icon name="check" />
              <span>
                Copied. Add it to <code>~/.ssh/config</code>, then run <code>ssh {copied.alias}</code>.
              </span>
            </div>
            <pre className="code-block" aria-label="The copied block">
              {copied.text}
            </pre>
          </>
        ) : null}
        {error ? <ErrorNotice error={error} /> : null}
        <DialogFooter confirmLabel={copied ? 'Copy again' : 'Copy to clipboard'} busyLabel="Copying…" cancelLabel={copied ? 'Done' : 'Cancel'} busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
