#!/usr/bin/env node
// Writes src/client/openapi-types.ts from the OpenAPI document of the app as built now.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from './build.mjs'

await build()
const { clientTypesOf, openApiDocument } = await import('../dist/src/openapi.js')
const out = fileURLToPath(new URL('../src/client/openapi-types.ts', import.meta.url))
writeFileSync(out, await clientTypesOf(await openApiDocument()))
process.stderr.write(`wrote ${out}\n`)
