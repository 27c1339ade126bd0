import type { diagnose, HandlerDomain } from '../../preload/contract';
import type { DiagnoseService } from './diagnoseService';

/** The diagnose domain of the contract, one line per entry, over the DiagnoseService. */
export function createDiagnoseHandlers(service: DiagnoseService): HandlerDomain<typeof diagnose> {
  return {
    start: (input) => service.start(input),
    get: ({ runId }) => service.get(runId),
    dismiss: ({ runId }) => {
      service.dismiss(runId);
      return null;
    },
    previewFix: (input) => service.previewFix(input),
    applyFix: (input) => service.applyFix(input),
    copyFixText: async ({ runId, fixId }) => {
      await service.copyFixText(runId, fixId);
      return null;
    },
    copyReport: ({ runId }) => service.copyReport(runId),
  };
}
