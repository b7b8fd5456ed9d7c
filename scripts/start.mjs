#!/usr/bin/env node
// `npm start`: build only if the sources changed since the last build, then run the server in this
// same process (one Node start-up, not two).
import { build } from './build.mjs'

await build()
await import('../dist/bundle/server.mjs')
