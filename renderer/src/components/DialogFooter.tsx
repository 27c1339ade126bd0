import type { ReactElement } from 'react';

export interface DialogFooterProps {
  /** The main button's words, and what it says while the work runs ("Saving…"). */
  confirmLabel: string;
  busyLabel?: string;
  /** Runs the main action; without it the main button submits the form it is in. */
  onConfirm?: () => void;
  cancelLabel?: string;
  onCancel: () => void;
  busy?: boolean;
  /** The main button is off (nothing chosen yet); Cancel still works. */
  disabled?: boolean;
  /** `danger` for what cannot be undone (delete, remove). */
  tone?: 'primary' | 'danger';
  /** Which button has the focus when the dialog opens: the safe one for destructive actions. */
  autoFocus?: 'confirm' | 'cancel';
}

/** The buttons at the foot of a dialog: Cancel, then the main action, on the right. */
export function DialogFooter({ confirmLabel, busyLabel, onConfirm, cancelLabel = 'Cancel', onCancel, busy = false, disabled = false, tone = 'primary', autoFocus }: DialogFooterProps): ReactElement {
  return (
    <div className="card__actions form__actions">
      <button type="button" className="btn btn--ghost" onClick={onCancel} disabled={busy} autoFocus={autoFocus === 'cancel'}>
        {cancelLabel}
      </button>
      <button
        type={onConfirm ? 'button' : 'submit'}
        className={tone === 'danger' ? 'btn btn--primary btn--destructive' : 'btn btn--primary'}
        onClick={onConfirm}
        disabled={busy || disabled}
        autoFocus={autoFocus === 'confirm'}
      >
        {busy && busyLabel ? busyLabel : confirmLabel}
      </button>
    </div>
  );
}
