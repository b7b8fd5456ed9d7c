/** Organizations and their API keys (stored as hashes only) behind the domain's OrgStore port. */
import type { Kysely } from 'kysely'
import { PERMISSIONS, type Permission } from '../domain/access.js'
import type { ApiKeyInfo, Organization, OrgStore, StoredApiKey } from '../domain/organizations.js'
import { OPERATOR, recordEvent } from './audit.js'
import type { Database } from './schema.js'

function parsePermissions(text: string): Permission[] {
  return text.split(',').filter((p): p is Permission => (PERMISSIONS as readonly string[]).includes(p))
}

export class KyselyOrgStore implements OrgStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertOrganization(org: Organization): Promise<void> {
    await this.db.insertInto('organizations').values({ id: org.id, name: org.name, created_at: org.createdAt }).execute()
  }

  async findOrganization(idOrName: string): Promise<Organization | undefined> {
    const row =
      (await this.db.selectFrom('organizations').selectAll().where('id', '=', idOrName).executeTakeFirst()) ??
      (await this.db.selectFrom('organizations').selectAll().where('name', '=', idOrName).executeTakeFirst())
    return row === undefined ? undefined : { id: row.id, name: row.name, createdAt: row.created_at }
  }

  async listOrganizations(): Promise<Organization[]> {
    const rows = await this.db.selectFrom('organizations').selectAll().orderBy('created_at').execute()
    return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at }))
  }

  async insertApiKey(key: StoredApiKey): Promise<void> {
    await this.db.transaction().execute((trx) => insertKey(trx, key))
  }

  async insertFirstOrganization(org: Organization, key: StoredApiKey): Promise<boolean> {
    // One write transaction (BEGIN IMMEDIATE on SQLite): of several processes starting together only one creates it.
    return this.db.transaction().execute(async (trx) => {
      const count = await trx.selectFrom('organizations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      if (Number(count.n) > 0) return false
      await trx.insertInto('organizations').values({ id: org.id, name: org.name, created_at: org.createdAt }).execute()
      await insertKey(trx, key)
      return true
    })
  }

  async revokeApiKey(keyId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const revoked = await trx
        .updateTable('api_keys')
        .set({ revoked_at: new Date().toISOString() })
        .where('id', '=', keyId)
        .where('revoked_at', 'is', null)
        .returning('organization_id')
        .executeTakeFirst()
      if (revoked === undefined) return false
      await recordEvent(trx, { action: 'key-revoke', keyId: OPERATOR, organizationId: revoked.organization_id, subject: keyId })
      return true
    })
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
      createdAt: row.created_at,
      revokedAt: row.revoked_at,
    }))
  }

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
      createdAt: row.created_at,
      revokedAt: null,
    }
  }
}

async function insertKey(db: Kysely<Database>, key: StoredApiKey): Promise<void> {
  await db
    .insertInto('api_keys')
    .values({
      id: key.id,
      organization_id: key.organizationId,
      hash: key.hash,
      permissions: key.permissions.join(','),
      created_at: key.createdAt,
    })
    .execute()
  await recordEvent(db, {
    action: 'key-create',
    keyId: OPERATOR,
    organizationId: key.organizationId,
    subject: key.id,
    fields: [...key.permissions],
  })
}
