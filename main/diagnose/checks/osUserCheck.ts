import { evidence, verdict, type Check, type ProposedFix } from '../checkTypes';
import { amiUsersOf, instanceOf, osOf, platformOf } from '../derive';

const check = { id: 'osUser', title: 'OS user' } as const;

/**
 * Check 9: the user the host signs in as, against the user the AMI creates (ec2-user, ubuntu,
 * admin, centos, bitnami...). A user that does not exist on the instance refuses every key.
 */
export const osUserCheck: Check = {
  ...check,
  needs: ['instance', 'app'],
  evaluate(facts) {
    const raw = instanceOf(facts);
    if (!raw) return verdict(check, { status: 'skip', summary: 'Needs the instance.', explanation: 'The default user comes from the instance’s AMI.' });
    const os = osOf(facts)!;
    const configured = facts.subject.osUser ?? facts.failure?.osUser;
    if (platformOf(facts) === 'windows') {
      return verdict(check, {
        status: 'skip',
        summary: `RDP signs in as ${configured ?? 'Administrator'}.`,
        explanation: 'The retrieved password is the Administrator’s; another Windows user needs its own password.',
        evidence: evidence(['User', configured ?? 'Administrator']),
      });
    }
    const base = evidence(['Configured user', configured ?? `none (the AMI's default, ${os.defaultUser})`], ['AMI default user', os.basis === 'none' ? undefined : os.defaultUser], ['Operating system', os.name]);
    if (!configured) {
      return verdict(check, { status: 'pass', summary: `Signs in as ${os.defaultUser}, the AMI's default.`, explanation: 'A discovered instance is reached with the user its AMI creates.', evidence: base });
    }
    const accepted = amiUsersOf(facts);
    if (accepted.length === 0) {
      return verdict(check, {
        status: 'pass',
        summary: `Signs in as ${configured}.`,
        explanation: 'The AMI does not say which user it creates, so Bastionless cannot compare. Common ones: ec2-user (Amazon Linux, RHEL, SUSE), ubuntu, admin (Debian), centos, bitnami.',
        evidence: base,
      });
    }
    if (accepted.includes(configured)) {
      return verdict(check, { status: 'pass', summary: `${configured} is the user ${os.name} creates.`, explanation: 'The host signs in with the AMI’s default user.', evidence: base });
    }
    const authFailed = facts.failure?.code === 'SSH_AUTH_FAILED';
    const hostId = facts.subject.hostId;
    const fixes: ProposedFix[] = hostId
      ? [
          {
            offer: {
              fixId: `updateHost:osUser:${os.defaultUser}`,
              kind: 'updateHost',
              label: `Sign in as ${os.defaultUser}`,
              preview: [`Change the OS user of the saved host "${facts.subject.label}" from ${configured} to ${os.defaultUser}.`, 'Nothing changes in AWS or on the instance.'],
              rerun: ['osUser', 'permissions', 'failure'],
            },
            action: { kind: 'updateHost', hostId, patch: { osUser: os.defaultUser } },
          },
        ]
      : [];
    return verdict(check, {
      status: authFailed ? 'fail' : 'warn',
      summary: `The host signs in as ${configured}; ${os.name} creates ${os.defaultUser}.`,
      explanation:
        (configured === 'root'
          ? 'AMIs do not allow root to sign in over SSH. '
          : `Unless someone created ${configured} on the instance, it does not exist there, and sshd refuses every key for a user it does not know. `) + `Sign in as ${os.defaultUser} (and use sudo).`,
      evidence: base,
      fixes,
    });
  },
};
