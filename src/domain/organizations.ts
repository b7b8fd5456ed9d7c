/** Organizations and their API keys: who may call the API. Keys are minted by crypto and stored as hashes only. */
import { randomUUID } from 'node:crypto'
import type { Permission } from './access.js'

export interface Organization {
  id: string
  name: string
  createdAt: string
}

export interface ApiKeyInfo {
  id: string
  organizationId: string
  permissions: Permission[]
  createdAt: string
  revokedAt: string | null
}

/** A key as stored: its hash, never the key. */
export interface StoredApiKey extends ApiKeyInfo {
  hash: string
}

/** A freshly minted key: `raw` is shown once and never stored. */
export interface MintedApiKey {
  id: string
  raw: string
  hash: string
}

/** What authentication needs from storage. */
export interface ApiKeyStore {
  /** The key with this id, unless it is revoked. */
  findActiveKey(keyId: string): Promise<StoredApiKey | undefined>
}

/** Storage of organizations and keys; each key change is audited in its own transaction. */
export interface OrgStore extends ApiKeyStore {
  insertOrganization(org: Organization): Promise<void>
  /** Finds an organization by its id or, failing that, by its name. */
  findOrganization(idOrName: string): Promise<Organization | undefined>
  listOrganizations(): Promise<Organization[]>
  insertApiKey(key: StoredApiKey): Promise<void>
  /** False when there is no such key or it was revoked already. */
  revokeApiKey(keyId: string): Promise<boolean>
  listApiKeys(organizationId: string): Promise<ApiKeyInfo[]>
  /**
   * Creates the organization and its key only when there is no organization at all, atomically
   * (of several processes starting together, one does it); true when this call did.
   */
  insertFirstOrganization(org: Organization, key: StoredApiKey): Promise<boolean>
}

export const ALL_PERMISSIONS: readonly Permission[] = ['llms:read', 'llms:write']

/** The operators' operations on organizations and keys. */
export class OrganizationService {
  constructor(
    private readonly store: OrgStore,
    private readonly mint: () => MintedApiKey,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createOrganization(name: string): Promise<Organization> {
    const org = { id: randomUUID(), name, createdAt: this.now().toISOString() }
    await this.store.insertOrganization(org)
    return org
  }

  findOrganization(idOrName: string): Promise<Organization | undefined> {
    return this.store.findOrganization(idOrName)
  }

  listOrganizations(): Promise<Organization[]> {
    return this.store.listOrganizations()
  }

  /** Creates a key; the raw key in the result is the only copy there will ever be. */
  async createApiKey(organizationId: string, permissions: readonly Permission[]): Promise<ApiKeyInfo & { raw: string }> {
    const minted = this.mint()
    const key = this.stored(minted, organizationId, permissions)
    await this.store.insertApiKey(key)
    const { hash: _hash, ...info } = key
    return { ...info, raw: minted.raw }
  }

  revokeApiKey(keyId: string): Promise<boolean> {
    return this.store.revokeApiKey(keyId)
  }

  listApiKeys(organizationId: string): Promise<ApiKeyInfo[]> {
    return this.store.listApiKeys(organizationId)
  }

  /**
   * The embedded default's first start: an organization `default` with a read-write key, made
   * only when there is no organization yet. Returns the raw key when this call made it.
   */
  async createFirstOrganization(): Promise<string | undefined> {
    const org = { id: randomUUID(), name: 'default', createdAt: this.now().toISOString() }
    const minted = this.mint()
    const created = await this.store.insertFirstOrganization(org, this.stored(minted, org.id, ALL_PERMISSIONS))
    return created ? minted.raw : undefined
  }

  private stored(minted: MintedApiKey, organizationId: string, permissions: readonly Permission[]): StoredApiKey {
    return {
      id: minted.id,
      hash: minted.hash,
      organizationId,
      permissions: [...permissions],
      createdAt: this.now().toISOString(),
      revokedAt: null,
    }
  }
}
