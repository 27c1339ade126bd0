import { keyPairAccount } from '../../rdp/rdpIo';
import { evidence, verdict, type Check, type ProposedFix } from '../checkTypes';
import { instanceOf, osOf, platformOf } from '../derive';
import type { DiagnosisFacts } from '../facts';

const check = { id: 'keyPair', title: 'Key pair' } as const;

/** A key pair name from the host's label: what AWS accepts, and recognisably Bastionless's. */
export function suggestedKeyPairName(facts: DiagnosisFacts): string {
  const base = facts.subject.label.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || facts.subject.instanceId;
  return `bastionless-${base}`;
}

function createFix(facts: DiagnosisFacts, windows: boolean): ProposedFix {
  const name = suggestedKeyPairName(facts);
  return {
    offer: {
      fixId: 'createKeyPair',
      kind: 'createKeyPair',
      label: windows ? 'Create an RSA key pair' : 'Create a key pair',
      preview: windows
        ? [
            `Create a new RSA key pair in ${facts.subject.region} (EC2 CreateKeyPair). Its private key is handed out once: Bastionless keeps it in your OS keychain or writes it to a file only you can read (0600), and never shows it.`,
            'This instance keeps its launch key pair: its password stays encrypted with that one. Use the new key pair when you launch Windows instances, so their passwords can be retrieved.',
          ]
        : [
            `Create a new key pair in ${facts.subject.region} (EC2 CreateKeyPair). Its private key is handed out once: Bastionless keeps it in your OS keychain or writes it to a file only you can read (0600), and never shows it.`,
            `An existing instance accepts it only once its public key is in ~/.ssh/authorized_keys of the OS user: add it there (over Session Manager or the serial console), or launch new instances with it.`,
          ],
      rerun: ['keyPair'],
      keyPair: { name, type: windows ? 'rsa' : 'ed25519', rsaOnly: windows, defaultPath: `~/.ssh/${name}.pem` },
    },
    action: { kind: 'createKeyPair', windows, profileId: facts.subject.profileId, region: facts.subject.region },
  };
}

function useFix(facts: DiagnosisFacts, keyName: string): ProposedFix[] {
  const hostId = facts.subject.hostId;
  if (!hostId) return [];
  const account = keyPairAccount(facts.subject.profileId, facts.subject.region, keyName);
  return [
    {
      offer: {
        fixId: `useKeyPair:${keyName}`,
        kind: 'useKeyPair',
        label: `Sign in with ${keyName}`,
        preview: [
          `Change the saved host "${facts.subject.label}" to sign in with the private key of ${keyName}, which your OS keychain already holds, instead of a pushed EC2 Instance Connect key.`,
          'The key is copied to the host’s own keychain entry; nothing changes in AWS or on the instance.',
        ],
        rerun: ['os', 'keyPair', 'failure'],
      },
      action: { kind: 'useKeyPair', hostId, keychainAccount: account, keyName },
    },
  ];
}

/**
 * Check 8: for Linux without the package (or a host that signs in with a key pair), whether the
 * instance has a key pair and whether Bastionless holds its private key; for Windows, whether
 * the launch key pair is RSA (ED25519 cannot decrypt the Administrator password).
 */
export const keyPairCheck: Check = {
  ...check,
  needs: ['instance', 'app'],
  evaluate(facts) {
    const raw = instanceOf(facts);
    if (!raw) return verdict(check, { status: 'skip', summary: 'Needs the instance.', explanation: 'The key pair is read from the instance.' });
    const windows = platformOf(facts) === 'windows';
    const keyName = raw.KeyName;
    const info = facts.keyPair?.ok ? facts.keyPair.value : undefined;
    const app = facts.appKeys;
    const hostKey = app?.hostKey;
    const known = !!app?.keychainHasKeyPair || !!hostKey?.readable;
    const base = evidence(
      ['Launch key pair', keyName ?? 'none'],
      ['Type', info?.KeyType],
      ['In EC2', keyName ? (facts.keyPair?.ok ? (info ? 'yes' : 'no longer (deleted; instances keep its public key)') : facts.keyPair ? `not readable (${facts.keyPair.error.code})` : undefined) : undefined],
      ['Private key in Bastionless', app ? (app.keychainHasKeyPair ? 'yes (OS keychain)' : hostKey ? `${hostKey.store === 'file' ? hostKey.path : 'host keychain entry'}${hostKey.readable ? '' : ` (${hostKey.problem ?? 'not readable'})`}` : app.keychainError ? `unknown (${app.keychainError.code})` : 'no') : undefined],
    );

    if (windows) {
      if (!keyName) {
        return verdict(check, {
          status: 'fail',
          summary: 'The instance was launched without a key pair.',
          explanation: 'Windows encrypts its Administrator password with the launch key pair; without one it cannot be retrieved. Sign in with a password you set on the instance (save it in the host), and launch future instances with an RSA key pair.',
          evidence: base,
          fixes: [createFix(facts, true)],
        });
      }
      if (info?.KeyType === 'ed25519') {
        return verdict(check, {
          status: 'fail',
          summary: `${keyName} is an ED25519 key pair.`,
          explanation: 'Windows needs an RSA launch key pair: the Administrator password is encrypted with RSA, and AWS cannot do that with ED25519. Retrieve no password for this instance; sign in with a password you set on it, and launch Windows instances with an RSA key pair from now on.',
          evidence: base,
          fixes: [createFix(facts, true)],
        });
      }
      return verdict(check, {
        status: info ? 'pass' : 'warn',
        summary: info ? `${keyName} is an RSA key pair${known ? ', and Bastionless has its private key' : ''}.` : `${keyName}'s type could not be checked.`,
        explanation: info
          ? known
            ? 'Bastionless can decrypt the Administrator password with it.'
            : 'It can decrypt the Administrator password: Bastionless asks for its private key (.pem) when you connect, and can keep it in your keychain.'
          : 'EC2 no longer lists this key pair (or it could not be read). If you still have its private key and it is RSA, the password can be decrypted.',
        evidence: base,
      });
    }

    const os = osOf(facts);
    const method = facts.subject.auth.method;
    if (method === 'keyPair') {
      if (hostKey && !hostKey.readable) {
        return verdict(check, {
          status: 'fail',
          summary: 'The host’s private key cannot be read.',
          explanation: `${hostKey.problem ?? 'It is missing.'} Edit the host and choose the key pair’s private key again.`,
          evidence: base,
        });
      }
      // Only a refusal of this very key counts (not one of an earlier EC2 Instance Connect attempt).
      const refused = facts.failure?.code === 'SSH_AUTH_FAILED' && facts.failure.authMethod === 'keyPair';
      return verdict(check, {
        status: refused ? 'warn' : 'pass',
        summary: 'The host signs in with its key pair’s private key.',
        explanation:
          refused
            ? `The instance refused it. Check that it is the private key of ${keyName ?? 'the key pair the instance was launched with'} (or one whose public key is in the user’s ~/.ssh/authorized_keys), and the OS user (see "OS user").`
            : 'Bastionless can read the key.',
        evidence: base,
      });
    }
    const packageMissing = os && os.eicPackage !== 'preinstalled';
    if (method === 'password' || !packageMissing) {
      return verdict(check, {
        status: 'skip',
        summary: method === 'password' ? 'Not used: this host signs in with a password.' : 'Not needed: EC2 Instance Connect pushes a fresh key.',
        explanation: keyName ? `The instance's key pair ${keyName} stays a fallback${known ? ' (Bastionless has its private key)' : ''}.` : 'The instance has no key pair; that is fine while EC2 Instance Connect works.',
        evidence: base,
      });
    }
    if (!keyName) {
      return verdict(check, {
        status: 'fail',
        summary: 'The instance has no key pair, and pushed keys will not get in.',
        explanation: `Without the ec2-instance-connect package (see "EC2 Instance Connect on the instance") only a key in ~/.ssh/authorized_keys gets in, and the instance was launched without a key pair. Install the package over Session Manager or the EC2 serial console, or create a key pair and add its public key to authorized_keys there.`,
        evidence: base,
        fixes: [createFix(facts, false)],
      });
    }
    if (known) {
      return verdict(check, {
        status: 'fail',
        summary: `Sign in with ${keyName}: Bastionless has its private key.`,
        explanation: `Pushed keys will not get in (see "EC2 Instance Connect on the instance"), but the instance still accepts its launch key pair ${keyName}, and its private key is in your OS keychain. Switch the host to it.`,
        evidence: base,
        fixes: useFix(facts, keyName),
      });
    }
    if (app?.keychainError) {
      return verdict(check, {
        status: 'fail',
        summary: `Pushed keys will not get in; sign in with ${keyName} instead.`,
        explanation: `Pushed keys will not get in (see "EC2 Instance Connect on the instance"), but the instance accepts its launch key pair ${keyName}. Whether your OS keychain holds its private key could not be checked (${app.keychainError.message}). If you have ${keyName}.pem, edit the host, choose "Key pair" and pick the file.`,
        evidence: base,
      });
    }
    return verdict(check, {
      status: 'fail',
      summary: `Bastionless does not have the private key of ${keyName}.`,
      explanation: `Pushed keys will not get in (see "EC2 Instance Connect on the instance"). The instance accepts its launch key pair ${keyName}: if you have its private key (${keyName}.pem), edit the host, choose "Key pair" and pick the file. If nobody has it, create a new key pair; the instance accepts it only once its public key is added to ~/.ssh/authorized_keys (over Session Manager or the serial console).`,
      evidence: base,
      fixes: [createFix(facts, false)],
    });
  },
};
