import { keepPreviousData, useQuery } from '@tanstack/react-query'
import type { Llm } from 'llm-registry/client'
import { useEffect, useState } from 'react'
import { Link, useLocation, useSearch } from 'wouter'
import { Pager } from '../components/pager.js'
import { ErrorMessage } from '../errors.js'
import { useLastCheck } from '../last-check.js'
import { FORMATS } from '../form.js'
import { useClient } from '../session.js'
import { ago, exact } from '../time.js'

const PER_PAGE = 20

/** The list's state lives in the URL: `?search=…&page=…&defaults=off`. */
function useListParams() {
  const params = new URLSearchParams(useSearch())
  const [, navigate] = useLocation()
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1)
  const state = { search: params.get('search') ?? '', page, includeDefaults: params.get('defaults') !== 'off' }
  const set = (next: Partial<typeof state>) => {
    const merged = { ...state, ...next }
    const query = new URLSearchParams()
    if (merged.search !== '') query.set('search', merged.search)
    if (merged.page > 1) query.set('page', String(merged.page))
    if (!merged.includeDefaults) query.set('defaults', 'off')
    const text = query.toString()
    navigate(text === '' ? '/' : `/?${text}`, { replace: next.page === undefined })
  }
  return [state, set] as const
}

export const formatLabel = (format: Llm['llmFormat']) => FORMATS.find((f) => f.value === format)?.label ?? format

export function SecretState({ llm }: { llm: Llm }) {
  if (!llm.hasSecret) return <span className="muted">not set</span>
  return <span title={llm.secretUpdatedAt === null ? undefined : exact(llm.secretUpdatedAt)}>set {llm.secretUpdatedAt === null ? '' : ago(llm.secretUpdatedAt)}</span>
}

function LastCheck({ llm }: { llm: Llm }) {
  const readOnly = llm.isDefault || llm.isGlobal
  const check = useLastCheck(llm.id, !readOnly)
  if (readOnly) return <span className="muted">—</span>
  if (check.data === undefined) return <span className="muted">…</span>
  if (check.data === null) return <span className="muted">never</span>
  return (
    <span className={check.data.ok ? 'ok' : 'bad'} title={exact(check.data.checkedAt)}>
      {check.data.ok ? '✓ answers' : '✗ failed'} {ago(check.data.checkedAt)}
    </span>
  )
}

export function ListPage() {
  const client = useClient()
  const [params, setParams] = useListParams()
  const [search, setSearch] = useState(params.search)

  // The search box is debounced: the URL (and the request) follow 300 ms after typing stops.
  useEffect(() => {
    if (search === params.search) return
    const timer = setTimeout(() => setParams({ search, page: 1 }), 300)
    return () => clearTimeout(timer)
  }, [search])
  useEffect(() => setSearch(params.search), [params.search])

  const list = useQuery({
    queryKey: ['llms', params],
    queryFn: () =>
      client.llms.list({
        page: params.page,
        perPage: PER_PAGE,
        includeDefaults: params.includeDefaults,
        ...(params.search !== '' && { search: params.search }),
      }),
    placeholderData: keepPreviousData,
  })

  useEffect(() => {
    document.title = 'LLMs — llm-registry'
  }, [])

  const meta = list.data?.meta
  return (
    <>
      <div className="title-row">
        <h1>LLMs</h1>
        <Link href="/llms/new" className="button">
          New LLM
        </Link>
      </div>
      <div className="toolbar">
        <label className="search">
          Search
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name, model or description" />
        </label>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            checked={params.includeDefaults}
            onChange={(e) => setParams({ includeDefaults: e.target.checked, page: 1 })}
          />
          Show defaults
        </label>
      </div>
      {list.error !== null && <ErrorMessage error={list.error} />}
      {list.data !== undefined && (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">LLM configurations</caption>
              <thead>
                <tr>
                  <th scope="col">Display name</th>
                  <th scope="col">Format</th>
                  <th scope="col">Model</th>
                  <th scope="col" className="wide">
                    Regions
                  </th>
                  <th scope="col">Secret</th>
                  <th scope="col" className="wide">
                    Last check
                  </th>
                  <th scope="col" className="wide">
                    Updated
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.data.map((llm) => (
                  <tr key={llm.id}>
                    <th scope="row">
                      <Link href={`/llms/${encodeURIComponent(llm.id)}`}>{llm.displayName}</Link>
                      {llm.isDefault && <span className="badge">Default</span>}
                      {llm.isGlobal && !llm.isDefault && <span className="badge">Global</span>}
                    </th>
                    <td>{formatLabel(llm.llmFormat)}</td>
                    <td>{llm.modelName ?? <span className="muted">—</span>}</td>
                    <td className="wide">{regionsOf(llm)}</td>
                    <td>
                      <SecretState llm={llm} />
                    </td>
                    <td className="wide">
                      <LastCheck llm={llm} />
                    </td>
                    <td className="wide" title={exact(llm.updatedAt ?? llm.createdAt)}>
                      {ago(llm.updatedAt ?? llm.createdAt)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {list.data.data.length === 0 && (
            <p className="empty">{params.search === '' ? 'No LLMs yet: create the first with “New LLM”.' : `Nothing matches “${params.search}”.`}</p>
          )}
          {meta !== undefined && (
            <Pager meta={meta} label="Pages" onPage={(page) => setParams({ page })}>
              {' '}
              · {meta.total} {meta.total === 1 ? 'LLM' : 'LLMs'}
            </Pager>
          )}
        </>
      )}
    </>
  )
}

function regionsOf(llm: Llm) {
  const regions = [...new Set(llm.urls.map((u) => u.region ?? 'any'))]
  return regions.length === 0 ? <span className="muted">—</span> : regions.join(', ')
}
