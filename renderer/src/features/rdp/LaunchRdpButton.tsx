import { useState, type ReactElement } from 'react';
import type { RdpLaunchInput } from '../../../../preload/contract';
import type { AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { launchRdp } from './rdpStore';

/** "Launch RDP" for a Windows host: the hosts view places it on Windows rows and in their menus. */
export function LaunchRdpButton({ target, label = 'Launch RDP', className = 'btn' }: { target: RdpLaunchInput; label?: string; className?: string }): ReactElement {
  const [error, setError] = useState<AppError | undefined>();
  const [busy, setBusy] = useState(false);
  return (
    <>
      <button
        type="button"
        className={className}
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setError(undefined);
          launchRdp(target)
            .catch((e: unknown) => setError(toAppError(e)))
            .finally(() => setBusy(false));
        }}
      >
        <Icon name="display" size={15} /> {label}
      </button>
      {error ? <ErrorNotice error={error} /> : null}
    </>
  );
}
