/** How an error from the service reads on a page: the message, and the request id when the service failed. */
import { ApiError, ConnectionError } from 'llm-registry/client'

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const id = error.requestId === undefined ? '' : ` (request id ${error.requestId})`
    if (error.statusCode >= 500) return `The service failed: ${error.message}${id}. Try again; if it persists, give the request id to your operator.`
    if (error.statusCode === 429) return `Too many requests: ${error.message}${id}`
    return `${error.message}${id}`
  }
  if (error instanceof ConnectionError) return `Cannot reach the service: ${error.message}. Check that it is running.`
  return error instanceof Error ? error.message : String(error)
}

export function ErrorMessage({ error }: { error: unknown }) {
  return (
    <p role="alert" className="error">
      {describeError(error)}
    </p>
  )
}
