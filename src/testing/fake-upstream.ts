/**
 * A fake LLM provider on loopback that speaks the real wire formats (OpenAI chat completions and
 * models, Azure deployments, Anthropic messages and models, Gemini streamGenerateContent and
 * models) with each provider's own error shapes and SSE streams. The model (or Azure deployment)
 * name picks the behaviour: `ok`, `think`, `bad-key`, `forbidden`, `missing`, `busy`, `broke`,
 * `overloaded`, `bad`, `boom`, `stall`, `stall-stream`, `cut`, `redirect`, `stream-error`.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'

export interface SeenRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

export interface FakeUpstream {
  url: string
  seen: SeenRequest[]
  /** TCP connections accepted, whatever happened on them. */
  connections: () => number
  close: () => Promise<void>
}

type Provider = 'openai' | 'azure' | 'anthropic' | 'gemini'

function route(method: string, path: string): { provider: Provider; model: string; stream: boolean } | undefined {
  let m: RegExpExecArray | null
  if ((m = /\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(path))) return { provider: 'azure', model: m[1] ?? '', stream: true }
  if (method === 'POST' && path.endsWith('/chat/completions')) return { provider: 'openai', model: '', stream: true }
  if (method === 'POST' && path.endsWith('/messages')) return { provider: 'anthropic', model: '', stream: true }
  if ((m = /\/models\/([^/:]+):streamGenerateContent$/.exec(path))) return { provider: 'gemini', model: decodeURIComponent(m[1] ?? ''), stream: true }
  if ((m = /\/v1beta\/models\/([^/:]+)$/.exec(path))) return { provider: 'gemini', model: decodeURIComponent(m[1] ?? ''), stream: false }
  if (method === 'GET' && (m = /\/models\/([^/]+)$/.exec(path))) {
    return { provider: path.includes('/anthropic/') ? 'anthropic' : 'openai', model: decodeURIComponent(m[1] ?? ''), stream: false }
  }
  return undefined
}

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
}
const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
}

/** An error body in the provider's own shape. */
function errorBody(provider: Provider, status: number, message: string, code?: string): string {
  if (provider === 'anthropic') return JSON.stringify({ type: 'error', error: { type: ANTHROPIC_TYPES[status] ?? 'api_error', message } })
  if (provider === 'gemini') return JSON.stringify({ error: { code: status, message, status: GOOGLE_STATUS[status] ?? 'UNKNOWN' } })
  return JSON.stringify({ error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code: code ?? null } })
}

function textEvents(provider: Provider, text: string[]): string[] {
  if (provider === 'anthropic') {
    return [
      `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', role: 'assistant', content: [] } })}\n\n`,
      ...text.map((t) => `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } })}\n\n`),
      `event: message_stop\ndata: ${JSON.stringify({ type: 'message_stop' })}\n\n`,
    ]
  }
  if (provider === 'gemini') {
    return text.map((t, i) => `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: t }] }, ...(i === text.length - 1 && { finishReason: 'STOP' }) }] })}\n\n`)
  }
  return [...text.map((t) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: t } }] })}\n\n`), 'data: [DONE]\n\n']
}

function streamError(provider: Provider): string {
  if (provider === 'anthropic') return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`
  if (provider === 'gemini') return `data: ${JSON.stringify({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } })}\n\n`
  return `data: ${JSON.stringify({ error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } })}\n\n`
}

function handle(req: IncomingMessage, res: ServerResponse, body: string, key: string): void {
  const url = new URL(req.url ?? '/', 'http://fake')
  const target = route(req.method ?? 'GET', url.pathname)
  if (target === undefined) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"no such route"}}')
    return
  }
  const { provider, stream } = target
  let model = target.model
  if (model === '') model = (JSON.parse(body || '{}') as { model?: string }).model ?? ''
  const presented = req.headers['x-api-key'] ?? req.headers['api-key'] ?? req.headers['x-goog-api-key'] ?? req.headers.authorization?.replace(/^Bearer /, '')
  const fail = (status: number, message: string, headers: Record<string, string> = {}, code?: string): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(errorBody(provider, status, message, code))
  }
  if (presented !== key || model === 'bad-key') return fail(401, `Incorrect API key provided: ${String(presented)}. You can find your API key in your account.`, {}, 'invalid_api_key')
  switch (model) {
    case 'forbidden':
      return fail(403, 'This project does not have access to this model.')
    case 'missing':
      return fail(404, `The model ${model} does not exist or you do not have access to it.`, {}, 'model_not_found')
    case 'busy':
      return fail(429, 'Rate limit reached for requests per minute.', { 'retry-after': '7' }, 'rate_limit_exceeded')
    case 'broke':
      return fail(provider === 'anthropic' ? 400 : 429, 'You exceeded your current quota, please check your plan and billing details.', {}, 'insufficient_quota')
    case 'overloaded':
      return fail(provider === 'anthropic' ? 529 : 503, 'The server is overloaded, try again later.', { 'retry-after': '3' })
    case 'bad':
      return fail(400, "Unsupported value: 'temperature' does not support 0.5 with this model.")
    case 'boom':
      return fail(500, 'The server had an error while processing your request.')
    case 'redirect':
      res.writeHead(302, { location: 'https://elsewhere.example/v1/chat/completions' }).end()
      return
    case 'stall':
      return // never answers; the client's timeout ends it
  }
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: model, object: 'model', name: `models/${model}` }))
    return
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const events = textEvents(provider, model === 'think' ? [] : ['Hello', ' there'])
  if (model === 'stream-error') {
    res.write(events[0])
    res.end(streamError(provider))
  } else if (model === 'stall-stream') {
    res.write(events[0]) // then nothing: the stream stalls
  } else if (model === 'cut') {
    res.write(events[0] ?? '', () => res.socket?.destroy())
  } else {
    for (const event of events) res.write(event)
    res.end()
  }
}

/** Starts the fake on a free loopback port; `tls` serves HTTPS with the given (self-signed) certificate. */
export async function startFakeUpstream(key: string, tls?: { key: string; cert: string }): Promise<FakeUpstream> {
  const seen: SeenRequest[] = []
  const sockets = new Set<Socket>()
  let connections = 0
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.on('data', (chunk) => (body += String(chunk)))
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      handle(req, res, body, key)
    })
  }
  const server: Server = tls === undefined ? createHttpServer(listener) : createHttpsServer(tls, listener)
  server.on('connection', (socket: Socket) => {
    connections += 1
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    seen,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
