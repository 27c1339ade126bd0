import type { GuessedOs } from '../../../preload/contract';
import { evidence, verdict, type Check, type ProposedFix } from '../checkTypes';
import { amiUsersOf, instanceOf, osOf, osUserOf, platformOf } from '../derive';

const check = { id: 'os', title: 'EC2 Instance Connect on the instance' } as const;

/** The package's commands per OS (EICE.md "EC2 Instance Connect"): shown as they are typed. */
export function installCommandOf(os: GuessedOs): string | undefined {
  switch (os.family) {
    case 'amazonLinux2':
      return 'sudo yum install ec2-instance-connect';
    case 'amazonLinux2023':
    case 'rhel':
    case 'centos':
      return 'sudo dnf install ec2-instance-connect';
    case 'ubuntu':
      return 'sudo apt update && sudo apt install ec2-instance-connect';
    default:
      return undefined;
  }
}

/** How to see whether the package is in place. */
export function checkCommandsOf(os: GuessedOs): string[] {
  const sshd = 'sudo sshd -T | grep -i authorizedkeyscommand   # expect: /opt/aws/bin/eic_run_authorized_keys %u %f';
  return os.family === 'ubuntu' ? ['ls -l /lib/systemd/system/ssh.service.d/ec2-instance-connect.conf', sshd] : [sshd];
}

function commandsFix(os: GuessedOs, install: string | undefined): ProposedFix {
  const text = [
    ...(install ? ['# Install the ec2-instance-connect package (run on the instance):', install, ''] : []),
    '# Check that sshd asks EC2 Instance Connect for keys:',
    ...checkCommandsOf(os),
  ].join('\n');
  return {
    offer: {
      fixId: 'copy:eicPackage',
      kind: 'copy',
      label: install ? 'Copy the install commands' : 'Copy the check commands',
      preview: [install ? `Copies the commands that install the package on ${os.name} and check it.` : 'Copies the commands that show whether sshd uses EC2 Instance Connect.'],
      text,
      rerun: [],
    },
    action: { kind: 'copy', text },
  };
}

/**
 * Check 7: whether the AMI (name and date) comes with the ec2-instance-connect package, which is
 * what lets a pushed key in: Amazon Linux 2023, Amazon Linux 2 from 2.0.20190618, Ubuntu 20.04
 * and later. For older systems: how to install it, how to check, and the alternative (the
 * instance's key pair, check 8).
 */
export const osCheck: Check = {
  ...check,
  needs: ['instance'],
  evaluate(facts) {
    const raw = instanceOf(facts);
    if (!raw) return verdict(check, { status: 'skip', summary: 'Needs the instance.', explanation: 'The AMI is read from the instance.' });
    if (platformOf(facts) === 'windows') return verdict(check, { status: 'skip', summary: 'Not used for Windows.', explanation: 'Windows instances are reached over RDP with a password; EC2 Instance Connect keys are for SSH.' });
    const os = osOf(facts)!;
    const image = facts.image?.ok ? facts.image.value : undefined;
    const base = evidence(
      ['AMI', raw.ImageId],
      ['AMI name', image?.Name],
      ['AMI date', image?.CreationDate?.slice(0, 10)],
      ['Operating system', os.name],
      ['Package', os.eicPackage],
      ['Sign-in', facts.subject.auth.method === 'eic' ? 'EC2 Instance Connect (pushed key)' : facts.subject.auth.method === 'keyPair' ? 'key pair' : 'password'],
    );
    if (facts.image && !facts.image.ok) base.push({ label: 'AMI details', value: `not readable (${facts.image.error.code})` });
    if (facts.image?.ok && facts.image.value === null) base.push({ label: 'AMI details', value: 'not visible (deregistered, or private to another account)' });
    if (facts.subject.auth.method !== 'eic') {
      return verdict(check, { status: 'skip', summary: 'Not needed: this host signs in with a ' + (facts.subject.auth.method === 'keyPair' ? 'key pair.' : 'password.'), explanation: 'The package only matters for EC2 Instance Connect keys.', evidence: base });
    }
    const install = installCommandOf(os);
    const alternative = raw.KeyName
      ? `Or connect with the instance's key pair (${raw.KeyName}) instead: see the key pair check.`
      : 'The instance was launched without a key pair, so Session Manager or the EC2 serial console is the way in to install it.';
    // A refused key with a wrong user is the user's fault, not the package's (the OS user check says so).
    const user = osUserOf(facts);
    const userFits = !user || amiUsersOf(facts).length === 0 || amiUsersOf(facts).includes(user);
    const authFailed = facts.failure?.code === 'SSH_AUTH_FAILED' && (facts.failure.authMethod ?? 'eic') === 'eic' && userFits;
    switch (os.eicPackage) {
      case 'preinstalled':
        return verdict(check, {
          status: authFailed ? 'warn' : 'pass',
          summary: `${os.name} comes with the ec2-instance-connect package.`,
          explanation: authFailed
            ? `The AMI ships the package, yet the pushed key was refused. If the OS user is right (see "OS user"), someone may have removed the package or changed sshd's AuthorizedKeysCommand: check on the instance.\n\n${alternative}`
            : 'The AMI ships the package, so sshd accepts the keys Bastionless pushes (for 60 seconds each).',
          evidence: base,
          fixes: authFailed ? [commandsFix(os, undefined)] : [],
        });
      case 'installable':
        return verdict(check, {
          status: 'fail',
          summary: `${os.name} does not come with the ec2-instance-connect package.`,
          explanation: `This AMI is older than the images that ship it (Amazon Linux 2 2.0.20190618, Ubuntu 20.04), so sshd ignores the keys Bastionless pushes. Install it once on the instance (sign in with the key pair, Session Manager or the EC2 serial console):\n\n${install}\n\nThen check that sshd uses it (on Ubuntu, /lib/systemd/system/ssh.service.d/ec2-instance-connect.conf exists; elsewhere sshd's AuthorizedKeysCommand is /opt/aws/bin/eic_run_authorized_keys). It will not install if another AuthorizedKeysCommand is configured.\n\n${alternative}`,
          evidence: base,
          fixes: [commandsFix(os, install)],
        });
      case 'unavailable':
        return verdict(check, {
          status: 'fail',
          summary: `The ec2-instance-connect package is not available for ${os.name}.`,
          explanation: `Pushed keys cannot get into this system. ${alternative}`,
          evidence: base,
        });
      default:
        return verdict(check, {
          status: 'warn',
          summary: `Bastionless cannot tell whether ${os.name === 'Linux' ? 'this image' : os.name} has the ec2-instance-connect package.`,
          explanation: `It is a custom or unrecognised AMI. If pushed keys are refused, check on the instance:\n\n${checkCommandsOf(os).join('\n')}\n\n${alternative}`,
          evidence: base,
          fixes: [commandsFix(os, install)],
        });
    }
  },
};
