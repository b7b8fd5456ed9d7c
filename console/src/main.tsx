import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { ApiError } from 'llm-registry/client'
import { StrictMode, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { Link, Route, Router, Switch } from 'wouter'
import { ListPage } from './pages/list-page.js'
import { LlmPage } from './pages/llm-page.js'
import { NewLlmPage } from './pages/new-llm-page.js'
import { SignInPage } from './pages/sign-in-page.js'
import { SessionProvider, useSession } from './session.js'
import './styles.css'

function Shell() {
  const { client, signOut } = useSession()
  if (client === null) return <SignInPage />
  return (
    <>
      <header className="top">
        <Link href="/" className="brand">
          llm-registry
        </Link>
        <nav aria-label="Main">
          <Link href="/">LLMs</Link>
          <Link href="/llms/new">New LLM</Link>
          <button type="button" className="link" onClick={signOut}>
            Sign out
          </button>
        </nav>
      </header>
      <main>
        <Switch>
          <Route path="/" component={ListPage} />
          <Route path="/llms/new" component={NewLlmPage} />
          <Route path="/llms/:id/:tab?" component={LlmPage} />
          <Route>
            <h1>Not found</h1>
            <p>
              No page here. <Link href="/">Back to the list</Link>
            </p>
          </Route>
        </Switch>
      </main>
    </>
  )
}

function App() {
  const [signedOut, setSignedOut] = useState(0)
  // A key revoked while signed in answers 401 anywhere: that ends the session.
  const [queryClient] = useState(() => {
    const onError = (error: unknown) => {
      if (error instanceof ApiError && error.statusCode === 401) {
        sessionStorage.clear()
        setSignedOut((n) => n + 1)
      }
    }
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 5_000 } },
    })
  })
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider key={signedOut} onSignOut={() => queryClient.clear()}>
        <Router base="/console">
          <Shell />
        </Router>
      </SessionProvider>
    </QueryClientProvider>
  )
}

const root = document.getElementById('root')
if (root === null) throw new Error('no #root element')
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
