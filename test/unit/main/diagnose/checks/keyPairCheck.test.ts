import { describe, expect, it } from 'vitest';
import { keyPairCheck } from '../../../../../main/diagnose/checks/keyPairCheck';
import { facts, image, instance, keyPair, ok, OLD_AL2, windowsInstance } from '../factBuilders';

const run = (f = facts()) => keyPairCheck.evaluate(f, []);
const windows = { instance: ok(windowsInstance()), image: ok(image({ Name: 'Windows_Server-2022-English-Full-Base-2024.01.10' })) };

describe('check 8: key pair', () => {
  it('is not needed while EC2 Instance Connect works', () => {
    expect(run().status).toBe('skip');
  });

  it('fails for an old AMI whose key pair Bastionless does not have, offering to create one', () => {
    const v = run(facts({ image: ok(OLD_AL2) }));
    expect(v.status).toBe('fail');
    expect(v.summary).toBe('Bastionless does not have the private key of team-key.');
    expect(v.explanation).toContain('authorized_keys');
    expect(v.fixes[0]?.offer).toMatchObject({ kind: 'createKeyPair', keyPair: { type: 'ed25519', rsaOnly: false, name: 'bastionless-web-1' } });
  });

  it('does not claim the key is missing when the keychain could not be read', () => {
    const v = run(facts({ image: ok(OLD_AL2), appKeys: { keychainHasKeyPair: false, keychainError: { code: 'KEYCHAIN_UNAVAILABLE', message: 'No OS keychain is available.', hint: '', action: 'keychain' } } }));
    expect(v.summary).toBe('Pushed keys will not get in; sign in with team-key instead.');
    expect(v.explanation).toContain('could not be checked (No OS keychain is available.)');
    expect(v.evidence).toContainEqual({ label: 'Private key in Bastionless', value: 'unknown (KEYCHAIN_UNAVAILABLE)' });
  });

  it('offers to sign in with the key pair when the keychain has its private key', () => {
    const v = run(facts({ image: ok(OLD_AL2), appKeys: { keychainHasKeyPair: true } }));
    expect(v.summary).toBe('Sign in with team-key: Bastionless has its private key.');
    expect(v.fixes[0]?.action).toEqual({ kind: 'useKeyPair', hostId: 'h-0a1b2c3d4e5f6000', keychainAccount: 'keypair:config:dev:eu-west-1:team-key', keyName: 'team-key' });
  });

  it('fails when the instance has no key pair and pushed keys cannot get in', () => {
    expect(run(facts({ image: ok(OLD_AL2), instance: ok(instance({ KeyName: undefined })), keyPair: undefined })).summary).toBe('The instance has no key pair, and pushed keys will not get in.');
  });

  it('fails when the host’s key file cannot be read', () => {
    const f = facts({ appKeys: { keychainHasKeyPair: false, hostKey: { store: 'file', path: '/home/a/k.pem', readable: false, problem: 'The file /home/a/k.pem does not exist.' } } });
    const v = run({ ...f, subject: { ...f.subject, auth: { method: 'keyPair', key: { store: 'file', path: '/home/a/k.pem' } } } });
    expect(v.status).toBe('fail');
    expect(v.explanation).toContain('does not exist');
  });

  it('passes for Windows with an RSA key pair', () => {
    expect(run(facts({ ...windows, keyPair: ok(keyPair({ KeyName: 'win-key', KeyType: 'rsa' })) })).status).toBe('pass');
  });

  it('fails for Windows with an ED25519 key pair and offers an RSA one', () => {
    const v = run(facts({ ...windows, keyPair: ok(keyPair({ KeyName: 'win-key', KeyType: 'ed25519' })) }));
    expect(v.status).toBe('fail');
    expect(v.summary).toBe('win-key is an ED25519 key pair.');
    expect(v.fixes[0]?.offer.keyPair).toMatchObject({ type: 'rsa', rsaOnly: true });
  });

  it('fails for Windows launched without a key pair', () => {
    expect(run(facts({ ...windows, instance: ok(windowsInstance({ KeyName: undefined })), keyPair: undefined })).status).toBe('fail');
  });
});
