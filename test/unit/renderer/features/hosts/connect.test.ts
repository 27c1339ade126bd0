import { describe, expect, it } from 'vitest';
import { canConnect, connect, onConnectHandlersChanged, registerConnectHandler, type ConnectTarget } from '../../../../../renderer/src/features/hosts/connect';
import { aHost, anInstance } from './builders';

describe('the connect hook', () => {
  it('routes Linux and Windows targets to the handler registered for each, last one winning', async () => {
    const seen: string[] = [];
    let changes = 0;
    const off = onConnectHandlersChanged(() => (changes += 1));
    await expect(connect({ kind: 'instance', instance: anInstance() })).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('SSH sessions') });
    const unregisterFirst = registerConnectHandler('linux', () => void seen.push('first'));
    const unregisterSecond = registerConnectHandler('linux', (t: ConnectTarget) => void seen.push(`ssh ${t.kind}`));
    registerConnectHandler('windows', (t) => void seen.push(`rdp ${t.kind === 'host' ? t.host.label : t.instance.instanceId}`));
    expect(canConnect('linux')).toBe(true);
    await connect({ kind: 'instance', instance: anInstance() });
    await connect({ kind: 'host', host: aHost({ platform: 'windows', label: 'win' }) });
    expect(seen).toEqual(['ssh instance', 'rdp win']);
    // Unregistering a handler that was replaced leaves the newer one in place.
    unregisterFirst();
    expect(canConnect('linux')).toBe(true);
    unregisterSecond();
    expect(canConnect('linux')).toBe(false);
    expect(changes).toBe(5);
    off();
  });
});
