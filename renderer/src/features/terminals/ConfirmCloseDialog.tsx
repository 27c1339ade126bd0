import { useEffect, useRef, type ReactElement } from 'react';

/**
 * Asks before closing a live session: what runs in its shell ends with it. A native modal
 * <dialog>: the browser traps focus and Escape cancels.
 */
export function ConfirmCloseDialog({ title, onConfirm, onCancel }: { title: string; onConfirm: () => void; onCancel: () => void }): ReactElement {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef(onCancel);
  useEffect(() => {
    cancelRef.current = onCancel;
  });
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return undefined;
    const previous = document.activeElement as HTMLElement | null;
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    confirmRef.current?.focus();
    const onEscape = (e: Event): void => {
      e.preventDefault();
      cancelRef.current();
    };
    dialog.addEventListener('cancel', onEscape);
    return () => {
      dialog.removeEventListener('cancel', onEscape);
      if (typeof dialog.close === 'function' && dialog.open) dialog.close();
      previous?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={dialogRef}
      className="confirm-dialog"
      aria-labelledby="confirm-close-title"
      aria-describedby="confirm-close-text"
      onMouseDown={(e) => {
        if (e.target === dialogRef.current) onCancel();
      }}
    >
      <h2 id="confirm-close-title">Close the session to {title}?</h2>
      <p id="confirm-close-text">The shell and anything still running in it will end.</p>
      <div className="confirm-dialog__actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button ref={confirmRef} type="button" className="btn btn--primary" onClick={onConfirm}>
          Close session
        </button>
      </div>
    </dialog>
  );
}
