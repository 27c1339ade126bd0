import type { ReactElement } from 'react';
import type { Instance, InventoryScope } from '../../../../preload/contract';
import { AppError } from '../../api';
import { ACTIONS_COLUMN, DataTable } from '../../components/DataTable';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { IconButton } from '../../components/IconButton';
import { RowActions } from '../../components/RowActions';
import { diagnoseInstance } from '../diagnose/requests';
import { openEndpointSetup } from '../endpoints/endpointsStore';
import { EicStatus } from './EicStatus';
import { formatUsd } from './format';
import { HostRow } from './HostRow';

interface Group<T> {
  key: string;
  items: T[];
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Group<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  }
  return [...groups.entries()].map(([key, list]) => ({ key, items: list }));
}

const STATE_CLASS: Record<Instance['state'], string> = {
  running: 'badge--ready',
  pending: 'badge--starting',
  stopping: 'badge--starting',
  'shutting-down': 'badge--failed',
  stopped: '',
  terminated: 'badge--failed',
  unknown: '',
};

export interface InstanceGroupsProps {
  instances: readonly Instance[];
  scopes: readonly InventoryScope[];
  profileNames: Readonly<Record<string, string>>;
  onConnect: (instance: Instance) => void;
  onSave: (instance: Instance) => void;
  /** Instances already saved as hosts, by `profile/region/instance`. */
  savedKeys: ReadonlySet<string>;
}

/**
 * Discovered instances grouped by profile, then Region, then VPC (with the VPC's endpoint).
 * Rows are focusable: Enter or a double-click connects.
 */
export function InstanceGroups({ instances, scopes, profileNames, onConnect, onSave, savedKeys }: InstanceGroupsProps): ReactElement {
  const byProfile = groupBy([...instances].sort(compareInstances), (i) => i.profileId);
  return (
    <div className="instance-groups">
      {byProfile.map((profile) => (
        <section key={profile.key} className="group group--profile" aria-label={`Profile ${profileNames[profile.key] ?? profile.key}`}>
          <h3 className="group__title">
            <Icon name="profile" size={15} /> {profileNames[profile.key] ?? profile.key}
          </h3>
          {groupBy(profile.items, (i) => i.region).map((region) => {
            const scope = scopes.find((s) => s.profileId === profile.key && s.region === region.key);
            return (
              <section key={region.key} className="group group--region" aria-label={`Region ${region.key}`}>
                <h4 className="group__title">
                  {region.key}
                  {scope?.state === 'failed' ? <span className="badge badge--failed">last scan failed</span> : null}
                </h4>
                {scope?.state === 'failed' && scope.error ? <ErrorNotice error={AppError.fromJSON(scope.error)} /> : null}
                {groupBy(region.items, (i) => i.vpcId ?? 'No VPC').map((vpc) => (
                  <VpcTable key={vpc.key} vpcId={vpc.key} instances={vpc.items} onConnect={onConnect} onSave={onSave} savedKeys={savedKeys} />
                ))}
              </section>
            );
          })}
        </section>
      ))}
    </div>
  );
}

function VpcTable({ vpcId, instances, onConnect, onSave, savedKeys }: { vpcId: string; instances: Instance[]; onConnect: (i: Instance) => void; onSave: (i: Instance) => void; savedKeys: ReadonlySet<string> }): ReactElement {
  const endpoints = instances[0]?.vpcEndpoints ?? [];
  const usable = endpoints.find((e) => e.usable);
  const pending = endpoints.find((e) => !e.usable);
  return (
    <div className="vpc-group">
      <p className="vpc-group__head">
        {instances[0]?.vpcName ? <strong className="vpc-group__name">{instances[0].vpcName}</strong> : null}
        <span className="mono">{vpcId}</span>
        {usable ? (
          <span className="vpc-group__endpoint vpc-group__endpoint--ok">
            <Icon name="endpoint" size={14} /> Endpoint <span className="mono">{usable.id}</span>
            {usable.availabilityZone ? ` in ${usable.availabilityZone}` : ''}
          </span>
        ) : pending ? (
          <span className="vpc-group__endpoint vpc-group__endpoint--warn">
            <Icon name="endpoint" size={14} /> Endpoint <span className="mono">{pending.id}</span> is {pending.state}
          </span>
        ) : vpcId !== 'No VPC' ? (
          <span className="vpc-group__endpoint vpc-group__endpoint--none">
            <Icon name="warning" size={14} /> No EC2 Instance Connect Endpoint
            {instances[0] ? (
              <button
                type="button"
                className="btn btn--small"
                data-testid="setup-endpoint-for-vpc"
                onClick={() => openEndpointSetup({ profileId: instances[0]?.profileId ?? '', region: instances[0]?.region ?? '', vpcId })}
              >
                Set up endpoint
              </button>
            ) : null}
          </span>
        ) : null}
      </p>
      <DataTable className="instance-table" columns={['Name', 'State', 'OS', 'Private IP', 'Public IPv4', 'EC2 Instance Connect', ACTIONS_COLUMN]}>
        {instances.map((i) => {
          const saved = savedKeys.has(`${i.profileId}/${i.region}/${i.instanceId}`);
          const name = i.name ?? i.instanceId;
          return (
            <HostRow key={i.instanceId} data-instance-id={i.instanceId} description={`${name}, ${i.state}, ${i.os.name}`} onConnect={() => onConnect(i)}>
              <th scope="row">
                <span className="instance-row__name">{i.name ?? <span className="muted">(no Name tag)</span>}</span>
                <span className="instance-row__id mono">{i.instanceId}</span>
              </th>
              <td>
                <span className={`badge ${STATE_CLASS[i.state]}`}>{i.state}</span>
              </td>
              <td>
                <span className="instance-row__os">{i.os.name}</span>
                <span className="instance-row__user">
                  <span className={`badge badge--platform badge--${i.platform}`}>{i.platform === 'windows' ? 'Windows' : 'Linux'}</span>{' '}
                  <span className="mono" title="The user this image creates">{i.os.defaultUser}</span>
                </span>
              </td>
              <td className="mono">{i.privateIpv4 ?? '—'}</td>
              <td>
                {i.publicIpv4 ? (
                  <>
                    <span className="mono">{i.publicIpv4}</span>
                    <span className="cost" title="Every public IPv4 address costs $0.005 an hour">
                      {formatUsd(i.publicIpv4MonthlyUsd)}/mo
                    </span>
                  </>
                ) : (
                  <span className="muted">none</span>
                )}
              </td>
              <td>
                <EicStatus instance={i} />
              </td>
              <RowActions label={`Actions for ${name}`}>
                <button type="button" className="btn btn--small" onClick={() => onConnect(i)} aria-label={i.platform === 'windows' ? `Launch RDP to ${name}` : `Connect to ${name}`}>
                  {i.platform === 'windows' ? 'Launch RDP' : 'Connect'}
                </button>
                <button type="button" className="btn btn--small" onClick={() => onSave(i)} aria-label={`Save ${name} as a host`} disabled={saved} title={saved ? 'Already saved' : 'Give it a label, a folder and how to sign in'}>
                  {saved ? 'Saved' : 'Save as host'}
                </button>
                <IconButton icon="pulse" label={`Diagnose ${name}`} title="Diagnose: check the path and explain what blocks it" onClick={() => diagnoseInstance(i)} />
              </RowActions>
            </HostRow>
          );
        })}
      </DataTable>
    </div>
  );
}

function compareInstances(a: Instance, b: Instance): number {
  return (
    a.profileId.localeCompare(b.profileId) ||
    a.region.localeCompare(b.region) ||
    (a.vpcId ?? '').localeCompare(b.vpcId ?? '') ||
    (a.name ?? a.instanceId).localeCompare(b.name ?? b.instanceId)
  );
}
