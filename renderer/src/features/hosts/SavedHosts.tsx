import type { ReactElement } from 'react';
import type { Host, Instance } from '../../../../preload/contract';
import { ACTIONS_COLUMN, DataTable } from '../../components/DataTable';
import { Icon } from '../../components/Icon';
import { IconButton } from '../../components/IconButton';
import { RowActions } from '../../components/RowActions';
import { diagnoseHost } from '../diagnose/requests';
import { EicStatus } from './EicStatus';
import { HostRow } from './HostRow';

const AUTH_LABEL: Record<Host['auth']['method'], string> = {
  eic: 'EC2 Instance Connect key',
  keyPair: 'Key pair',
  password: 'Password',
};

export interface SavedHostsProps {
  hosts: readonly Host[];
  /** The discovered facts of each host's instance, by `profile/region/instance`. */
  instances: ReadonlyMap<string, Instance>;
  profileNames: Readonly<Record<string, string>>;
  onConnect: (host: Host) => void;
  onEdit: (host: Host) => void;
  onRemove: (host: Host) => void;
  /** Linux hosts: an OpenSSH config block for ssh, scp and VS Code. */
  onCopySshConfig: (host: Host) => void;
}

export const instanceKey = (x: { profileId: string; region: string; instanceId: string }): string => `${x.profileId}/${x.region}/${x.instanceId}`;

/** Saved hosts grouped by folder (nested folders shown as a/b). Enter or a double-click connects. */
export function SavedHosts({ hosts, instances, profileNames, onConnect, onEdit, onRemove, onCopySshConfig }: SavedHostsProps): ReactElement {
  const folders = new Map<string, Host[]>();
  for (const h of [...hosts].sort((a, b) => a.folder.localeCompare(b.folder) || a.label.localeCompare(b.label))) {
    const list = folders.get(h.folder) ?? [];
    list.push(h);
    folders.set(h.folder, list);
  }
  return (
    <div className="saved-hosts">
      {[...folders.entries()].map(([folder, list]) => (
        <section key={folder || '(none)'} className="group group--folder" aria-label={folder ? `Folder ${folder}` : 'Hosts without a folder'}>
          {folder ? (
            <h3 className="group__title">
              <Icon name="folder" size={15} /> {folder}
            </h3>
          ) : null}
          <DataTable className="host-table" columns={['Host', 'Instance', 'Sign-in', 'State', ACTIONS_COLUMN]}>
            {list.map((h) => {
              const instance = instances.get(instanceKey(h));
              return (
                <HostRow key={h.id} data-host-id={h.id} description={h.label} onConnect={() => onConnect(h)}>
                  <th scope="row">
                    <span className="instance-row__name">{h.label}</span>
                    {h.tags.length > 0 ? (
                      <span className="tags">
                        {h.tags.map((t) => (
                          <span key={t} className="tag">
                            {t}
                          </span>
                        ))}
                      </span>
                    ) : null}
                  </th>
                  <td>
                    <span className="mono">{h.instanceId}</span>
                    <span className="muted instance-row__where">
                      {h.region} · {profileNames[h.profileId] ?? h.profileId}
                    </span>
                  </td>
                  <td>
                    <span className={`badge badge--platform badge--${h.platform}`}>{h.platform === 'windows' ? 'RDP' : 'SSH'}</span>{' '}
                    <span className="mono">
                      {h.osUser}:{h.port}
                    </span>
                    <span className="muted instance-row__where">
                      {AUTH_LABEL[h.auth.method]}
                      {h.auth.method === 'keyPair' ? (h.auth.key.store === 'keychain' ? ' (keychain)' : ` (${h.auth.key.path})`) : ''}
                      {h.autoReconnect ? ' · auto-reconnect' : ''}
                    </span>
                  </td>
                  <td>{instance ? <EicStatus instance={instance} auth={h.auth.method} /> : <span className="muted">not scanned</span>}</td>
                  <RowActions label={`Actions for ${h.label}`}>
                    <button type="button" className="btn btn--small" onClick={() => onConnect(h)} aria-label={h.platform === 'windows' ? `Launch RDP to ${h.label}` : `Connect to ${h.label}`}>
                      {h.platform === 'windows' ? 'Launch RDP' : 'Connect'}
                    </button>
                    <IconButton icon="edit" label={`Edit ${h.label}`} title="Edit: label, folder, tags, how it signs in" onClick={() => onEdit(h)} />
                    {h.platform === 'linux' ? (
                      <IconButton icon="config" label={`Copy SSH config for ${h.label}`} title="Copy SSH config: a Host block for ssh, scp and VS Code" onClick={() => onCopySshConfig(h)} />
                    ) : null}
                    <IconButton icon="pulse" label={`Diagnose ${h.label}`} title="Diagnose: check the path and explain what blocks it" onClick={() => diagnoseHost(h)} />
                    <IconButton icon="trash" tone="danger" label={`Remove ${h.label}`} title="Remove the saved host" onClick={() => onRemove(h)} />
                  </RowActions>
                </HostRow>
              );
            })}
          </DataTable>
        </section>
      ))}
    </div>
  );
}
