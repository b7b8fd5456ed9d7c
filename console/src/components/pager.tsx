/** Previous / Next over the API's page `meta`, with where the page stands. */
import type { PageMeta } from 'llm-registry/client'
import type { ReactNode } from 'react'

export function Pager({ meta, label, onPage, children }: { meta: PageMeta; label: string; onPage: (page: number) => void; children?: ReactNode }) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={meta.prev === null} onClick={() => meta.prev !== null && onPage(meta.prev)}>
        Previous
      </button>
      <span aria-live="polite">
        Page {meta.currentPage} of {meta.lastPage}
        {children}
      </span>
      <button type="button" disabled={meta.next === null} onClick={() => meta.next !== null && onPage(meta.next)}>
        Next
      </button>
    </nav>
  )
}
