import { ApiError } from 'llm-registry/client'
import { useId, useState, type FormEvent } from 'react'
import { describeError } from '../errors.js'
import { clientFor, useSession } from '../session.js'

export function SignInPage() {
  const { signIn } = useSession()
  const [key, setKey] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const id = useId()

  async function submit(event: FormEvent) {
    event.preventDefault()
    const apiKey = key.trim()
    if (apiKey === '') {
      setProblem('Paste an API key first.')
      return
    }
    setBusy(true)
    setProblem(null)
    try {
      // One cheap authenticated call proves the key before it is kept.
      await clientFor(apiKey).llms.list({ perPage: 1 })
      signIn(apiKey)
    } catch (error) {
      setProblem(
        error instanceof ApiError && error.statusCode === 401
          ? 'That API key was not accepted: check that you pasted all of it. An operator can make a new one with `llm-registry keys create --org default`.'
          : describeError(error),
      )
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="sign-in">
      <h1>llm-registry</h1>
      <p>Sign in with an API key of your organization. It is kept in this tab only and forgotten when you sign out or close the tab.</p>
      <form onSubmit={submit} noValidate>
        <label htmlFor={id}>API key</label>
        <input
          id={id}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={problem !== null}
          aria-describedby={problem === null ? undefined : `${id}-problem`}
          placeholder="llmr_…"
        />
        {problem !== null && (
          <p id={`${id}-problem`} role="alert" className="error">
            {problem}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}
