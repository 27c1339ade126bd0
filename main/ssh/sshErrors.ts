import { AppError, type AuthMethod } from '../../preload/contract';
import { SshConnectError } from './sshConnection';

export interface SshErrorContext {
  /** What the person calls the host: its label, or the instance id. */
  hostLabel: string;
  osUser: string;
  authMethod: AuthMethod;
}

const DEFAULT_USERS = 'Amazon Linux and RHEL: ec2-user; Ubuntu: ubuntu; Debian: admin; CentOS: centos';

/**
 * Turns what ssh2 reported for a failed handshake or login into an AppError a person can act
 * on. ssh2's own messages stay in `cause` (for the log), never in the sentence. The host-key
 * refusal is not mapped here: the connect flow knows the fingerprints and builds that error.
 */
export function mapSshConnectError(error: unknown, context: SshErrorContext): AppError {
  if (error instanceof AppError) return error;
  const original = error instanceof SshConnectError ? error.original : (error as Error & { level?: string; code?: unknown });
  const level = original?.level;
  const message = original?.message ?? String(error);
  const { hostLabel, osUser, authMethod } = context;

  if (level === 'client-authentication') {
    switch (authMethod) {
      case 'eic':
        return new AppError('SSH_AUTH_FAILED', `${hostLabel} refused the key Bastionless pushed for "${osUser}".`, {
          hint: `Check the OS user (${DEFAULT_USERS}) and that the instance has the ec2-instance-connect package (preinstalled on Amazon Linux 2023, Amazon Linux 2 and Ubuntu 20.04+). Without it, connect with the instance's key pair instead.`,
          cause: error,
        });
      case 'keyPair':
        return new AppError('SSH_AUTH_FAILED', `${hostLabel} refused the key pair's key for "${osUser}".`, {
          hint: `Check that this is the key pair the instance was launched with, and the OS user (${DEFAULT_USERS}).`,
          cause: error,
        });
      case 'password':
        return new AppError('SSH_AUTH_FAILED', `${hostLabel} did not accept the login for "${osUser}".`, {
          hint: 'Check the user name and password. Most AMIs accept only keys: use EC2 Instance Connect (the default) or the key pair.',
          cause: error,
        });
    }
  }
  if (level === 'client-timeout') {
    return new AppError('SSH_HANDSHAKE_FAILED', `${hostLabel}'s SSH server did not answer in time.`, {
      hint: 'The instance may still be booting, or sshd is overloaded. Wait a moment and retry.',
      cause: error,
      retryable: true,
    });
  }
  if (level === 'handshake' || /no matching|handshake failed/i.test(message)) {
    return new AppError('SSH_HANDSHAKE_FAILED', `Bastionless and ${hostLabel}'s SSH server have no encryption method in common.`, {
      hint: 'The server offers only algorithms that are no longer considered safe (for example SHA-1 or CBC ciphers). Update OpenSSH on the instance.',
      cause: error,
    });
  }
  if (level === 'protocol' || /identification|bad packet|invalid packet/i.test(message)) {
    return new AppError('SSH_HANDSHAKE_FAILED', `${hostLabel} did not answer as an SSH server.`, {
      hint: 'Check the host\'s port: something other than sshd is listening there.',
      cause: error,
    });
  }
  if (original && original.level === undefined && typeof original.code === 'number') {
    return new AppError('SSH_HANDSHAKE_FAILED', `${hostLabel} ended the connection during login.`, {
      hint: 'The server said: "' + message.slice(0, 200) + '". Check sshd\'s settings (MaxStartups, AllowUsers) on the instance.',
      cause: error,
      retryable: true,
    });
  }
  return new AppError('SSH_CONNECTION_LOST', `The connection to ${hostLabel} closed during login.`, {
    hint: 'The tunnel or the network dropped, or sshd closed it (for example when the instance is rebooting). Retry in a moment.',
    cause: error,
    retryable: true,
  });
}
