import { describe, expect, it } from 'vitest';
import { buildRdpFile, encodeRdpFile, rdpFileName } from '../../../../main/rdp/rdpFile';

describe('.rdp files', () => {
  it('hold the address, the user and the prompt setting, one CRLF line each', () => {
    const text = buildRdpFile({ address: '127.0.0.1', port: 50123, username: 'Administrator', credentialStaged: true });
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('full address:s:127.0.0.1:50123');
    expect(lines[1]).toBe('username:s:Administrator');
    expect(lines).toContain('prompt for credentials:i:0');
    expect(lines.at(-1)).toBe('');
    expect(lines.every((l) => l === '' || /^[a-z0-9 ]+:[sib]:/.test(l))).toBe(true);
    expect(buildRdpFile({ address: '127.0.0.1', port: 1, username: 'u', credentialStaged: false })).toContain('prompt for credentials:i:1');
  });

  it('refuses values that would inject another setting', () => {
    expect(() => buildRdpFile({ address: '127.0.0.1', port: 3389, username: 'a\r\nalternate shell:s:cmd', credentialStaged: false })).toThrow(/line break/);
    expect(() => buildRdpFile({ address: '127.0.0.1\n', port: 3389, username: 'a', credentialStaged: false })).toThrow(/line break/);
    expect(() => buildRdpFile({ address: '127.0.0.1', port: 70000, username: 'a', credentialStaged: false })).toThrow(/port/);
  });

  it('encodes UTF-16LE with a byte-order mark for mstsc, or UTF-8', () => {
    const utf16 = encodeRdpFile('username:s:Jürgen\r\n', 'utf16le');
    expect([...utf16.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(utf16.subarray(2).toString('utf16le')).toBe('username:s:Jürgen\r\n');
    expect(encodeRdpFile('x', 'utf8')).toEqual(Buffer.from('x'));
  });

  it('names the file after the host, safely', () => {
    expect(rdpFileName('Prod DC #1 (eu-west-1)')).toBe('Prod-DC-1-eu-west-1.rdp');
    expect(rdpFileName('../../etc/passwd')).toBe('etc-passwd.rdp');
    expect(rdpFileName('日本')).toBe('windows-host.rdp');
  });
});
