// @vitest-environment jsdom
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { registerConnectHandler, type ConnectTarget } from '../../../../../renderer/src/features/hosts/connect';
import { hostsStore } from '../../../../../renderer/src/features/hosts/hostsStore';
import { HostsView } from '../../../../../renderer/src/features/hosts/HostsView';
import { inventoryStore } from '../../../../../renderer/src/features/hosts/inventoryStore';
import { profilesStore } from '../../../../../renderer/src/features/profiles/profilesStore';
import { failure } from '../../../../support/fakeMain';
import { button, field, renderWithMain, settle, typeInto } from '../../../../support/renderWithMain';
import { aHost, anInstance, aProfile, aSnapshot } from './builders';

const ui = renderWithMain();
const { main } = ui;

const web1 = anInstance();
const jump = anInstance({ instanceId: 'i-0a1b2c3d4e5f60003', name: 'jump-host', publicIpv4: '54.210.12.34', publicIpv4MonthlyUsd: 3.65, tags: { Name: 'jump-host', role: 'bastion' }, privateIpv4: '10.0.101.15' });
const data = anInstance({ instanceId: 'i-0a1b2c3d4e5f60008', name: 'analytics', vpcId: 'vpc-0bbb', vpcName: 'data-vpc', vpcEndpoints: [], eic: { ready: false, blockers: [{ code: 'noEndpoint', message: 'No EC2 Instance Connect Endpoint in vpc-0bbb.', hint: 'Create one.', blocking: true }] } });
const eu = anInstance({ instanceId: 'i-0e1f2a3b4c5d60009', name: 'eu-api', region: 'eu-west-1', vpcId: 'vpc-0eee', vpcName: 'eu-default', privateIpv4: '172.31.20.9' });

function serve(snapshot = aSnapshot([web1, jump, data, eu])): void {
  main.handlers.set('profiles:list', () => [aProfile()]);
  main.handlers.set('profiles:sources', () => ({ configFile: '/home/me/.aws/config', credentialsFile: '/home/me/.aws/credentials', warnings: [] }));
  main.handlers.set('hosts:list', () => [aHost({ label: 'billing', folder: 'prod/billing', instanceId: 'i-0a1b2c3d4e5f60001' })]);
  main.handlers.set('hosts:status', () => ({ file: '/data/hosts.json' }));
  main.handlers.set('inventory:last', () => snapshot);
  main.handlers.set('inventory:refresh', () => snapshot);
}

async function render(): Promise<void> {
  await act(async () => {
    await Promise.all([profilesStore.reload(), hostsStore.reload(), inventoryStore.reload()]);
    ui.root.render(<HostsView />);
  });
  // Let the stores' first loads land.
  await act(async () => {
    await Promise.all([profilesStore.reload(), hostsStore.reload(), inventoryStore.reload()]);
  });
}

const rows = (): HTMLTableRowElement[] => [...ui.container.querySelectorAll<HTMLTableRowElement>('tr[data-instance-id]')];
const sectionNames = (): string[] => [...ui.container.querySelectorAll('section[aria-label]')].map((s) => s.getAttribute('aria-label') ?? '');

beforeEach(() => serve());

describe('the Hosts view', () => {
  it('groups discovered instances by profile, Region and VPC, with the endpoint and readiness', async () => {
    await render();
    expect(sectionNames()).toEqual(expect.arrayContaining(['Folder prod/billing', 'Profile Environment', 'Region eu-west-1', 'Region us-east-1']));
    const heads = [...ui.container.querySelectorAll('.vpc-group__head')].map((h) => h.textContent);
    expect(heads.some((h) => h?.includes('prod-vpc') && h.includes('eice-0aaa'))).toBe(true);
    expect(heads.some((h) => h?.includes('data-vpc') && h.includes('No EC2 Instance Connect Endpoint'))).toBe(true);
    expect(rows().find((r) => r.dataset['instanceId'] === web1.instanceId)?.textContent).toContain('EIC-ready');
    expect(rows().find((r) => r.dataset['instanceId'] === data.instanceId)?.textContent).toContain('No endpoint in its VPC');
    expect(rows().find((r) => r.dataset['instanceId'] === jump.instanceId)?.textContent).toContain('$3.65/mo');
    expect(ui.container.querySelector('[data-testid="savings"]')?.textContent).toBe('Save $3.65/month');
  });

  it('filters as you type, by name, IP and tag', async () => {
    await render();
    const search = ui.container.querySelector<HTMLInputElement>('input[type="search"]')!;
    await typeInto(search, 'jump');
    expect(rows().map((r) => r.dataset['instanceId'])).toEqual([jump.instanceId]);
    await typeInto(search, '172.31');
    expect(rows().map((r) => r.dataset['instanceId'])).toEqual([eu.instanceId]);
    await typeInto(search, 'role=bastion');
    expect(rows().map((r) => r.dataset['instanceId'])).toEqual([jump.instanceId]);
    await typeInto(search, 'zzz');
    expect(rows()).toEqual([]);
    expect(ui.container.textContent).toContain('No instance matches “zzz”.');
    expect(ui.container.textContent).toContain('No saved host matches “zzz”.');
  });

  it('connects on double-click and on Enter, through the registered handler', async () => {
    const targets: ConnectTarget[] = [];
    const off = registerConnectHandler('linux', (t) => void targets.push(t));
    await render();
    const row = rows().find((r) => r.dataset['instanceId'] === web1.instanceId)!;
    await act(async () => row.dispatchEvent(new MouseEvent('dblclick', { bubbles: true })));
    await act(async () => row.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
    const saved = ui.container.querySelector<HTMLTableRowElement>('tr[data-host-id]')!;
    await act(async () => saved.dispatchEvent(new MouseEvent('dblclick', { bubbles: true })));
    expect(targets.map((t) => (t.kind === 'host' ? `host ${t.host.label}` : `instance ${t.instance.instanceId}`))).toEqual([
      `instance ${web1.instanceId}`,
      `instance ${web1.instanceId}`,
      'host billing',
    ]);
    // The saved host comes with its instance's facts.
    expect(targets[2]).toMatchObject({ kind: 'host', instance: { instanceId: web1.instanceId } });
    off();
  });

  it('shows a failed Region with its message and hint', async () => {
    const snapshot = aSnapshot([web1]);
    snapshot.scopes.push({
      profileId: 'env',
      profileName: 'Environment',
      region: 'af-south-1',
      state: 'failed',
      instanceCount: 0,
      endpointCount: 0,
      error: { ...failure('AWS_REGION_DISABLED', 'Could not list instances in af-south-1: the Region is not enabled.', 'Enable the Region in the AWS console.'), requestId: 'req-1' },
    });
    serve(snapshot);
    await render();
    const alert = ui.container.querySelector('.scan-status__error [role="alert"]')!;
    expect(alert.getAttribute('data-code')).toBe('AWS_REGION_DISABLED');
    expect(alert.textContent).toContain('not enabled');
    expect(alert.textContent).toContain('Enable the Region in the AWS console.');
    expect(ui.container.querySelector('.scope--failed')?.textContent).toContain('af-south-1');
  });

  it('saves a discovered instance as a host with what the dialog says', async () => {
    main.handlers.set('hosts:save', (input) => ({ ...aHost(), ...(input as object), id: 'h-0000000000000009' }));
    await render();
    const save = button('Save jump-host as a host', ui.container);
    await act(async () => save.click());
    const dialog = ui.container.querySelector('dialog')!;
    expect(dialog.querySelector<HTMLInputElement>('input[type="text"]')!.value).toBe('jump-host');
    const labelled = (text: RegExp): HTMLInputElement => field(text, dialog);
    await typeInto(labelled(/^Folder/), 'prod/edge');
    await typeInto(labelled(/^Tags/), 'edge, public');
    expect(labelled(/^OS user/).value).toBe('ec2-user');
    await act(async () => dialog.querySelector('form')!.requestSubmit());
    expect(main.callsTo('hosts:save')).toEqual([
      {
        label: 'jump-host',
        folder: 'prod/edge',
        tags: ['edge', 'public'],
        profileId: 'env',
        region: 'us-east-1',
        instanceId: jump.instanceId,
        platform: 'linux',
        osUser: 'ec2-user',
        port: 22,
        auth: { method: 'eic' },
        autoReconnect: false,
      },
    ]);
    expect(ui.container.querySelector('dialog')).toBeNull();
  });

  it('shows the designed empty state when there is no profile and nothing saved', async () => {
    main.handlers.set('profiles:list', () => []);
    main.handlers.set('hosts:list', () => []);
    main.handlers.set('inventory:last', () => ({ running: false, scopes: [], instances: [], totals: { instances: 0, publicIpv4: 0, publicIpv4MonthlyUsd: 0 } }));
    await render();
    expect(ui.container.querySelector('h2')?.textContent).toBe('No hosts yet');
    expect([...ui.container.querySelectorAll('button')].map((b) => b.textContent)).toContain('Add an AWS profile');
  });

  it('keeps a row\'s actions in one labelled group: the main one in words, the others as named icons', async () => {
    main.handlers.set('hosts:list', () => [aHost({ label: 'billing', instanceId: 'i-0a1b2c3d4e5f60001' }), aHost({ id: 'h-0000000000000002' as never, label: 'win-box', platform: 'windows', osUser: 'Administrator', port: 3389, auth: { method: 'password' } })]);
    await render();
    const names = (group: Element | null): string[] => [...(group?.querySelectorAll('button') ?? [])].map((b) => b.getAttribute('aria-label') ?? '');
    expect(names(ui.container.querySelector('[role="group"][aria-label="Actions for billing"]'))).toEqual(['Connect to billing', 'Edit billing', 'Copy SSH config for billing', 'Diagnose billing', 'Remove billing']);
    // OpenSSH does not reach Windows: no SSH config for it.
    expect(names(ui.container.querySelector('[role="group"][aria-label="Actions for win-box"]'))).toEqual(['Launch RDP to win-box', 'Edit win-box', 'Diagnose win-box', 'Remove win-box']);
    expect(names(ui.container.querySelector('[role="group"][aria-label="Actions for jump-host"]'))).toEqual(['Connect to jump-host', 'Save jump-host as a host', 'Diagnose jump-host']);
    for (const icon of ui.container.querySelectorAll('.row-actions .icon-btn')) expect(icon.getAttribute('title')).toBeTruthy();
  });

  it('copies a saved host\'s SSH config with the chosen key, and says what to type', async () => {
    const clipboard: string[] = [];
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (text: string) => void clipboard.push(text) } });
    const block = 'Host billing\n  HostName i-0a1b2c3d4e5f60001\n  IdentityFile ~/.ssh/id_work\n';
    main.handlers.set('sessions:sshConfig', () => ({ alias: 'billing', text: block }));
    await render();
    await act(async () => button('Copy SSH config for billing').click());
    const dialog = ui.container.querySelector('dialog')!;
    expect(dialog.querySelector('h2')?.textContent).toBe('Copy SSH config for “billing”');
    await typeInto(field(/^Your private key/, dialog), ' ~/.ssh/id_work ');
    await act(async () => dialog.querySelector('form')!.requestSubmit());
    await settle();
    expect(main.callsTo('sessions:sshConfig')).toEqual([{ hostId: 'h-0000000000000001', identityFile: '~/.ssh/id_work' }]);
    expect(clipboard).toEqual([block]);
    expect(dialog.querySelector('[role="status"]')?.textContent).toBe('Copied. Add it to ~/.ssh/config, then run ssh billing.');
    expect(dialog.querySelector('pre')?.textContent).toBe(block);
    await act(async () => button('Done', dialog).click());
    expect(ui.container.querySelector('dialog')).toBeNull();
  });

  it('asks for no key when OpenSSH logs in with a password, and shows a refusal with its hint', async () => {
    main.handlers.set('hosts:list', () => [aHost({ label: 'billing', auth: { method: 'password' } })]);
    main.handlers.set('sessions:sshConfig', () => {
      throw failure('NOT_FOUND', 'That saved host no longer exists.', 'Reload the list.');
    });
    await render();
    await act(async () => button('Copy SSH config for billing').click());
    const dialog = ui.container.querySelector('dialog')!;
    expect(dialog.querySelector('input')).toBeNull();
    expect(dialog.textContent).toContain('It logs in with a password: OpenSSH asks for it.');
    await act(async () => dialog.querySelector('form')!.requestSubmit());
    await settle();
    expect(main.callsTo('sessions:sshConfig')).toEqual([{ hostId: 'h-0000000000000001' }]);
    expect(dialog.querySelector('[role="alert"]')?.textContent).toContain('Reload the list.');
  });
});
