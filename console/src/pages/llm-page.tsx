import { useQuery } from '@tanstack/react-query'
import { useEffect } from 'react'
import { Link } from 'wouter'
import { ErrorMessage } from '../errors.js'
import { useClient } from '../session.js'
import { CheckTab } from './check-tab.js'
import { EditTab } from './edit-tab.js'
import { HistoryTab } from './history-tab.js'
import { VersionsTab } from './versions-tab.js'

const TABS = [
  { path: '', label: 'Settings' },
  { path: 'check', label: 'Check' },
  { path: 'history', label: 'History' },
  { path: 'versions', label: 'Versions' },
] as const

/** One LLM: its settings (edit, or read-only for defaults and global LLMs), check, history and versions. */
export function LlmPage({ params }: { params: { id: string; tab?: string } }) {
  const client = useClient()
  const id = params.id
  const tab = params.tab ?? ''
  const llm = useQuery({ queryKey: ['llm', id], queryFn: () => client.llms.get(id) })
  const name = llm.data?.data.displayName
  useEffect(() => {
    document.title = `${name ?? 'LLM'} — llm-registry`
  }, [name])

  if (llm.data === undefined) return llm.error === null ? <p>Loading…</p> : <ErrorMessage error={llm.error} />
  const record = llm.data.data
  const readOnly = record.isDefault || record.isGlobal
  const tabs = TABS.filter((t) => !(readOnly && t.path === 'check'))
  return (
    <>
      <p className="crumbs">
        <Link href="/">LLMs</Link> /
      </p>
      <div className="title-row">
        <h1>{record.displayName}</h1>
        {record.isDefault && <span className="badge">Default</span>}
        {record.isGlobal && !record.isDefault && <span className="badge">Global</span>}
      </div>
      {readOnly && <p className="notice">This is a built-in {record.isDefault ? 'default' : 'global LLM'}: it is read-only. Duplicate it to make your own.</p>}
      <nav className="tabs" aria-label="LLM sections">
        {tabs.map((t) => (
          <Link key={t.path} href={`/llms/${encodeURIComponent(id)}${t.path === '' ? '' : `/${t.path}`}`} aria-current={tab === t.path ? 'page' : undefined}>
            {t.label}
          </Link>
        ))}
      </nav>
      {tab === '' && <EditTab key={id} loaded={llm.data} readOnly={readOnly} />}
      {tab === 'check' && !readOnly && <CheckTab llm={record} />}
      {tab === 'history' && <HistoryTab id={id} />}
      {tab === 'versions' && <VersionsTab llm={record} etag={llm.data.etag} readOnly={readOnly} />}
    </>
  )
}
