import type { ReactElement, ReactNode } from 'react';
import { useAction } from '../hooks/useAction';
import { Dialog } from './Dialog';
import { DialogFooter, type DialogFooterProps } from './DialogFooter';
import { ErrorNotice } from './ErrorNotice';

export interface ConfirmDialogProps extends Pick<DialogFooterProps, 'confirmLabel' | 'busyLabel' | 'cancelLabel' | 'tone' | 'disabled' | 'autoFocus'> {
  title: string;
  description?: ReactNode;
  /** What the person should know before confirming (what depends on it, what it costs). */
  children?: ReactNode;
  wide?: boolean;
  /** The action. The dialog closes when it resolves; a failure stays in the dialog with its hint. */
  onConfirm: () => Promise<unknown> | void;
  onClose: () => void;
}

/**
 * Asks before doing something (removing, deleting, closing a live session): says what happens,
 * runs it on confirm with the button busy, and shows why it failed without closing.
 */
export function ConfirmDialog({ title, description, children, wide, onConfirm, onClose, autoFocus = 'cancel', ...footer }: ConfirmDialogProps): ReactElement {
  const { busy, error, run } = useAction({ stayBusy: true });
  const confirm = async (): Promise<void> => {
    if (await run(async () => onConfirm())) onClose();
  };
  return (
    <Dialog title={title} description={description} onClose={onClose} wide={wide}>
      {children}
      {error ? <ErrorNotice error={error} /> : null}
      <DialogFooter {...footer} autoFocus={autoFocus} busy={busy} onCancel={onClose} onConfirm={() => void confirm()} />
    </Dialog>
  );
}
