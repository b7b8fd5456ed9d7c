/**
 * A PUT's write with nothing around it but bare node:http (started by bench/run.ts as the service
 * is: its node flags, its core). `PUT /v1/llms/<id>` reads the body, JSON.parses it and runs the
 * domain's update with its database write, as bench/floor.ts calls it (the actor of the
 * organization that owns WRITE_ID), then answers the bytes `POST /__answer` set: the service's
 * answer, as bench/bare-server.ts does. No framework, authentication, validation, serialization
 * or log line: what a server whose HTTP path cost no more than bare's would reach, which bounds
 * the PUT's ratio to bare from above whatever the service's HTTP path is made of.
 *
 * Environment: DATABASE_URL, LLMS_ENCRYPTION_KEY (base64), WRITE_ID (an LLM of the organization
 * to write as), PORT.
 */
import { createServer } from 'node:http'
import { parseDatabaseUrl } from '../src/config.js'
import { SecretBox } from '../src/crypto/secret-box.js'
import type { LlmPatch } from '../src/domain/llm.js'
import { openDatabase } from '../src/storage/database.js'
import { domainOf } from './updates.js'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`bench/write-server: ${name} is not set`)
  return value
}

const PREFIX = '/v1/llms/'
const storage = openDatabase(parseDatabaseUrl(env('DATABASE_URL')), { checkpoints: true })
const { services, actor } = await domainOf(storage, new SecretBox(Buffer.from(env('LLMS_ENCRYPTION_KEY'), 'base64')), env('WRITE_ID'))
let answer = { status: 200, body: Buffer.from('{}'), headers: { 'content-type': 'application/json; charset=utf-8' } }

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const raw = Buffer.concat(chunks)
    if (req.url === '/__answer') {
      const next = JSON.parse(raw.toString('utf8')) as { status: number; body: string; headers: Record<string, string> }
      answer = { status: next.status, body: Buffer.from(next.body), headers: { ...answer.headers, ...next.headers } }
      res.writeHead(204).end()
      return
    }
    const send = () => res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length }).end(answer.body)
    if (req.method !== 'PUT' || req.url?.startsWith(PREFIX) !== true) {
      send()
      return
    }
    const patch = JSON.parse(raw.toString('utf8')) as LlmPatch
    services.llms.update(actor, req.url.slice(PREFIX.length), patch).then(send, (error: unknown) => {
      process.stderr.write(`bench/write-server: ${String(error)}\n`)
      res.writeHead(500).end()
    })
  })
})

server.listen(Number(env('PORT')), '127.0.0.1')
process.on('SIGTERM', () => server.close(() => void storage.close().then(() => process.exit(0))))
