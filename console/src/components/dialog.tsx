/**
 * A modal alert dialog on the native <dialog> element: the browser traps focus, Escape closes it
 * and the rest of the page is inert while it is open.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react'

export function AlertDialog(props: { open: boolean; title: string; children: ReactNode; actions: ReactNode; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null)
  const id = useId()
  useEffect(() => {
    const dialog = ref.current
    if (dialog === null) return
    if (props.open && !dialog.open) dialog.showModal()
    if (!props.open && dialog.open) dialog.close()
  }, [props.open])
  return (
    <dialog
      ref={ref}
      role="alertdialog"
      aria-modal="true"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onCancel={(event) => {
        event.preventDefault()
        props.onCancel()
      }}
    >
      {props.open && (
        <>
          <h2 id={`${id}-title`}>{props.title}</h2>
          <div id={`${id}-body`}>{props.children}</div>
          <div className="actions">{props.actions}</div>
        </>
      )}
    </dialog>
  )
}
