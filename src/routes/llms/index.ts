/** The /v1/llms resource: one file per operation. */
import type { App, RouteDeps } from '../../http/app-types.js'
import { CHECK_SCHEMAS, LLM_SCHEMAS, VERSION_SCHEMAS } from '../../contract/llms.js'
import { registerCheckLlm } from './check.js'
import { registerCreateLlm } from './create.js'
import { registerDeleteLlm } from './delete.js'
import { registerGetLlm } from './get.js'
import { registerLlmHistory } from './history.js'
import { registerListLlms } from './list.js'
import { registerRestoreLlm } from './restore.js'
import { registerUpdateLlm } from './update.js'
import { registerLlmVersions } from './versions.js'

/** Registers the resource's components (by $id) and its operations. */
export function registerLlmRoutes(app: App, deps: RouteDeps): void {
  for (const schema of [...LLM_SCHEMAS, ...VERSION_SCHEMAS, ...CHECK_SCHEMAS]) app.addSchema(schema)
  registerListLlms(app, deps)
  registerCreateLlm(app, deps)
  registerGetLlm(app, deps)
  registerUpdateLlm(app, deps)
  registerDeleteLlm(app, deps)
  registerLlmHistory(app, deps)
  registerLlmVersions(app, deps)
  registerRestoreLlm(app, deps)
  registerCheckLlm(app, deps)
}
