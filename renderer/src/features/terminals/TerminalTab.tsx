import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { SessionInfo } from '../../../../preload/contract';
import { getApi } from '../../api';
import { ConnectPanel, type ConnectPanelActions } from './ConnectPanel';
import { openDiagnose } from './diagnoseHook';
import { DropBar } from './DropBar';
import { openSession } from './openSession';
import { SearchBar } from './SearchBar';
import { sessionsStore } from './sessionsStore';
import { registerTerminal } from './terminalRegistry';
import { TerminalController, type TerminalIo } from './terminalController';
import { TerminalHeader } from './TerminalHeader';
import { terminalSettings, useFontSize } from './terminalSettings';
import { usePrefersDark } from './usePrefersDark';

/** One session's tab: header, the terminal, and over or under it what the session is doing. */
export function TerminalTab({ info, active }: { info: SessionInfo; active: boolean }): ReactElement {
  const box = useRef<HTMLDivElement>(null);
  const controller = useRef<TerminalController | undefined>(undefined);
  const [searchOpen, setSearchOpen] = useState(false);
  const fontSize = useFontSize();
  const dark = usePrefersDark();
  const { sessionId } = info;
  const connected = info.status === 'connected';

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const api = getApi();
    const io: TerminalIo = {
      write: (data) => api.sessions.write({ sessionId, data: data as string | Uint8Array<ArrayBuffer> }),
      resize: (cols, rows) => api.sessions.resize({ sessionId, cols, rows }),
      ack: (bytes) => api.sessions.ack({ sessionId, bytes }),
      paste: (bracketed) => {
        void api.sessions.paste({ sessionId, bracketed }).catch(() => undefined);
      },
      openLink: (url) => {
        void api.app.openExternal({ url }).catch(() => undefined);
      },
    };
    const terminal = new TerminalController(
      io,
      {
        openSearch: () => setSearchOpen(true),
        zoom: (delta) => terminalSettings.zoom(delta),
        resetZoom: () => terminalSettings.reset(),
      },
      { fontSize: terminalSettings.fontSize, dark: window.matchMedia('(prefers-color-scheme: dark)').matches },
    );
    terminal.open(element);
    element.dataset['renderer'] = terminal.renderer;
    controller.current = terminal;
    const detach = sessionsStore.attach(sessionId, terminal);
    const unregister = registerTerminal(sessionId, terminal);
    // Fits when the window or the panel changes size, and when a hidden tab is first shown.
    const observer = new ResizeObserver(() => terminal.fitNow());
    observer.observe(element);
    return () => {
      observer.disconnect();
      unregister();
      detach();
      terminal.dispose();
      controller.current = undefined;
    };
  }, [sessionId]);

  useEffect(() => controller.current?.setFontSize(fontSize), [fontSize]);
  useEffect(() => controller.current?.setTheme(dark), [dark]);
  useEffect(() => {
    if (!active) return;
    // Keys typed right after a (re)connect belong to the shell: focus at once, fit once laid out.
    if (connected && !searchOpen) controller.current?.focus();
    const frame = requestAnimationFrame(() => controller.current?.fitNow());
    return () => cancelAnimationFrame(frame);
  }, [active, connected, searchOpen]);

  const api = getApi();
  const reconnect = async (): Promise<void> => {
    await api.sessions.reconnect({ sessionId });
  };
  const diagnose = (): void => {
    if (!info.error) return;
    openDiagnose({
      sessionId,
      ...(info.target.hostId ? { hostId: info.target.hostId } : {}),
      ...(info.target.instanceId ? { instanceId: info.target.instanceId } : {}),
      ...(info.target.profileId ? { profileId: info.target.profileId } : {}),
      ...(info.target.region ? { region: info.target.region } : {}),
      ...(info.failedStep ? { failedStep: info.failedStep } : {}),
      failure: info.error,
    });
  };
  const actions: ConnectPanelActions = {
    retry: reconnect,
    answer: async (promptId, answers) => {
      await api.sessions.answerPrompt({ sessionId, promptId, answers });
    },
    decideHostKey: async (fingerprint, accept) => {
      await api.sessions.decideHostKey({ sessionId, fingerprint, accept });
    },
    diagnose,
    close: () => void sessionsStore.close(sessionId),
  };

  return (
    <div className="terminal-panel" data-testid="terminal-panel" data-session={sessionId} data-status={info.status}>
      <TerminalHeader
        info={info}
        onSearch={() => setSearchOpen(true)}
        onDuplicate={() => openSession({ sameConnectionAs: sessionId })}
        onReconnect={reconnect}
      />
      {searchOpen ? (
        <SearchBar
          onFind={(query, direction, options) => controller.current?.find(query, direction, options) ?? false}
          onClose={() => {
            controller.current?.clearSearch();
            setSearchOpen(false);
            controller.current?.focus();
          }}
        />
      ) : null}
      <div className="terminal-body">
        <div ref={box} className="terminal-host" data-testid="terminal" />
        {info.status === 'connecting' || info.status === 'failed' ? <ConnectPanel info={info} actions={actions} /> : null}
      </div>
      {info.status === 'disconnected' ? <DropBar info={info} onReconnect={reconnect} onClose={actions.close} onDiagnose={diagnose} /> : null}
    </div>
  );
}
