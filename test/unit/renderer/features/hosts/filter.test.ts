import { describe, expect, it } from 'vitest';
import { hostHaystack, instanceHaystack, matchesQuery } from '../../../../../renderer/src/features/hosts/filter';
import { aHost, anInstance } from './builders';

describe('the hosts filter', () => {
  const web = anInstance({ publicIpv4: '54.1.2.3', ipv6: ['2600:1f18::1'], tags: { Name: 'web-1', team: 'Payments' } });

  it.each([
    ['', true],
    ['web', true],
    ['WEB-1', true],
    ['i-0a1b2c3d4e5f60001', true],
    ['10.0.1', true],
    ['54.1.2.3', true],
    ['2600:1f18', true],
    ['payments', true],
    ['team=payments', true],
    ['prod-vpc', true],
    ['amazon linux', true],
    ['web payments', true],
    ['web nomatch', false],
    ['10.9.9', false],
  ])('"%s" matches: %s', (query, expected) => {
    expect(matchesQuery(instanceHaystack(web), query)).toBe(expected);
  });

  it('matches a saved host on its label, folder and tags, and on its instance when known', () => {
    const host = aHost({ label: 'billing api', folder: 'prod/billing', tags: ['pci'] });
    expect(matchesQuery(hostHaystack(host, undefined), 'billing')).toBe(true);
    expect(matchesQuery(hostHaystack(host, undefined), 'pci')).toBe(true);
    expect(matchesQuery(hostHaystack(host, undefined), '10.0.1.10')).toBe(false);
    expect(matchesQuery(hostHaystack(host, anInstance()), '10.0.1.10')).toBe(true);
  });
});
