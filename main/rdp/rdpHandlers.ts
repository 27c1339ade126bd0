import type { HandlerDomain } from '../../preload/contract';
import type { rdp } from '../../preload/contract/rdp';
import type { RdpService } from './rdpService';

/** The `rdp` domain's handlers: one line each, the service does the work. */
export function createRdpHandlers(service: RdpService): HandlerDomain<typeof rdp> {
  return {
    launch: (input) => service.launch(input),
    provideKey: (input) =>
      service.provideKey({
        sessionId: input.sessionId,
        remember: input.remember,
        ...(input.privateKey !== undefined ? { privateKey: input.privateKey } : {}),
        ...(input.passphrase !== undefined ? { passphrase: input.passphrase } : {}),
      }),
    copyPassword: ({ sessionId }) => service.copyPassword(sessionId),
    openClient: ({ sessionId }) => service.openClient(sessionId),
    stop: ({ sessionId }) => service.stop(sessionId),
    dismiss: async ({ sessionId }) => {
      await service.dismiss(sessionId);
      return null;
    },
    list: () => service.list(),
    clients: () => service.clients(),
  };
}
