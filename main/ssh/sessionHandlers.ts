import { AppError, type HandlerDomain, type sessions } from '../../preload/contract';
import type { TargetResolver } from './ports';
import type { SessionManager } from './sessionManager';
import { generateSshConfig } from './sshConfig';

export interface SessionHandlerOptions {
  /** How "Copy SSH config" runs the command-line tunnel (a name on PATH or a full path). */
  tunnelCommand?: string;
}

/** The sessions domain of the contract, one line per entry, over the SessionManager. */
export function createSessionHandlers(manager: SessionManager, resolver: TargetResolver, options: SessionHandlerOptions = {}): HandlerDomain<typeof sessions> {
  return {
    open: (input) => manager.open(input),
    close: ({ sessionId }) => {
      manager.close(sessionId);
      return null;
    },
    reconnect: ({ sessionId }) => manager.reconnect(sessionId),
    answerPrompt: ({ sessionId, promptId, answers }) => {
      if (!manager.get(sessionId).answerPrompt(promptId, answers)) {
        throw new AppError('NOT_FOUND', 'That question is no longer waiting for an answer.', { hint: 'It was answered, cancelled or replaced; look at the tab again.' });
      }
      return null;
    },
    decideHostKey: async ({ sessionId, fingerprint, accept }) => {
      const session = manager.get(sessionId);
      await session.decideHostKey(fingerprint, accept);
      return session.info();
    },
    list: () => manager.list(),
    paste: async ({ sessionId, bracketed }) => ({ bytes: await manager.paste(sessionId, bracketed) }),
    sshConfig: async ({ hostId, identityFile }) => {
      const target = await resolver.resolveHost(hostId);
      if (target.platform === 'windows') {
        throw new AppError('SSH_NOT_LINUX', `${target.name} is a Windows instance: OpenSSH does not reach it.`, { hint: 'Use RDP for Windows instances.' });
      }
      return generateSshConfig({ target, ...(identityFile ? { identityFile } : {}), ...(options.tunnelCommand ? { tunnelCommand: options.tunnelCommand } : {}) });
    },
    write: ({ sessionId, data }) => manager.find(sessionId)?.write(data),
    resize: ({ sessionId, cols, rows }) => manager.find(sessionId)?.resize(cols, rows),
    ack: ({ sessionId, bytes }) => manager.find(sessionId)?.ack(bytes),
  };
}
