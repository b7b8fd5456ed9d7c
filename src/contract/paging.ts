/** Pagination, the same for every paginated answer: `page`/`perPage` in, `meta` out. */
import { Type } from 'typebox'
import { Nullable } from './schema-helpers.js'

const DEFAULT_PAGE = 1
const DEFAULT_PER_PAGE = 10
const PAGE = Type.Integer({ minimum: 1, maximum: 1_000_000, default: DEFAULT_PAGE, description: 'Page number, from 1.' })
const PER_PAGE = Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_PER_PAGE, description: 'Entries per page (1 to 100).' })

/** The query fields of every paginated route: optional for clients, filled with their defaults by validation. */
export const PageQueryFields = { page: Type.Optional(PAGE), perPage: Type.Optional(PER_PAGE) }

/** The page asked for, with the schema's defaults where the query left them out. */
export function pageOf(query: { page?: number; perPage?: number }): { page: number; perPage: number } {
  return { page: query.page ?? DEFAULT_PAGE, perPage: query.perPage ?? DEFAULT_PER_PAGE }
}

export const PageMeta = Type.Object(
  {
    total: Type.Integer({ description: 'Entries matching the query, on all pages.' }),
    lastPage: Type.Integer({ description: 'The last page number (at least 1).' }),
    currentPage: Type.Integer({ description: 'The page this answer holds.' }),
    perPage: Type.Integer({ description: 'Entries per page.' }),
    prev: Nullable(Type.Integer({ description: 'The previous page number, or null.' })),
    next: Nullable(Type.Integer({ description: 'The next page number, or null.' })),
  },
  { $id: 'PageMeta', description: 'Where a page stands among all pages.' },
)

/** A page of entries of the component `itemId`, as a named component. */
export function Page(id: string, itemId: string, description: string) {
  return Type.Object({ data: Type.Array(Type.Ref(itemId)), meta: Type.Ref('PageMeta') }, { $id: id, description })
}

/** The `meta` of a paginated answer. */
export function pageMeta(total: number, page: number, perPage: number) {
  const lastPage = Math.max(1, Math.ceil(total / perPage))
  return {
    total,
    lastPage,
    currentPage: page,
    perPage,
    prev: page > 1 ? Math.min(page - 1, lastPage) : null,
    next: page < lastPage ? page + 1 : null,
  }
}
