import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { hostKeyIdentity } from '../../../../main/ssh/hostKeyFingerprint';
import { requireBinary } from '../../../support/requireBinary';
import { ed25519KeyPair } from '../../../support/sshKeys';

describe('hostKeyIdentity', () => {
  it.each(['ed25519', 'ecdsa', 'rsa'] as const)('matches ssh-keygen -l for a %s key', (type) => {
    const keygen = requireBinary('ssh-keygen');
    const dir = mkdtempSync(join(tmpdir(), 'bl-fp-'));
    execFileSync(keygen, ['-q', '-t', type, '-N', '', '-f', join(dir, 'k')]);
    const line = readFileSync(join(dir, 'k.pub'), 'utf8');
    const expected = execFileSync(keygen, ['-l', '-E', 'sha256', '-f', join(dir, 'k.pub')], { encoding: 'utf8' }).split(' ')[1];
    const blob = Buffer.from(line.split(' ')[1]!, 'base64');
    const id = hostKeyIdentity(blob);
    expect(id.fingerprint).toBe(expected);
    expect(id.algorithm).toBe(line.split(' ')[0]);
  });

  it('names the type from the blob even when ssh2 cannot parse the key', () => {
    const name = Buffer.from('ssh-future');
    const blob = Buffer.concat([Buffer.from([0, 0, 0, name.length]), name, Buffer.from([0, 0, 0, 1, 7])]);
    expect(hostKeyIdentity(blob).algorithm).toBe('ssh-future');
    expect(hostKeyIdentity(Buffer.from([1])).algorithm).toBe('unknown');
  });

  it('gives the same fingerprint ssh2 sees for a generated key', () => {
    const pair = ed25519KeyPair();
    const parsed = utils.parseKey(pair.public);
    if (parsed instanceof Error || Array.isArray(parsed)) throw new Error('unexpected');
    expect(hostKeyIdentity(parsed.getPublicSSH()).fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
