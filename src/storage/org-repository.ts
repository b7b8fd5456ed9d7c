/** Organizations and their API keys (stored as hashes only). */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { PERMISSIONS, type Permission } from '../domain/access.js'
import { generateApiKey } from '../crypto/api-keys.js'
import { OPERATOR, recordEvent } from './audit.js'
import type { Database } from './schema.js'
import { iso, isoOrNull } from './values.js'

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

export interface StoredApiKey extends ApiKeyInfo {
  hash: string
}

function parsePermissions(text: string): Permission[] {
  return text.split(',').filter((p): p is Permission => (PERMISSIONS as readonly string[]).includes(p))
}

export class OrgRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async createOrganization(name: string): Promise<Organization> {
    const org = { id: randomUUID(), name, createdAt: new Date().toISOString() }
    await this.db
      .insertInto('organizations')
      .values({ id: org.id, name: org.name, created_at: org.createdAt })
      .execute()
    return org
  }

  /** Finds an organization by its id or, failing that, by its name. */
  async findOrganization(idOrName: string): Promise<Organization | undefined> {
    const row =
      (await this.db.selectFrom('organizations').selectAll().where('id', '=', idOrName).executeTakeFirst()) ??
      (await this.db.selectFrom('organizations').selectAll().where('name', '=', idOrName).executeTakeFirst())
    return row === undefined ? undefined : { id: row.id, name: row.name, createdAt: iso(row.created_at) }
  }

  async listOrganizations(): Promise<Organization[]> {
    const rows = await this.db.selectFrom('organizations').selectAll().orderBy('created_at').execute()
    return rows.map((row) => ({ id: row.id, name: row.name, createdAt: iso(row.created_at) }))
  }

  async countOrganizations(): Promise<number> {
    const row = await this.db
      .selectFrom('organizations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  /** Creates a key; the raw key in the result is the only copy there will ever be. */
  async createApiKey(organizationId: string, permissions: readonly Permission[]): Promise<ApiKeyInfo & { raw: string }> {
    const key = generateApiKey()
    const createdAt = new Date().toISOString()
    await this.atomically(async (db) => {
      await db
        .insertInto('api_keys')
        .values({
          id: key.id,
          organization_id: organizationId,
          hash: key.hash,
          permissions: permissions.join(','),
          created_at: createdAt,
        })
        .execute()
      await recordEvent(db, { action: 'key-create', keyId: OPERATOR, organizationId, subject: key.id, fields: [...permissions] })
    })
    return { id: key.id, organizationId, permissions: [...permissions], createdAt, revokedAt: null, raw: key.raw }
  }

  /** Revokes a key; false when there is no such key or it was revoked already. */
  async revokeApiKey(keyId: string): Promise<boolean> {
    return this.atomically(async (db) => {
      const revoked = await db
        .updateTable('api_keys')
        .set({ revoked_at: new Date().toISOString() })
        .where('id', '=', keyId)
        .where('revoked_at', 'is', null)
        .returning('organization_id')
        .executeTakeFirst()
      if (revoked === undefined) return false
      await recordEvent(db, { action: 'key-revoke', keyId: OPERATOR, organizationId: revoked.organization_id, subject: keyId })
      return true
    })
  }

  /** Runs `work` in a transaction, or in the caller's when there is one already. */
  private atomically<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? work(this.db) : this.db.transaction().execute(work)
  }

  async listApiKeys(organizationId: string): Promise<ApiKeyInfo[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .select(['id', 'organization_id', 'permissions', 'created_at', 'revoked_at'])
      .where('organization_id', '=', organizationId)
      .orderBy('created_at')
      .execute()
    return rows.map((row) => ({
      id: row.id,
      organizationId: row.organization_id,
      permissions: parsePermissions(row.permissions),
      createdAt: iso(row.created_at),
      revokedAt: isoOrNull(row.revoked_at),
    }))
  }

  /** The key with this id, unless it is revoked. */
  async findActiveKey(keyId: string): Promise<StoredApiKey | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (row === undefined) return undefined
    return {
      id: row.id,
      organizationId: row.organization_id,
      hash: row.hash,
      permissions: parsePermissions(row.permissions),
      createdAt: iso(row.created_at),
      revokedAt: null,
    }
  }
}
