import { useEffect, useId, useMemo, useRef, useState, type ReactElement } from 'react';
import type { Host, Instance, Profile, RefreshInventoryInput } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { View } from '../../components/View';
import { useAction } from '../../hooks/useAction';
import { workspace } from '../../shell/workspaceStore';
import { useProfiles } from '../profiles/profilesStore';
import { connect, type ConnectTarget } from './connect';
import { CopySshConfigDialog } from './CopySshConfigDialog';
import './connectDefaults';
import { hostHaystack, instanceHaystack, matchesQuery } from './filter';
import { formatUsd, plural } from './format';
import { hostsStore, useHosts } from './hostsStore';
import { InstanceGroups } from './InstanceGroups';
import { inventoryStore, useInventory } from './inventoryStore';
import { instanceKey, SavedHosts } from './SavedHosts';
import { SaveHostDialog } from './SaveHostDialog';
import { ScanSettings, effectiveScope, loadScanScope } from './ScanSettings';
import { ScanStatus } from './ScanStatus';

/**
 * Saved hosts (by folder) and discovered instances (by profile > Region > VPC), with a filter,
 * state/platform badges, EC2 Instance Connect readiness, public IPv4 costs and what moving
 * them behind an endpoint saves. Double-click (or Enter) connects.
 */
export function HostsView(): ReactElement {
  const { profiles } = useProfiles();
  const { hosts, error: hostsError } = useHosts();
  const inventory = useInventory();
  const [query, setQuery] = useState('');
  const [scope, setScope] = useState<RefreshInventoryInput>(() => loadScanScope());
  const [saving, setSaving] = useState<{ instance?: Instance; host?: Host } | undefined>();
  const [removing, setRemoving] = useState<Host | undefined>();
  const [copyingConfig, setCopyingConfig] = useState<Host | undefined>();
  const [connectError, setConnectError] = useState<AppError | undefined>();
  const transfer = useAction();
  const [transferNote, setTransferNote] = useState<string | undefined>();
  const searchId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const autoScanned = useRef(false);

  const snapshot = inventory.snapshot;
  const instances = useMemo(() => snapshot?.instances ?? [], [snapshot]);
  const scopes = inventoryStore.scopes();
  const profileNames = useMemo(() => Object.fromEntries((profiles ?? []).map((p) => [p.id, p.name])), [profiles]);
  const byKey = useMemo(() => new Map(instances.map((i) => [instanceKey(i), i])), [instances]);
  const savedKeys = useMemo(() => new Set((hosts ?? []).map(instanceKey)), [hosts]);
  const folders = useMemo(() => [...new Set((hosts ?? []).map((h) => h.folder).filter(Boolean))].sort(), [hosts]);

  const scan = (): void => {
    void inventoryStore.scan(effectiveScope(scope, profiles ?? []));
  };

  // The first time there are profiles and no inventory at all, look for instances at once, with
  // the profiles that need no MFA code or sign-in: a dialog nobody asked for is not a welcome.
  useEffect(() => {
    if (autoScanned.current || !profiles || profiles.length === 0 || !snapshot || snapshot.runId || inventory.scanning) return;
    autoScanned.current = true;
    const chosen = effectiveScope(scope, profiles);
    const quiet = profiles.filter((p) => (chosen.profileIds ? chosen.profileIds.includes(p.id) : true) && needsNoPrompt(p, profiles)).map((p) => p.id);
    if (quiet.length > 0) void inventoryStore.scan({ ...chosen, profileIds: quiet });
  }, [profiles, snapshot, inventory.scanning, scope]);

  const doConnect = (target: ConnectTarget): void => {
    setConnectError(undefined);
    connect(target).catch((e: unknown) => setConnectError(toAppError(e)));
  };

  const filteredHosts = (hosts ?? []).filter((h) => matchesQuery(hostHaystack(h, byKey.get(instanceKey(h))), query));
  const filteredInstances = instances.filter((i) => matchesQuery(instanceHaystack(i), query));
  const totals = snapshot?.totals;
  const noProfiles = profiles !== undefined && profiles.length === 0;
  const nothingYet = (hosts?.length ?? 0) === 0 && instances.length === 0;

  const exportHosts = (): void => {
    setTransferNote(undefined);
    void transfer.run(async () => {
      const { json, count } = await getApi().hosts.export();
      const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `bastionless-hosts-${new Date().toISOString().slice(0, 10)}.json`;
      a.click();
      URL.revokeObjectURL(url);
      setTransferNote(`Exported ${plural(count, 'host')}.`);
    });
  };

  const importHosts = (file: File | undefined): void => {
    if (!file) return;
    setTransferNote(undefined);
    void transfer
      .run(async () => {
        const { added, replaced } = await getApi().hosts.import({ json: await file.text() });
        setTransferNote(`Imported ${plural(added, 'new host')}${replaced > 0 ? ` and updated ${replaced}` : ''}.`);
      })
      .finally(() => {
        if (fileInput.current) fileInput.current.value = '';
      });
  };

  if (noProfiles && nothingYet) {
    return (
      <View title="Hosts">
        <EmptyState
          icon="server"
          title="No hosts yet"
          actions={
            <button type="button" className="btn btn--primary" onClick={() => workspace.showView('profiles')}>
              Add an AWS profile
            </button>
          }
        >
          <ol className="steps">
            <li>
              <strong>Add an AWS profile</strong>: one from your <code>~/.aws</code> config, or keys kept in your OS keychain.
            </li>
            <li>
              <strong>Discover instances</strong>: Bastionless lists the EC2 instances in your Regions, with or without a public IP.
            </li>
            <li>
              <strong>Double-click one</strong> to open a terminal through its EC2 Instance Connect Endpoint, or RDP for Windows.
            </li>
          </ol>
        </EmptyState>
      </View>
    );
  }

  return (
    <View
      title="Hosts"
      className="view--wide hosts-view"
      header={
        <>
          {totals && totals.publicIpv4 > 0 ? (
            <span className="savings-chip" title={`${plural(totals.publicIpv4, 'instance')} with a public IPv4 address`} data-testid="savings">
              Save {formatUsd(totals.publicIpv4MonthlyUsd)}/month
            </span>
          ) : null}
          <div className="search">
            <Icon name="search" size={15} />
            <label htmlFor={searchId} className="visually-hidden">
              Filter hosts
            </label>
            <input id={searchId} type="search" placeholder="Filter by name, id, IP or tag" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" spellCheck={false} />
          </div>
          <button type="button" className="btn btn--primary" onClick={scan} disabled={inventory.scanning || noProfiles}>
            <Icon name="refresh" size={15} /> {inventory.scanning ? 'Scanning…' : 'Scan'}
          </button>
        </>
      }
    >
      {totals && totals.publicIpv4 > 0 ? (
        <p className="savings" data-testid="savings-detail">
          <Icon name="info" size={15} /> {plural(totals.publicIpv4, 'instance has', 'instances have')} a public IPv4 address, costing {formatUsd(totals.publicIpv4MonthlyUsd)} a month (
          {formatUsd(totals.publicIpv4MonthlyUsd * 12)} a year). Reach them through an EC2 Instance Connect Endpoint instead and release the addresses to save it.
        </p>
      ) : null}

      {profiles && profiles.length > 0 ? <ScanSettings profiles={profiles} scope={scope} onChange={setScope} /> : null}
      {inventory.error ? <ErrorNotice error={inventory.error} onRetry={scan} /> : null}
      <ScanStatus scopes={scopes} scanning={inventory.scanning} />
      {connectError ? <ErrorNotice error={connectError} /> : null}
      {hostsError ? <ErrorNotice error={hostsError} onRetry={() => void hostsStore.reload()} /> : null}

      <section className="hosts-section" aria-labelledby="saved-title">
        <div className="hosts-section__head">
          <h2 id="saved-title">Saved hosts</h2>
          <span className="muted">{hosts ? plural(hosts.length, 'host') : ''}</span>
          <span className="hosts-section__spacer" />
          <button type="button" className="btn btn--ghost btn--small" onClick={() => setSaving({})} disabled={!profiles || profiles.length === 0}>
            <Icon name="plus" size={14} /> Add host…
          </button>
          <button type="button" className="btn btn--ghost btn--small" onClick={() => fileInput.current?.click()} disabled={transfer.busy}>
            <Icon name="upload" size={14} /> Import…
          </button>
          <input ref={fileInput} type="file" accept=".json,application/json" hidden onChange={(e) => importHosts(e.target.files?.[0])} aria-label="Import hosts file" />
          <button type="button" className="btn btn--ghost btn--small" onClick={exportHosts} disabled={!hosts || hosts.length === 0 || transfer.busy}>
            <Icon name="download" size={14} /> Export
          </button>
        </div>
        {transfer.error ? <ErrorNotice error={transfer.error} /> : null}
        {transferNote ? (
          <p className="muted" role="status">
            {transferNote}
          </p>
        ) : null}
        {hosts && hosts.length === 0 ? <p className="muted hosts-section__empty">No saved hosts yet. Use “Save as host” on an instance below to give it a label, a folder and how to sign in.</p> : null}
        {hosts && hosts.length > 0 && filteredHosts.length === 0 ? <p className="muted hosts-section__empty">No saved host matches “{query}”.</p> : null}
        {filteredHosts.length > 0 ? (
          <SavedHosts
            hosts={filteredHosts}
            instances={byKey}
            profileNames={profileNames}
            onConnect={(host) => doConnect({ kind: 'host', host, instance: byKey.get(instanceKey(host)) })}
            onEdit={(host) => setSaving({ host, ...(byKey.get(instanceKey(host)) ? { instance: byKey.get(instanceKey(host)) } : {}) })}
            onRemove={setRemoving}
            onCopySshConfig={setCopyingConfig}
          />
        ) : null}
      </section>

      <section className="hosts-section" aria-labelledby="discovered-title">
        <div className="hosts-section__head">
          <h2 id="discovered-title">Discovered instances</h2>
          <span className="muted">
            {snapshot?.finishedAt ? `${plural(instances.length, 'instance')} · scanned ${new Date(snapshot.finishedAt).toLocaleString()}` : ''}
          </span>
        </div>
        {instances.length === 0 && !inventory.scanning && snapshot?.scopes.some((s) => s.state === 'done') ? (
          <EmptyState
            icon="server"
            title="No instances found"
            actions={
              <button type="button" className="btn" onClick={scan}>
                Scan again
              </button>
            }
          >
            <p>The scan found no EC2 instances for these profiles and Regions. Choose other profiles or Regions above, or launch an instance and scan again.</p>
          </EmptyState>
        ) : null}
        {instances.length === 0 && inventory.scanning ? <p className="muted hosts-section__empty">Looking for instances…</p> : null}
        {instances.length > 0 && filteredInstances.length === 0 ? <p className="muted hosts-section__empty">No instance matches “{query}”.</p> : null}
        {filteredInstances.length > 0 ? (
          <InstanceGroups
            instances={filteredInstances}
            scopes={scopes}
            profileNames={profileNames}
            savedKeys={savedKeys}
            onConnect={(instance) => doConnect({ kind: 'instance', instance })}
            onSave={(instance) => setSaving({ instance })}
          />
        ) : null}
      </section>

      {saving ? (
        <SaveHostDialog
          {...saving}
          folders={folders}
          onClose={() => setSaving(undefined)}
          onSaved={() => {
            setSaving(undefined);
            void hostsStore.reload();
          }}
        />
      ) : null}
      {removing ? <RemoveHostDialog host={removing} onClose={() => setRemoving(undefined)} /> : null}
      {copyingConfig ? <CopySshConfigDialog host={copyingConfig} onClose={() => setCopyingConfig(undefined)} /> : null}
    </View>
  );
}

/** Whether a profile's credentials come without asking the person (no MFA code, no sign-in). */
function needsNoPrompt(p: Profile, all: readonly Profile[], depth = 0): boolean {
  if (p.problems.length > 0 || depth > 8) return false;
  switch (p.kind) {
    case 'environment':
    case 'static':
    case 'credentialProcess':
      return true;
    case 'appManaged':
      return !p.mfaSerial || p.hasSessionToken;
    case 'sso':
    case 'ssoLegacy':
      return !!p.sso?.signedIn;
    case 'assumeRole': {
      if (p.mfaSerial) return false;
      if (!p.sourceProfile) return p.credentialSource === 'Environment';
      const source = all.find((x) => x.source === 'config' && x.name === p.sourceProfile);
      return !!source && (source.id === p.id ? true : needsNoPrompt(source, all, depth + 1));
    }
    default:
      return false;
  }
}

function RemoveHostDialog({ host, onClose }: { host: Host; onClose: () => void }): ReactElement {
  return (
    <ConfirmDialog
      title={`Remove “${host.label}”?`}
      description="The saved host and any key or password it kept in your OS keychain are deleted. The instance itself is not touched."
      confirmLabel="Remove host"
      cancelLabel="Keep it"
      tone="danger"
      onConfirm={async () => {
        await getApi().hosts.remove({ id: host.id });
        void hostsStore.reload();
      }}
      onClose={onClose}
    />
  );
}
