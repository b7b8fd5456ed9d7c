import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Pager } from '../components/pager.js'
import { ErrorMessage } from '../errors.js'
import { FIELD_LABELS, type Field } from '../form.js'
import { useClient } from '../session.js'
import { ago, exact } from '../time.js'

const ACTIONS: Record<string, string> = {
  create: 'created',
  update: 'changed',
  delete: 'deleted',
  'secret-reencrypt': 're-encrypted the secret',
  restore: 'restored',
}

export const fieldNames = (fields: string[]) => fields.map((f) => FIELD_LABELS[f as Field | 'secret'] ?? f).join(', ')

/** Who changed what, when: the LLM's audit trail, newest first. */
export function HistoryTab({ id }: { id: string }) {
  const client = useClient()
  const [page, setPage] = useState(1)
  const history = useQuery({ queryKey: ['history', id, page], queryFn: () => client.llms.history(id, { page, perPage: 20 }), placeholderData: keepPreviousData })
  if (history.error !== null) return <ErrorMessage error={history.error} />
  if (history.data === undefined) return <p>Loading…</p>
  const meta = history.data.meta
  return (
    <section>
      <h2>History</h2>
      <div className="table-wrap">
        <table className="stack">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who (key)</th>
              <th scope="col">What</th>
              <th scope="col">Version</th>
            </tr>
          </thead>
          <tbody>
            {history.data.data.map((entry) => (
              <tr key={entry.id}>
                <td data-label="When" title={exact(entry.at)}>
                  {ago(entry.at)}
                </td>
                <td data-label="Who (key)">
                  <code>{entry.keyId}</code>
                </td>
                <td data-label="What">
                  {ACTIONS[entry.action] ?? entry.action}
                  {entry.fields.length > 0 && entry.action !== 'create' ? ` ${fieldNames(entry.fields)}` : ''}
                </td>
                <td data-label="Version">{entry.version ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {history.data.data.length === 0 && <p className="muted">No recorded changes.</p>}
      <Pager meta={meta} label="History pages" onPage={setPage} />
    </section>
  )
}
