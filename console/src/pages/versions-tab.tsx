import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { Llm } from 'llm-registry/client'
import { useState } from 'react'
import { Pager } from '../components/pager.js'
import { ErrorMessage } from '../errors.js'
import { shown } from '../form.js'
import { useClient } from '../session.js'
import { ago, exact } from '../time.js'
import { fieldNames } from './history-tab.js'

/** The kept versions: what each changed, how it differs from now, and Restore. */
export function VersionsTab({ llm, etag, readOnly }: { llm: Llm; etag: string; readOnly: boolean }) {
  const client = useClient()
  const queryClient = useQueryClient()
  const [page, setPage] = useState(1)
  const [compared, setCompared] = useState<number | null>(null)
  const current = Number(etag.replace(/\D/g, ''))
  const versions = useQuery({
    queryKey: ['versions', llm.id, page],
    queryFn: () => client.llms.versions(llm.id, { page, perPage: 20 }),
    placeholderData: keepPreviousData,
  })
  const diff = useQuery({
    queryKey: ['diff', llm.id, compared, current],
    queryFn: () => client.llms.diff(llm.id, compared ?? current, current),
    enabled: compared !== null,
  })
  const restore = useMutation({
    mutationFn: (version: number) => client.llms.restore(llm.id, version, { ifMatch: etag }),
    onSuccess: (answer) => {
      setCompared(null)
      queryClient.setQueryData(['llm', llm.id], { data: answer.data.llm, etag: answer.etag })
      for (const key of ['llms', 'history', 'versions']) void queryClient.invalidateQueries({ queryKey: [key] })
    },
  })
  if (versions.error !== null) return <ErrorMessage error={versions.error} />
  if (versions.data === undefined) return <p>Loading…</p>
  const meta = versions.data.meta
  return (
    <section>
      <h2>Versions</h2>
      <p className="hint">Every change makes a version. Restore makes an old version's settings current again, as a new version; the current secret is kept.</p>
      {restore.data !== undefined && (
        <p role="status" className="status">
          {restore.data.data.message}
        </p>
      )}
      {restore.error !== null && <ErrorMessage error={restore.error} />}
      <div className="table-wrap">
        <table className="stack">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">When</th>
              <th scope="col">Who (key)</th>
              <th scope="col">Changed</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.data.data.map((v) => (
              <tr key={v.version}>
                <th scope="row">
                  {v.version}
                  {v.version === current ? ' (current)' : ''}
                </th>
                <td data-label="When" title={exact(v.at)}>
                  {ago(v.at)}
                </td>
                <td data-label="Who (key)">
                  <code>{v.keyId}</code>
                </td>
                <td data-label="Changed">
                  {v.action === 'create' ? 'created' : ''}
                  {v.action === 'restore' && v.restoredFrom !== null ? `restored version ${v.restoredFrom}: ` : ''}
                  {v.action === 'create' ? '' : fieldNames(v.changedFields)}
                </td>
                <td className="row-actions">
                  {v.version !== current && (
                    <>
                      <button type="button" className="secondary" onClick={() => setCompared(v.version)} aria-label={`Compare version ${v.version} with the current one`}>
                        Compare
                      </button>
                      {!readOnly && (
                        <button type="button" className="secondary" disabled={restore.isPending} onClick={() => restore.mutate(v.version)} aria-label={`Restore version ${v.version}`}>
                          Restore
                        </button>
                      )}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager meta={meta} label="Version pages" onPage={setPage} />
      {compared !== null && (
        <section aria-live="polite">
          <h3>
            Version {compared} → current ({current})
          </h3>
          {diff.error !== null && <ErrorMessage error={diff.error} />}
          {diff.data !== undefined &&
            (diff.data.changes.length === 0 ? (
              <p>No setting differs.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Field</th>
                      <th scope="col">Version {compared}</th>
                      <th scope="col">Current</th>
                    </tr>
                  </thead>
                  <tbody>
                    {diff.data.changes.map((c) => (
                      <tr key={c.field}>
                        <th scope="row">{fieldNames([c.field])}</th>
                        <td>{shown(c.from)}</td>
                        <td>{shown(c.to)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
        </section>
      )}
    </section>
  )
}
