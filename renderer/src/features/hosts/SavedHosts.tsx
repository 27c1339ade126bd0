import type { KeyboardEvent, ReactElement } from 'react';
import type { Host, Instance } from '../../../../preload/contract';
import { Icon } from '../../components/Icon';
import { diagnoseHost } from '../diagnose/requests';
import { EicStatus } from './EicStatus';

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
}

export const instanceKey = (x: { profileId: string; region: string; instanceId: string }): string => `${x.profileId}/${x.region}/${x.instanceId}`;

/** Saved hosts grouped by folder (nested folders shown as a/b). Enter or a double-click connects. */
export function SavedHosts({ hosts, instances, profileNames, onConnect, onEdit, onRemove }: SavedHostsProps): ReactElement {
  const folders = new Map<string, Host[]>();
  for (const h of [...hosts].sort((a, b) => a.folder.localeCompare(b.folder) || a.label.localeCompare(b.label))) {
    const list = folders.get(h.folder) ?? [];
    list.push(h);
    folders.set(h.folder, list);
  }
  const onKey = (e: KeyboardEvent<HTMLTableRowElement>, h: Host): void => {
    if (e.key === 'Enter' && e.target === e.currentTarget) {
      e.preventDefault();
      onConnect(h);
    }
  };
  return (
    <div className="saved-hosts">
      {[...folders.entries()].map(([folder, list]) => (
        <section key={folder || '(none)'} className="group group--folder" aria-label={folder ? `Folder ${folder}` : 'Hosts without a folder'}>
          {folder ? (
            <h3 className="group__title">
              <Icon name="folder" size={15} /> {folder}
            </h3>
          ) : null}
          <div className="table-wrap">
            <table className="data-table host-table">
              <thead>
                <tr>
                  <th scope="col">Host</th>
                  <th scope="col">Instance</th>
                  <th scope="col">Sign-in</th>
                  <th scope="col">State</th>
                  <th scope="col" className="actions">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((h) => {
                  const instance = instances.get(instanceKey(h));
                  return (
                    <tr
                      key={h.id}
                      tabIndex={0}
                      className="instance-row"
                      data-host-id={h.id}
                      aria-label={`${h.label}. Press Enter to connect.`}
                      onDoubleClick={() => onConnect(h)}
                      onKeyDown={(e) => onKey(e, h)}
                    >
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
                      <td className="actions">
                        <button type="button" className="btn btn--small" onClick={() => onConnect(h)} aria-label={h.platform === 'windows' ? `Launch RDP to ${h.label}` : `Connect to ${h.label}`}>
                          {h.platform === 'windows' ? 'Launch RDP' : 'Connect'}
                        </button>
                        <button type="button" className="btn btn--small" onClick={() => onEdit(h)} aria-label={`Edit ${h.label}`}>
                          Edit
                        </button>
                        <button type="button" className="btn btn--small" onClick={() => diagnoseHost(h)} aria-label={`Diagnose ${h.label}`}>
                          Diagnose
                        </button>
                        <button type="button" className="btn btn--small btn--danger" onClick={() => onRemove(h)} aria-label={`Remove ${h.label}`}>
                          Remove
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </div>
  );
}
