/** The /v1/llms resource: one file per operation. */
import type { App, RouteDeps } from '../../app.js'
import { registerCreateLlm } from './create.js'
import { registerDeleteLlm } from './delete.js'
import { registerGetLlm } from './get.js'
import { registerLlmHistory } from './history.js'
import { registerListLlms } from './list.js'
import { registerUpdateLlm } from './update.js'

export function registerLlmRoutes(app: App, deps: RouteDeps): void {
  registerListLlms(app, deps)
  registerCreateLlm(app, deps)
  registerGetLlm(app, deps)
  registerUpdateLlm(app, deps)
  registerDeleteLlm(app, deps)
  registerLlmHistory(app, deps)
}
