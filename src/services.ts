/**
 * The composition root: the domain's services wired to one database and one keyring. The server,
 * the CLI, the tests and the benchmark build them here; `buildApp` only receives them.
 */
import { generateApiKey } from './crypto/api-keys.js'
import { LlmService } from './domain/llm-service.js'
import { OrganizationService, type ApiKeyStore } from './domain/organizations.js'
import type { SealedSecretStore, SecretKeyring } from './domain/ports.js'
import type { Storage } from './storage/database.js'
import { KyselyLlmRepository } from './storage/llm-repository.js'
import { KyselyOrgStore } from './storage/org-store.js'
import { KyselySecretStore } from './storage/secret-store.js'

export interface Services {
  llms: LlmService
  orgs: OrganizationService
  apiKeys: ApiKeyStore
  secrets: SealedSecretStore
  /** Resolves when the database answers a trivial query. */
  ping: () => Promise<void>
}

/** Organizations and keys alone: the operators' commands need no keyring. */
export function organizationsOf(storage: Storage): OrganizationService {
  return new OrganizationService(new KyselyOrgStore(storage.db), generateApiKey)
}

export interface ServiceOptions {
  /** Versions kept per LLM; 0 keeps all (default 100). */
  versionsKept?: number
}

export function createServices(storage: Storage, keyring: SecretKeyring, options: ServiceOptions = {}): Services {
  const orgStore = new KyselyOrgStore(storage.db)
  return {
    llms: new LlmService(new KyselyLlmRepository(storage, options), keyring),
    orgs: new OrganizationService(orgStore, generateApiKey),
    apiKeys: orgStore,
    secrets: new KyselySecretStore(storage.db),
    ping: () => storage.ping(),
  }
}
