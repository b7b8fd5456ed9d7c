import { useMutation, useQueryClient } from '@tanstack/react-query'
import { PROBLEM_EXPLANATIONS, type CheckResult, type Llm } from 'llm-registry/client'
import { useId, useState } from 'react'
import { ErrorMessage } from '../errors.js'
import { lastCheckKey, useLastCheck } from '../last-check.js'
import { useClient } from '../session.js'
import { ago, exact } from '../time.js'

const DEFAULT_PROMPT = 'Say hello in one word.'

/** Calls the LLM's upstream through the service and says, per URL, whether it answers and why not. */
export function CheckTab({ llm }: { llm: Llm }) {
  const client = useClient()
  const queryClient = useQueryClient()
  const promptId = useId()
  const [prompt, setPrompt] = useState(DEFAULT_PROMPT)
  const last = useLastCheck(llm.id)
  const check = useMutation({
    mutationFn: () => client.llms.check(llm.id, { all: true }),
    onSuccess: (result: CheckResult) => queryClient.setQueryData(lastCheckKey(llm.id), result),
  })
  // Try it is recorded as the last check too (the list shows it), but the Check section keeps
  // showing the check of every URL it ran.
  const tryIt = useMutation({
    mutationFn: () => client.llms.check(llm.id, { mode: 'completion', prompt }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: lastCheckKey(llm.id) }),
  })

  const shownResult = check.data ?? last.data ?? null
  return (
    <section aria-labelledby={`${promptId}-check`}>
      <h2 id={`${promptId}-check`}>Check</h2>
      <p className="hint">
        Calls the provider with this configuration and its stored secret, the way a persona would, and says in words what is wrong when it does not answer.
        {llm.urls.length > 1 ? ' Every URL is checked.' : ''}
      </p>
      <div className="actions">
        <button type="button" onClick={() => check.mutate()} disabled={check.isPending}>
          {check.isPending ? 'Checking…' : 'Check'}
        </button>
      </div>
      {check.error !== null && <ErrorMessage error={check.error} />}
      {shownResult !== null && <CheckResults result={shownResult} />}
      {shownResult === null && last.isSuccess && <p className="muted">Not checked yet.</p>}

      <h2>Try it</h2>
      <form
        className="try-it"
        onSubmit={(e) => {
          e.preventDefault()
          tryIt.mutate()
        }}
      >
        <label htmlFor={promptId}>Prompt</label>
        <textarea id={promptId} rows={2} value={prompt} maxLength={2000} onChange={(e) => setPrompt(e.target.value)} />
        <div className="actions">
          <button type="submit" disabled={tryIt.isPending || prompt.trim() === ''}>
            {tryIt.isPending ? 'Asking…' : 'Try it'}
          </button>
        </div>
      </form>
      {tryIt.error !== null && <ErrorMessage error={tryIt.error} />}
      {tryIt.data !== undefined &&
        tryIt.data.results.map((r, i) => (
          <div className="reply" key={i} aria-live="polite">
            {r.ok ? (
              <>
                <p className="label">
                  Reply{r.timeToFirstTokenMs === undefined ? '' : `, first token after ${r.timeToFirstTokenMs} ms`}
                  {r.latencyMs === null ? '' : `, complete after ${r.latencyMs} ms`}:
                </p>
                <blockquote>{r.reply === undefined || r.reply === '' ? <span className="muted">(an empty answer)</span> : r.reply}</blockquote>
              </>
            ) : (
              <Problem result={r} />
            )}
          </div>
        ))}
    </section>
  )
}

function CheckResults({ result }: { result: CheckResult }) {
  return (
    <div className="check-results">
      <p>
        <strong className={result.ok ? 'ok' : 'bad'}>{result.ok ? '✓ It answers.' : '✗ It does not work.'}</strong>{' '}
        <span className="muted" title={exact(result.checkedAt)}>
          Checked {ago(result.checkedAt)} ({result.mode === 'model' ? 'model lookup' : 'completion'}).
        </span>
      </p>
      <ul className="results">
        {result.results.map((r, i) => (
          <li key={i}>
            <p className="url">
              {r.url ?? 'no URL'} <span className="muted">· region {r.region ?? 'any'}</span>
            </p>
            {r.ok ? (
              <p className="ok">✓ answers{r.status === null ? '' : ` (HTTP ${r.status})`}</p>
            ) : (
              <Problem result={r} />
            )}
            <p className="muted">{r.latencyMs === null ? 'no answer' : `${r.latencyMs} ms`}</p>
          </li>
        ))}
      </ul>
    </div>
  )
}

function Problem({ result }: { result: CheckResult['results'][number] }) {
  const problem = result.problem
  return (
    <div className="problem">
      <p>
        <span className="bad">✗ {problem === undefined ? 'failed' : problem.replace(/_/g, ' ')}</span>
        {result.status === null ? '' : ` (HTTP ${result.status})`}
      </p>
      {problem !== undefined && <p>{PROBLEM_EXPLANATIONS[problem]}</p>}
      {result.retryAfterSeconds !== undefined && <p>The provider asks to wait {result.retryAfterSeconds} s.</p>}
      {result.detail !== undefined && result.detail !== '' && (
        <p className="detail">
          The provider said: <q>{result.detail}</q>
        </p>
      )}
    </div>
  )
}
