import { describe, expect, it } from 'vitest';
import { guessOs } from '../../../../main/aws/inventory/osGuess';

describe('guessOs', () => {
  it.each([
    ['al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64', 'amazonLinux2023', 'Amazon Linux 2023', 'ec2-user', 'preinstalled'],
    ['al2023-ami-minimal-2023.6.20241212.0-kernel-6.1-arm64', 'amazonLinux2023', 'Amazon Linux 2023 (minimal)', 'ec2-user', 'installable'],
    ['amzn2-ami-kernel-5.10-hvm-2.0.20241217.0-x86_64-gp2', 'amazonLinux2', 'Amazon Linux 2 (2.0.20241217)', 'ec2-user', 'preinstalled'],
    ['amzn2-ami-hvm-2.0.20190618-x86_64-gp2', 'amazonLinux2', 'Amazon Linux 2 (2.0.20190618)', 'ec2-user', 'preinstalled'],
    ['amzn2-ami-hvm-2.0.20190313-x86_64-gp2', 'amazonLinux2', 'Amazon Linux 2 (2.0.20190313)', 'ec2-user', 'installable'],
    ['amzn-ami-hvm-2018.03.0.20231218.0-x86_64-gp2', 'amazonLinux1', 'Amazon Linux (2018.03 or older)', 'ec2-user', 'unavailable'],
    ['ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240207.1', 'ubuntu', 'Ubuntu 22.04', 'ubuntu', 'preinstalled'],
    ['ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20240801', 'ubuntu', 'Ubuntu 24.04', 'ubuntu', 'preinstalled'],
    ['ubuntu/images/hvm-ssd/ubuntu-focal-20.04-arm64-server-20230112', 'ubuntu', 'Ubuntu 20.04', 'ubuntu', 'preinstalled'],
    ['ubuntu/images/hvm-ssd/ubuntu-bionic-18.04-amd64-server-20230531', 'ubuntu', 'Ubuntu 18.04', 'ubuntu', 'installable'],
    ['ubuntu-pro-server/images/hvm-ssd/ubuntu-xenial-16.04-amd64-pro-server-20230613', 'ubuntu', 'Ubuntu 16.04', 'ubuntu', 'installable'],
    ['debian-12-amd64-20240717-1811', 'debian', 'Debian 12', 'admin', 'unavailable'],
    ['RHEL-9.4.0_HVM-20240605-x86_64-82-Hourly2-GP3', 'rhel', 'Red Hat Enterprise Linux 9', 'ec2-user', 'installable'],
    ['RHEL-7.9_HVM-20221027-x86_64-0-Hourly2-GP2', 'rhel', 'Red Hat Enterprise Linux 7', 'ec2-user', 'unavailable'],
    ['CentOS Stream 9 x86_64 20240610', 'centos', 'CentOS Stream 9', 'ec2-user', 'installable'],
    ['CentOS-7-2111-20220825_1.x86_64', 'centos', 'CentOS 7', 'centos', 'unavailable'],
    ['suse-sles-15-sp5-v20240129-hvm-ssd-x86_64', 'suse', 'SUSE Linux Enterprise 15 SP5', 'ec2-user', 'unavailable'],
    ['Fedora-Cloud-Base-40-1.14.x86_64-hvm-us-east-1-gp3-0', 'fedora', 'Fedora 40', 'fedora', 'unavailable'],
    ['bitnami-wordpress-6.5.4-0-r01-linux-debian-12-x86_64-hvm-ebs-nami', 'bitnami', 'Bitnami', 'bitnami', 'unknown'],
    ['OL8.9-x86_64-HVM-2024-02-02', 'oracle', 'Oracle Linux 8', 'ec2-user', 'unavailable'],
    ['Rocky-9-EC2-Base-9.4-20240523.0.x86_64', 'rocky', 'Rocky Linux 9', 'rocky', 'unavailable'],
  ])('reads %s', (amiName, family, name, user, pkg) => {
    const os = guessOs({ amiName, platformDetails: 'Linux/UNIX' });
    expect(os).toMatchObject({ family, name, defaultUser: user, eicPackage: pkg, basis: 'ami' });
    if (pkg === 'installable') expect(os.installCommand).toMatch(/install -y ec2-instance-connect/);
  });

  it('reads Windows from the AMI and from the platform alone', () => {
    expect(guessOs({ amiName: 'Windows_Server-2022-English-Full-Base-2024.06.12', platform: 'windows', platformDetails: 'Windows' })).toMatchObject({
      family: 'windows',
      name: 'Windows Server 2022',
      defaultUser: 'Administrator',
      basis: 'ami',
    });
    expect(guessOs({ platform: 'windows' })).toMatchObject({ family: 'windows', name: 'Windows', basis: 'platform' });
    expect(guessOs({ amiName: 'Windows_Server-2012-R2_RTM-English-64Bit-Base-2023.10.11', platform: 'windows' }).name).toBe('Windows Server 2012 R2');
  });

  it('falls back to the platform details, then to unknown Linux', () => {
    expect(guessOs({ platformDetails: 'Red Hat Enterprise Linux' })).toMatchObject({ family: 'rhel', basis: 'platform', eicPackage: 'unknown' });
    expect(guessOs({ platformDetails: 'Ubuntu Pro' })).toMatchObject({ family: 'ubuntu', basis: 'platform' });
    expect(guessOs({ amiName: 'my-golden-image-42', platformDetails: 'Linux/UNIX' })).toMatchObject({ family: 'linux', name: 'Linux', defaultUser: 'ec2-user', eicPackage: 'unknown' });
    expect(guessOs({})).toMatchObject({ family: 'linux', basis: 'none' });
  });

  it('dates an Amazon Linux 2 image from its creation date when the name has no build', () => {
    expect(guessOs({ amiName: 'amzn2-ami-custom', amiCreationDate: '2019-03-01T00:00:00.000Z' }).eicPackage).toBe('installable');
    expect(guessOs({ amiName: 'amzn2-ami-custom', amiCreationDate: '2023-03-01T00:00:00.000Z' }).eicPackage).toBe('preinstalled');
  });
});
