import type { SavedHostFacts } from './ports';

export interface SshConfigInput {
  target: SavedHostFacts;
  /**
   * The private key OpenSSH logs in with (`IdentityFile`). For EC2 Instance Connect its `.pub`
   * is what the tunnel pushes, so the two always match. Default `~/.ssh/id_ed25519`.
   */
  identityFile?: string;
  /** How to run the command-line tunnel (a name on PATH, or its full path). */
  tunnelCommand?: string;
}

export const DEFAULT_IDENTITY_FILE = '~/.ssh/id_ed25519';

/** A `Host` alias OpenSSH accepts and a person can type: the host's name, tidied. */
export function sshAliasFor(target: Pick<SavedHostFacts, 'name' | 'instanceId'>): string {
  const alias = target.name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 63);
  return alias || target.instanceId;
}

/**
 * An OpenSSH `Host` block that reaches a saved host through its EC2 Instance Connect Endpoint,
 * with `bastionless-tunnel` as the ProxyCommand (it speaks on stdin/stdout, so no port is
 * opened). With EC2 Instance Connect the tunnel first pushes the public key that goes with
 * `IdentityFile` (`--push-key`), so `ssh`, `scp` and VS Code Remote-SSH log in with the person's
 * own key and no key pair on the instance. `HostKeyAlias` files the host key under the instance
 * id, so known_hosts stays right when addresses are reused.
 */
export function generateSshConfig(input: SshConfigInput): { alias: string; text: string } {
  const { target } = input;
  const alias = sshAliasFor(target);
  const command = input.tunnelCommand ?? 'bastionless-tunnel';
  const auth = target.auth;
  const keyFile = auth.method === 'keyPair' && auth.key.source === 'file' ? auth.key.path : (input.identityFile ?? DEFAULT_IDENTITY_FILE);
  const pushes = auth.method === 'eic' || (auth.method === 'keyPair' && auth.key.source === 'keychain');

  const profile = cliProfileOf(target.profileId);
  const proxy = [
    shellWord(command),
    ...(profile.name !== undefined ? ['--profile', shellWord(profile.name)] : []),
    '--region',
    shellWord(target.region),
    '--instance-id',
    shellWord(target.instanceId),
    '--remote-port',
    '%p',
    ...(pushes ? ['--push-key', shellWord(`${keyFile}.pub`), '--os-user', shellWord(target.osUser)] : []),
  ].join(' ');

  const lines = [
    `# ${oneLine(target.name)} (${target.instanceId}, ${target.region}), written by Bastionless.`,
    ...(profile.note ? [`# ${profile.note}`] : []),
    ...(auth.method === 'keyPair' && auth.key.source === 'keychain'
      ? ['# Its key pair is in your OS keychain, which OpenSSH cannot read: this block pushes your own key instead.']
      : []),
    ...(auth.method === 'password' ? ['# It logs in with a password: OpenSSH will ask for it.'] : []),
    `Host ${alias}`,
    `  HostName ${target.instanceId}`,
    `  User ${target.osUser}`,
    `  Port ${target.port}`,
    `  HostKeyAlias ${target.instanceId}`,
    ...(auth.method === 'password' ? [] : [`  IdentityFile ${configValue(keyFile)}`, '  IdentitiesOnly yes']),
    `  ProxyCommand ${proxy}`,
    // The endpoint drops idle connections; a keepalive well inside its idle timeout keeps them up.
    '  ServerAliveInterval 30',
    '  ServerAliveCountMax 3',
  ];
  return { alias, text: `${lines.join('\n')}\n` };
}

/**
 * The `--profile` the command-line tunnel needs for an app profile id. It reads the standard AWS
 * sources only: a ~/.aws profile by name, the environment, or nothing it can use (keys kept in
 * Bastionless's keychain), which the block then says.
 */
function cliProfileOf(profileId: string): { name?: string; note?: string } {
  if (profileId.startsWith('config:')) return { name: profileId.slice('config:'.length) };
  if (profileId === 'env') return { note: 'Credentials: the AWS_* variables of the shell that runs ssh, as when Bastionless found them.' };
  if (profileId.startsWith('app:')) {
    return { note: 'Its profile keeps its keys in Bastionless (your OS keychain), which the command-line tunnel cannot read: it uses your default AWS credentials. Add the profile to ~/.aws and pass --profile to use it.' };
  }
  return { name: profileId };
}

/** A word for ProxyCommand (run by /bin/sh): quoted when needed, with a leading ~/ left to expand. */
function shellWord(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./~-]+$/.test(value)) return value;
  if (value.startsWith('~/')) return `~/${shellQuote(value.slice(2))}`;
  return shellQuote(value);
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A value for ssh_config: double-quoted when it has spaces. */
function configValue(value: string): string {
  return /[\s"]/.test(value) ? `"${value.replace(/"/g, '\\"')}"` : value;
}

function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}
