import { contextBridge, ipcRenderer } from 'electron';
import { contract } from './contract';
import { buildBridge, type Transport } from './bridge';

const transport: Transport = {
  invoke: (channel, input) => ipcRenderer.invoke(channel, input),
  send: (channel, input) => ipcRenderer.send(channel, input),
  subscribe: (channel, listener) => {
    const handler = (_event: Electron.IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
};

// The contract's API and nothing else: no ipcRenderer, no channel parameter, no sendSync.
contextBridge.exposeInMainWorld('eic', buildBridge(contract, transport));
