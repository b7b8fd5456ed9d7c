/**
 * The floor: a bare node:http server answering the same bytes as the service. For bodies it reads
 * and JSON.parses the request, as any JSON API must. `POST /__answer` sets the next answer.
 */
import { createServer } from 'node:http'

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
    if (raw.length > 0) JSON.parse(raw.toString('utf8'))
    res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length }).end(answer.body)
  })
})

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address()
  if (address !== null && typeof address === 'object') process.stdout.write(`listening ${address.port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
