import type { GuessedOs } from '../../../preload/contract/inventory';

/** What is known about an instance's image: from DescribeImages and the instance itself. */
export interface ImageFacts {
  amiName?: string | undefined;
  amiDescription?: string | undefined;
  /** ISO creation date of the AMI. */
  amiCreationDate?: string | undefined;
  /** The instance's `Platform` (`windows` or nothing). */
  platform?: string | undefined;
  /** EC2's `PlatformDetails` ("Linux/UNIX", "Red Hat Enterprise Linux", "Windows", "Ubuntu Pro"). */
  platformDetails?: string | undefined;
}

const UBUNTU_CODENAMES: Record<string, string> = {
  xenial: '16.04',
  bionic: '18.04',
  focal: '20.04',
  jammy: '22.04',
  noble: '24.04',
  oracular: '24.10',
  plucky: '25.04',
  questing: '25.10',
};

const YUM = 'sudo yum install -y ec2-instance-connect';
const DNF = 'sudo dnf install -y ec2-instance-connect';
const APT = 'sudo apt update && sudo apt install -y ec2-instance-connect';

/** Amazon Linux 2 AMIs from 2.0.20190618 on carry the ec2-instance-connect package (EICE.md). */
const AL2_PACKAGE_SINCE = '20190618';

/**
 * Guesses the OS of an instance from its AMI's name and description (the naming schemes of
 * Amazon, Canonical, Debian, Red Hat, SUSE, Microsoft...), falling back to EC2's platform
 * details. Returns the AMI's default user and whether the ec2-instance-connect package is
 * expected: preinstalled (AL2023 standard, AL2 >= 2.0.20190618, Ubuntu >= 20.04), installable
 * (older AL2, AL2023 minimal, RHEL/CentOS Stream 8-9, Ubuntu 16.04/18.04), or not available.
 */
export function guessOs(facts: ImageFacts): GuessedOs {
  const name = facts.amiName ?? '';
  const text = `${name} ${facts.amiDescription ?? ''}`;
  const details = facts.platformDetails ?? '';
  const ami = (partial: Omit<GuessedOs, 'basis'>): GuessedOs => ({ ...partial, basis: 'ami' });

  if ((facts.platform ?? '').toLowerCase() === 'windows' || /^windows/i.test(details) || /windows/i.test(name)) {
    const version = /Windows[_ ]Server[-_ ](\d{4}(?:[-_ ]R2)?)/i.exec(text)?.[1]?.replace(/[-_]/g, ' ');
    return {
      family: 'windows',
      name: version ? `Windows Server ${version}` : 'Windows',
      ...(version ? { version } : {}),
      defaultUser: 'Administrator',
      eicPackage: 'unavailable',
      basis: version ? 'ami' : 'platform',
    };
  }
  if (/bitnami/i.test(text)) {
    return ami({ family: 'bitnami', name: 'Bitnami', defaultUser: 'bitnami', eicPackage: 'unknown' });
  }
  if (/al2023-ami|amazon linux 2023/i.test(text)) {
    const minimal = /al2023-ami-minimal|minimal/i.test(name);
    return ami({
      family: 'amazonLinux2023',
      name: minimal ? 'Amazon Linux 2023 (minimal)' : 'Amazon Linux 2023',
      version: '2023',
      defaultUser: 'ec2-user',
      eicPackage: minimal ? 'installable' : 'preinstalled',
      ...(minimal ? { installCommand: DNF } : {}),
    });
  }
  const al2 = /amzn2-ami-.*?\b2\.0\.(\d{8})/i.exec(name);
  if (al2 || /amzn2-ami|amazon linux 2\b/i.test(text)) {
    const build = al2?.[1];
    const preinstalled = build ? build >= AL2_PACKAGE_SINCE : facts.amiCreationDate ? facts.amiCreationDate.slice(0, 10).replace(/-/g, '') >= AL2_PACKAGE_SINCE : undefined;
    return ami({
      family: 'amazonLinux2',
      name: build ? `Amazon Linux 2 (2.0.${build})` : 'Amazon Linux 2',
      version: '2',
      defaultUser: 'ec2-user',
      eicPackage: preinstalled === undefined ? 'unknown' : preinstalled ? 'preinstalled' : 'installable',
      ...(preinstalled === false || preinstalled === undefined ? { installCommand: YUM } : {}),
    });
  }
  if (/amzn-ami|amazon linux ami/i.test(text)) {
    return ami({ family: 'amazonLinux1', name: 'Amazon Linux (2018.03 or older)', defaultUser: 'ec2-user', eicPackage: 'unavailable' });
  }
  const ubuntu = /ubuntu[^\d]*?(\d{2}\.\d{2})/i.exec(text) ?? null;
  const codename = /ubuntu[-/](?:[a-z-]*?-)?(xenial|bionic|focal|jammy|noble|oracular|plucky|questing)/i.exec(text)?.[1]?.toLowerCase();
  if (ubuntu || codename || /ubuntu/i.test(text) || /ubuntu/i.test(details)) {
    const version = ubuntu?.[1] ?? (codename ? UBUNTU_CODENAMES[codename] : undefined);
    const major = version ? Number(version.split('.')[0]) : undefined;
    const eicPackage = major === undefined ? 'unknown' : major >= 20 ? 'preinstalled' : major >= 16 ? 'installable' : 'unavailable';
    return {
      family: 'ubuntu',
      name: version ? `Ubuntu ${version}` : 'Ubuntu',
      ...(version ? { version } : {}),
      defaultUser: 'ubuntu',
      eicPackage,
      ...(eicPackage === 'installable' || eicPackage === 'unknown' ? { installCommand: APT } : {}),
      basis: ubuntu || codename || /ubuntu/i.test(text) ? 'ami' : 'platform',
    };
  }
  const debian = /debian[-_ ]?(\d{1,2})/i.exec(text);
  if (debian || /debian/i.test(text)) {
    return ami({ family: 'debian', name: debian ? `Debian ${debian[1]}` : 'Debian', ...(debian?.[1] ? { version: debian[1] } : {}), defaultUser: 'admin', eicPackage: 'unavailable' });
  }
  const rhel = /\bRHEL[-_ ]?(\d+)(?:\.(\d+))?/i.exec(text) ?? /red hat enterprise linux[^\d]*(\d+)/i.exec(text);
  if (rhel || /red hat/i.test(details)) {
    const major = rhel?.[1] ? Number(rhel[1]) : undefined;
    const installable = major === undefined || (major >= 8 && major <= 9);
    return {
      family: 'rhel',
      name: major ? `Red Hat Enterprise Linux ${major}` : 'Red Hat Enterprise Linux',
      ...(major ? { version: String(major) } : {}),
      defaultUser: 'ec2-user',
      eicPackage: major === undefined ? 'unknown' : installable ? 'installable' : 'unavailable',
      ...(installable ? { installCommand: DNF } : {}),
      basis: rhel ? 'ami' : 'platform',
    };
  }
  const stream = /centos[- ]stream[- ]?(\d+)/i.exec(text);
  if (stream) {
    const major = Number(stream[1]);
    const installable = major >= 8 && major <= 9;
    return ami({
      family: 'centos',
      name: `CentOS Stream ${major}`,
      version: String(major),
      defaultUser: 'ec2-user',
      eicPackage: installable ? 'installable' : 'unknown',
      ...(installable ? { installCommand: DNF } : {}),
    });
  }
  const centos = /centos[-_ ]?(\d+)/i.exec(text);
  if (centos || /centos/i.test(text)) {
    return ami({ family: 'centos', name: centos ? `CentOS ${centos[1]}` : 'CentOS', ...(centos?.[1] ? { version: centos[1] } : {}), defaultUser: 'centos', eicPackage: 'unavailable' });
  }
  const fedora = /fedora[^\d]*(\d+)/i.exec(text);
  if (fedora || /fedora/i.test(text)) {
    return ami({ family: 'fedora', name: fedora ? `Fedora ${fedora[1]}` : 'Fedora', ...(fedora?.[1] ? { version: fedora[1] } : {}), defaultUser: 'fedora', eicPackage: 'unavailable' });
  }
  if (/suse|sles/i.test(text) || /suse/i.test(details)) {
    const version = /sles[-_ ]?(\d+)(?:[-_ ]?sp(\d))?/i.exec(text);
    return {
      family: 'suse',
      name: version ? `SUSE Linux Enterprise ${version[1]}${version[2] ? ` SP${version[2]}` : ''}` : 'SUSE Linux Enterprise',
      ...(version?.[1] ? { version: version[1] } : {}),
      defaultUser: 'ec2-user',
      eicPackage: 'unavailable',
      basis: /suse|sles/i.test(text) ? 'ami' : 'platform',
    };
  }
  if (/\bOL\d|oracle linux/i.test(text)) {
    const version = /(?:\bOL|oracle linux[^\d]*)(\d+)/i.exec(text)?.[1];
    return ami({ family: 'oracle', name: version ? `Oracle Linux ${version}` : 'Oracle Linux', ...(version ? { version } : {}), defaultUser: 'ec2-user', eicPackage: 'unavailable' });
  }
  if (/rocky/i.test(text)) {
    const version = /rocky[^\d]*(\d+)/i.exec(text)?.[1];
    return ami({ family: 'rocky', name: version ? `Rocky Linux ${version}` : 'Rocky Linux', ...(version ? { version } : {}), defaultUser: 'rocky', eicPackage: 'unavailable' });
  }
  if (/alma/i.test(text)) {
    const version = /alma[a-z]*[^\d]*(\d+)/i.exec(text)?.[1];
    return ami({ family: 'alma', name: version ? `AlmaLinux ${version}` : 'AlmaLinux', ...(version ? { version } : {}), defaultUser: 'ec2-user', eicPackage: 'unavailable' });
  }
  return {
    family: 'linux',
    name: details && details !== 'Linux/UNIX' ? details : 'Linux',
    defaultUser: 'ec2-user',
    eicPackage: 'unknown',
    basis: name ? 'ami' : details ? 'platform' : 'none',
  };
}
