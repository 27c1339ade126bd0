import { AppError, type OpenSessionInput, type SessionInfo, type TerminalSize } from '../../preload/contract';
import type { DesktopIo } from '../desktop';
import { SshSession, type SessionDeps } from './sshSession';
import type { ConnectRequest } from './ports';

export interface SessionManagerDeps extends SessionDeps {
  /** Reads the clipboard for `paste` (the renderer never does). */
  desktop: Pick<DesktopIo, 'readClipboard'>;
}

/** Above this a paste is refused: a clipboard holding a file's worth of text is a mistake. */
const MAX_PASTE_BYTES = 4 * 1024 * 1024;

/**
 * The open terminal sessions, by id: what the sessions contract entries act on. Each session
 * runs its own connect flow; closing one releases its connection when no other tab shares it.
 */
export class SessionManager {
  private readonly sessions = new Map<string, SshSession>();
  private disposed = false;

  constructor(private readonly deps: SessionManagerDeps) {}

  /** Opens a session and starts connecting; resolves at once with its first state. */
  open(input: OpenSessionInput): SessionInfo {
    if (this.disposed) throw new AppError('CANCELLED', 'Bastionless is shutting down.');
    const size = input.size as TerminalSize | undefined;
    const deps: SessionDeps = {
      ...this.deps,
      emitState: (info) => {
        this.deps.emitState(info);
        if (info.status === 'closed') this.sessions.delete(info.sessionId);
      },
    };
    if ('sameConnectionAs' in input) {
      const other = this.get(input.sameConnectionAs);
      const session = new SshSession(deps, { kind: 'host', hostId: '' }, size);
      this.sessions.set(session.id, session);
      try {
        session.startOnConnection(other);
      } catch (error) {
        this.sessions.delete(session.id);
        throw error;
      }
      return session.info();
    }
    const request: ConnectRequest =
      'hostId' in input
        ? { kind: 'host', hostId: input.hostId }
        : {
            kind: 'instance',
            instanceId: input.instanceId,
            profileId: input.profileId,
            region: input.region,
            ...(input.osUser ? { osUser: input.osUser } : {}),
            ...(input.port ? { port: input.port } : {}),
          };
    const session = new SshSession(deps, request, size);
    this.sessions.set(session.id, session);
    const first = session.info();
    session.start();
    return first;
  }

  /** A live session, or NOT_FOUND. */
  get(sessionId: string): SshSession {
    const session = this.sessions.get(sessionId);
    if (!session || session.isClosed) {
      throw new AppError('NOT_FOUND', 'That terminal session is no longer open.', { hint: 'Open a new session from Hosts.' });
    }
    return session;
  }

  /** A session for fire-and-forget messages: unknown ids are ignored (a tab closing races its last keystrokes). */
  find(sessionId: string): SshSession | undefined {
    return this.sessions.get(sessionId);
  }

  close(sessionId: string): void {
    this.sessions.get(sessionId)?.close();
    this.sessions.delete(sessionId);
  }

  reconnect(sessionId: string): SessionInfo {
    const session = this.get(sessionId);
    session.reconnect();
    return session.info();
  }

  /**
   * Every open session. Called by a window that (re)loaded: output it was sent but never drew
   * will not be acknowledged, so flow control starts afresh.
   */
  list(): SessionInfo[] {
    return [...this.sessions.values()].map((session) => {
      session.resetFlow();
      return session.info();
    });
  }

  async paste(sessionId: string, bracketed: boolean): Promise<number> {
    const session = this.get(sessionId);
    const text = await this.deps.desktop.readClipboard();
    if (Buffer.byteLength(text, 'utf8') > MAX_PASTE_BYTES) {
      throw new AppError('INVALID_INPUT', 'The clipboard holds more than 4 MiB of text; Bastionless did not paste it.', {
        hint: 'Copy the file to the instance with scp instead ("Copy SSH config" sets that up).',
      });
    }
    return session.paste(text, bracketed);
  }

  /** Closes every session (app quit). */
  dispose(): void {
    this.disposed = true;
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
  }
}
