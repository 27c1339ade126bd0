import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The Debian packages behind every system binary a test needs (ENVIRONMENT.md). */
export const APT_PACKAGES: Record<string, string> = {
  chromium: 'chromium',
  sshd: 'openssh-server',
  ssh: 'openssh-client',
  'ssh-keygen': 'openssh-client',
  'dbus-run-session': 'dbus',
  'dbus-daemon': 'dbus',
  'gnome-keyring-daemon': 'gnome-keyring',
  'secret-tool': 'libsecret-tools',
  Xvfb: 'xvfb',
  xfreerdp: 'freerdp2-x11',
  'freerdp-shadow-cli': 'freerdp2-shadow-x11',
  'winpr-hash': 'winpr-utils',
};

export const APT_LINE =
  'apt-get install -y --no-install-recommends build-essential pkg-config python3 ca-certificates dbus iproute2 xauth libsecret-1-dev gnome-keyring libsecret-tools openssh-server chromium xvfb freerdp2-x11 freerdp2-shadow-x11 winpr-utils';

/**
 * Finds a system binary (an absolute path, or a name on PATH and the sbin folders) or throws
 * with the command that installs it. Tests call this instead of skipping: in CI nothing skips
 * silently.
 */
export function requireBinary(nameOrPath: string, packageKey?: string): string {
  const name = nameOrPath.split('/').pop() ?? nameOrPath;
  const candidates = nameOrPath.includes('/')
    ? [nameOrPath]
    : [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin'].map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next folder
    }
  }
  const pkg = APT_PACKAGES[packageKey ?? name] ?? packageKey ?? name;
  throw new Error(`${name} is not installed; this test needs it. Install it with: sudo apt-get install -y --no-install-recommends ${pkg} (all test packages: sudo ${APT_LINE})`);
}
