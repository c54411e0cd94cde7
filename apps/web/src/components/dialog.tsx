/** A modal dialog on the native <dialog> element: focus moves in, Escape closes, the page behind is inert. */
import { type ReactNode, useEffect, useId, useRef } from 'react';

export function Dialog({
  open,
  title,
  children,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      {open && children}
    </dialog>
  );
}
