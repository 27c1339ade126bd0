import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { ContractShape, Handlers } from '../../preload/contract';
import type { EventHub } from '../events';
import type { Logger } from '../log';
import { createDispatch, type SenderPolicy } from './handle';

type IpcEvent = IpcMainInvokeEvent | IpcMainEvent;

/**
 * Registers one ipcMain handler per contract entry (through `handle()`) and forwards every
 * event main publishes to the window. Returns a function that removes all of it.
 */
export function registerIpc<C extends ContractShape>(options: {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeAllListeners'>;
  contract: C;
  handlers: Handlers<C>;
  events: EventHub;
  policy: SenderPolicy<IpcEvent>;
  target: () => Pick<WebContents, 'send' | 'isDestroyed'> | null;
  log: Logger;
}): () => void {
  const { ipcMain, contract, handlers, events, policy, target, log } = options;
  const dispatch = createDispatch(contract, handlers, policy, log);
  for (const [channel, call] of dispatch.invokes) {
    ipcMain.handle(channel, (event, input) => call(event, input));
  }
  for (const [channel, call] of dispatch.sends) {
    ipcMain.on(channel, (event, input) => call(event, input));
  }
  const unsubscribe = events.subscribe((channel, payload) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(channel, payload);
  });
  return () => {
    unsubscribe();
    for (const channel of dispatch.invokes.keys()) ipcMain.removeHandler(channel);
    for (const channel of dispatch.sends.keys()) ipcMain.removeAllListeners(channel);
  };
}
