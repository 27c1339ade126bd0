import type { TerminalController } from './terminalController';

const terminals = new Map<string, TerminalController>();

/** The mounted terminal of each session: shortcuts act on the active tab's terminal. */
export function registerTerminal(sessionId: string, terminal: TerminalController): () => void {
  terminals.set(sessionId, terminal);
  return () => {
    if (terminals.get(sessionId) === terminal) terminals.delete(sessionId);
  };
}

export function terminalOf(sessionId: string): TerminalController | undefined {
  return terminals.get(sessionId);
}
