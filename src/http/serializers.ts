/** Response serializers (fast-json-stringify), compiled once a schema rather than once a route and status. */
import type { FastifyReply } from 'fastify'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'

type Factory = ReturnType<typeof SerializerSelector>
type Serializer = (data: unknown) => string

/**
 * Fastify's own serializer factory behind a cache: every operation declares the same error
 * responses (and every GET has a HEAD twin), so most compilations at start-up are repeats, and
 * each one costs a few milliseconds. Keyed by the schema's JSON and the set of shared schemas it
 * may refer to, because Fastify hands each route its own copy of a schema.
 */
export function cachedSerializers(): Factory {
  const build = SerializerSelector()
  const cache = new Map<string, Serializer>()
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options)
    const shared = Object.keys(externalSchemas ?? {}).sort().join(',')
    return (route) => {
      const key = `${shared}\n${JSON.stringify(route.schema)}`
      let serialize = cache.get(key)
      if (serialize === undefined) {
        serialize = compile(route) as Serializer
        cache.set(key, serialize)
      }
      return serialize
    }
  }
}

const JSON_TYPE = 'application/json; charset=utf-8'

/** Sends JSON already serialized by the route's own response serializer (`reply.serialize`), or a cached copy of it. */
export function sendSerialized(reply: FastifyReply, body: string): FastifyReply {
  return reply.type(JSON_TYPE).send(body)
}
