/** The last check of an LLM (null when it was never checked), shared by the list and the Check tab. */
import { useQuery } from '@tanstack/react-query'
import { ApiError } from 'llm-registry/client'
import { useClient } from './session.js'

export const lastCheckKey = (id: string) => ['lastCheck', id]

export function useLastCheck(id: string, enabled = true) {
  const client = useClient()
  return useQuery({
    queryKey: lastCheckKey(id),
    queryFn: async () => {
      try {
        return await client.llms.lastCheck(id)
      } catch (error) {
        // Never checked (404), or not this organization's to check (403, a default).
        if (error instanceof ApiError && (error.statusCode === 404 || error.statusCode === 403)) return null
        throw error
      }
    },
    enabled,
  })
}
