/**
 * The web console (console/, built by `npm run build` into dist/console): static files at
 * /console/, any other path below it answers the app's page (deep links), `/` redirects there.
 * Security headers through @fastify/helmet, in this scope only: the API's JSON answers do not pay
 * for them on every request.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import helmet from '@fastify/helmet'
import fastifyStatic from '@fastify/static'
import { AppError } from '../domain/errors.js'
import type { App } from './app-types.js'
import { sendError } from './errors.js'

/** The console's Content-Security-Policy: everything from this origin, no inline or eval'd script, never framed. */
export const CONSOLE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
}

export async function registerConsole(app: App, dir: string | undefined): Promise<void> {
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/console/'))
  const built = dir !== undefined && existsSync(join(dir, 'index.html'))
  await app.register(async (scope) => {
    await scope.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP },
      referrerPolicy: { policy: 'no-referrer' },
      frameguard: { action: 'deny' },
      crossOriginEmbedderPolicy: false,
      hsts: false,
    })
    if (!built) {
      // A checkout that was never built (npm ci --ignore-scripts): say how to get the console.
      scope.get('/console/*', { schema: { hide: true } }, (_request, reply) =>
        reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: run `npm run build`, then restart.\n'),
      )
      return
    }
    await scope.register(fastifyStatic, {
      root: dir,
      prefix: '/console/',
      wildcard: false,
      index: ['index.html'],
      cacheControl: false,
      // File names under assets/ carry a content hash: cache them for good; the page itself never.
      setHeaders: (res, path) => {
        res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache')
      },
    })
    // A missing asset is a 404, never the page (a stale tab asking for an old bundle must not get HTML).
    scope.get('/console/assets/*', { schema: { hide: true } }, (request, reply) =>
      sendError(request, reply, new AppError('not_found', `No console file at ${request.url}`)),
    )
    // Deep links (/console/llms/<id>/check, …) load the app, which routes in the browser.
    scope.get('/console/*', { schema: { hide: true } }, (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'))
  })
}
