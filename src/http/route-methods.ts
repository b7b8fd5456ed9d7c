/** Which methods each path answers, so a known path asked with another method gets 405 and `Allow`. */
import type { FastifyInstance } from 'fastify'

interface KnownPath {
  pattern: RegExp
  methods: Set<string>
}

/**
 * Watches every route as it is added (call before registering routes) and returns a lookup:
 * the methods a concrete path is served with, empty for an unknown path.
 */
export function trackRouteMethods(app: FastifyInstance): (path: string) => string[] {
  const known = new Map<string, KnownPath>()
  app.addHook('onRoute', (route) => {
    const url = route.url.replace(/\/$/, '')
    const source = url.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+').replace(/\*/g, '.*')
    const entry = known.get(url) ?? { pattern: new RegExp(`^${source}/?$`), methods: new Set<string>() }
    for (const method of [route.method].flat()) entry.methods.add(method)
    known.set(url, entry)
  })
  return (path) => {
    const methods = new Set<string>()
    for (const { pattern, methods: served } of known.values()) {
      if (pattern.test(path)) for (const method of served) methods.add(method)
    }
    return [...methods].sort()
  }
}
