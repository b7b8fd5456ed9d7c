/**
 * The signed-in key: kept in sessionStorage only (never localStorage, a cookie or a URL), so it
 * is gone when the tab closes; `Sign out` forgets it at once.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react'
import { createClient, type Client } from 'llm-registry/client'

const STORAGE_KEY = 'llm-registry.apiKey'

/**
 * Sends a request with its body as text rather than a stream: browsers send stream bodies only
 * over HTTP/2 with `duplex`, and developer tools show a text body where they cannot show a stream.
 */
async function sendAsText(request: Request): Promise<Response> {
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text()
  return fetch(request.url, { method: request.method, headers: request.headers, body: body === '' ? undefined : body, signal: request.signal })
}

export function clientFor(apiKey: string): Client {
  return createClient({ baseUrl: window.location.origin, apiKey, fetch: sendAsText, retry: { attempts: 2, maxDelayMs: 3000 } })
}

interface Session {
  client: Client | null
  signIn: (apiKey: string) => void
  signOut: () => void
}

const SessionContext = createContext<Session | null>(null)

export function SessionProvider({ children, onSignOut }: { children: ReactNode; onSignOut: () => void }) {
  const [apiKey, setApiKey] = useState(() => sessionStorage.getItem(STORAGE_KEY))
  const signIn = useCallback((key: string) => {
    sessionStorage.setItem(STORAGE_KEY, key)
    setApiKey(key)
  }, [])
  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY)
    setApiKey(null)
    onSignOut()
  }, [onSignOut])
  const client = useMemo(() => (apiKey === null ? null : clientFor(apiKey)), [apiKey])
  const session = useMemo(() => ({ client, signIn, signOut }), [client, signIn, signOut])
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>
}

export function useSession(): Session {
  const session = useContext(SessionContext)
  if (session === null) throw new Error('useSession outside SessionProvider')
  return session
}

/** The client of the signed-in key (pages below the sign-in gate only). */
export function useClient(): Client {
  const { client } = useSession()
  if (client === null) throw new Error('not signed in')
  return client
}
