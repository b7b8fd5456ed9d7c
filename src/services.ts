/**
 * The composition root: the domain's services wired to one database and one keyring. The server,
 * the CLI, the tests and the benchmark build them here; `buildApp` only receives them.
 */
import { generateApiKey } from './crypto/api-keys.js'
import { CheckService } from './domain/check-service.js'
import { LlmService } from './domain/llm-service.js'
import { OrganizationService, type ApiKeyStore } from './domain/organizations.js'
import type { SealedSecretStore, SecretKeyring } from './domain/ports.js'
import type { Storage } from './storage/database.js'
import { KyselyLlmRepository } from './storage/llm-repository.js'
import { KyselyOrgStore } from './storage/org-store.js'
import { KyselySecretStore } from './storage/secret-store.js'
import { KyselyCheckStore } from './storage/check-store.js'
import { HttpUpstreamChecker } from './upstream/check.js'
import { DEFAULT_UPSTREAM_LIMITS, createUpstreamHttp, type UpstreamLimits } from './upstream/safe-http.js'

export interface Services {
  llms: LlmService
  checks: CheckService
  orgs: OrganizationService
  apiKeys: ApiKeyStore
  secrets: SealedSecretStore
  /** Resolves when the database answers a trivial query. */
  ping: () => Promise<void>
  /** Closes the upstream connections (the database is closed by its owner). */
  close: () => Promise<void>
  /**
   * A number that changes after every commit to the database by anyone (SQLite files), read
   * without a round trip: what the read cache checks. Absent on PostgreSQL.
   */
  changeVersion?: () => number
  /**
   * PostgreSQL: a token that changes whenever an LLM's row does (by anyone), read in one light
   * round trip; undefined when there is no such row. What the cache of single LLMs checks there.
   */
  rowStamp?: (id: string) => Promise<string | undefined>
  /** SQLite: the group commit's counts (commits, and the writes they carried); see GroupCommit. */
  commits?: () => { commits: number; writes: number }
  /** PostgreSQL: the statements of batched writes (see WriteBatch), the writes they carried, and the seconds they were out. */
  pgWrites?: () => { statements: number; writes: number; seconds: number }
}

/** Organizations and keys alone: the operators' commands need no keyring. */
export function organizationsOf(storage: Storage): OrganizationService {
  return new OrganizationService(new KyselyOrgStore(storage.db), generateApiKey)
}

export interface ServiceOptions {
  /** Versions kept per LLM; 0 keeps all (default 100). */
  versionsKept?: number
  /** How upstream checks connect (ALLOW_PRIVATE_UPSTREAMS, timeouts). */
  upstream?: Partial<UpstreamLimits>
}

export function createServices(storage: Storage, keyring: SecretKeyring, options: ServiceOptions = {}): Services {
  const orgStore = new KyselyOrgStore(storage.db)
  const repository = new KyselyLlmRepository(storage, options)
  const llms = new LlmService(repository, keyring)
  const http = createUpstreamHttp({ ...DEFAULT_UPSTREAM_LIMITS, ...options.upstream })
  return {
    llms,
    checks: new CheckService(repository, llms, keyring, new HttpUpstreamChecker(http), new KyselyCheckStore(storage.db)),
    orgs: new OrganizationService(orgStore, generateApiKey),
    apiKeys: orgStore,
    secrets: new KyselySecretStore(storage.db),
    ping: () => storage.ping(),
    close: () => http.close(),
    ...(storage.reader !== undefined && { changeVersion: storage.reader.dataVersion }),
    ...(storage.pg !== undefined && { rowStamp: (id: string) => repository.stampOf(id) }),
    ...(storage.writer !== undefined && { commits: () => repository.commitStats() }),
    ...(storage.pg !== undefined && { pgWrites: () => repository.pgWriteStats() }),
  }
}
