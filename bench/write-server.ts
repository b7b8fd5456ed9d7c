/**
 * A PUT's write with nothing around it but bare node:http (started by bench/run.ts as the service
 * is: its node flags, its core). `PUT /v1/llms/<id>` reads the body, JSON.parses it and runs the
 * domain's update with its database write, as bench/floor.ts calls it (the actor of the
 * organization that owns WRITE_ID), then answers the bytes `POST /__answer` set: the service's
 * answer, as bench/bare-server.ts does (see bench/answer-server.ts). No framework,
 * authentication, validation, serialization or log line: how far towards bare a PUT gets when
 * its HTTP path costs no more than bare's, whatever the service's HTTP path is made of.
 *
 * Environment: DATABASE_URL, LLMS_ENCRYPTION_KEY (base64), WRITE_ID (an LLM of the organization
 * to write as), PORT; and the service's own LLM_VERSIONS_KEPT (see serviceOptions).
 */
import { parseDatabaseUrl } from '../src/config.js'
import { SecretBox } from '../src/crypto/secret-box.js'
import type { LlmPatch } from '../src/domain/llm.js'
import { openDatabase } from '../src/storage/database.js'
import { answerServer } from './answer-server.js'
import { domainOf, serviceOptions } from './updates.js'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`bench/write-server: ${name} is not set`)
  return value
}

const PREFIX = '/v1/llms/'
const storage = openDatabase(parseDatabaseUrl(env('DATABASE_URL')), { checkpoints: true })
const { services, actor } = await domainOf(storage, new SecretBox(Buffer.from(env('LLMS_ENCRYPTION_KEY'), 'base64')), env('WRITE_ID'), serviceOptions())
const server = answerServer((req, body) => {
  if (req.method !== 'PUT' || req.url?.startsWith(PREFIX) !== true) return undefined
  return services.llms.update(actor, req.url.slice(PREFIX.length), JSON.parse(body.toString('utf8')) as LlmPatch)
})

server.listen(Number(env('PORT')), '127.0.0.1')
process.on('SIGTERM', () => server.close(() => void storage.close().then(() => process.exit(0))))
