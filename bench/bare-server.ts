/**
 * The floor: a bare node:http server answering the same bytes as the service. For bodies it reads
 * and JSON.parses the request, as any JSON API must. `POST /__answer` sets the next answer.
 */
import { answerServer } from './answer-server.js'

const server = answerServer((_req, body) => {
  if (body.length > 0) JSON.parse(body.toString('utf8'))
  return undefined
})

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address()
  if (address !== null && typeof address === 'object') process.stdout.write(`listening ${address.port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
