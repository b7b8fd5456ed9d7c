/** The /v1/llms shapes: one TypeBox schema each, for validation, serialization, OpenAPI and the client's types. */
import { Type, type Static, type TOptional, type TSchema, type TUnknown } from 'typebox'
import { LIMITS } from '../domain/llm-rules.js'
import {
  LLM_FORMATS,
  READ_ONLY_FIELDS,
  REASONING_EFFORTS,
  REASONING_FORMATS,
  type JsonObject,
  type Llm as DomainLlm,
  type LlmPatch,
  type LlmSettings,
} from '../domain/llm.js'
import { CHECK_PROBLEMS } from '../domain/checks.js'
import { Page, PageMeta, PageQueryFields } from './paging.js'
import { assertSameKeys, type SameKeys } from '../domain/type-checks.js'
import { Nullable, allOptional, enumOf } from './schema-helpers.js'

const LlmFormatEnum = enumOf(LLM_FORMATS, 'Wire format used to call the upstream LLM.')
const ReasoningEffort = enumOf(REASONING_EFFORTS, 'Reasoning effort hint for models that accept it.')
const ReasoningFormat = enumOf(REASONING_FORMATS, 'Reasoning format hint for models that accept it.')

const UpstreamUrl = Type.String({
  description: 'Absolute http(s) URL of the upstream endpoint, without credentials.',
  maxLength: LIMITS.url,
  'x-upstream-url': true,
  examples: ['https://api.openai.com/v1/chat/completions'],
})

const LlmUrlInput = Type.Object(
  {
    url: UpstreamUrl,
    region: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: LIMITS.region,
        'x-one-line': true,
        description: 'Region hint used to pick this URL when the persona is streamed from that region.',
        examples: ['eu'],
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'One endpoint configured on an LLM; several route different regions to different upstreams.',
  },
)

/** The same shape as a named component, for responses. */
export const LlmUrl = Type.Unsafe<Static<typeof LlmUrlInput>>({ ...LlmUrlInput, $id: 'LlmUrl' })

const Metadata = Type.Unsafe<JsonObject>({
  type: 'object',
  additionalProperties: true,
  'x-metadata': true,
  description: 'Free-form provider-specific JSON object (at most 16 KiB serialized, 10 levels deep; numbers within ±(2^53 − 1), larger ones as strings).',
})

/**
 * The input schema of every setting a client may send, total by type: a setting added to
 * `LlmSettings` without a schema here does not compile, so it cannot be accepted and dropped.
 */
const SETTING_INPUTS = {
  displayName: Type.String({
    minLength: 1,
    maxLength: LIMITS.displayName,
    pattern: '\\S',
    'x-one-line': true,
    description: 'Human-readable name shown in the Lab (trimmed; 1 to 255 characters, no control characters).',
    examples: ['GPT-4o'],
  }),
  description: Nullable(
    Type.String({ maxLength: LIMITS.description, 'x-free-text': true, description: 'Free-form description (line breaks and tabs, no other control characters).' }),
  ),
  llmFormat: LlmFormatEnum,
  urls: Type.Array(LlmUrlInput, {
    maxItems: LIMITS.urls,
    description: 'Endpoints (replaces the whole list). Formats that call an upstream need at least one.',
  }),
  modelName: Nullable(
    Type.String({
      minLength: 1,
      maxLength: LIMITS.modelName,
      'x-one-line': true,
      description: 'Upstream model identifier (e.g. `gpt-4o`).',
      examples: ['gpt-4o'],
    }),
  ),
  temperature: Nullable(
    Type.Number({
      minimum: 0,
      maximum: LIMITS.temperatureMax,
      description: 'Sampling temperature applied when calling the LLM (0 to 2).',
      examples: [0.5],
    }),
  ),
  maxTokens: Nullable(
    Type.Integer({ minimum: 1, maximum: LIMITS.maxTokensMax, description: 'Maximum tokens generated per response.', examples: [1024] }),
  ),
  deploymentName: Nullable(
    Type.String({
      maxLength: LIMITS.deploymentName,
      'x-one-line': true,
      description: 'Azure OpenAI deployment name; stored for any format, used by `azure_openai`.',
    }),
  ),
  apiVersion: Nullable(
    Type.String({ maxLength: LIMITS.apiVersion, 'x-one-line': true, description: 'Azure OpenAI API version; stored for any format, used by `azure_openai`.' }),
  ),
  metadata: Metadata,
  reasoningEffort: ReasoningEffort,
  reasoningFormat: ReasoningFormat,
} satisfies Record<keyof LlmSettings, TSchema>

const Secret = Type.String({
  minLength: 1,
  maxLength: LIMITS.secret,
  writeOnly: true,
  // It goes into a request header, where a line break (one copied with a pasted key) cannot.
  'x-one-line': true,
  description: 'The upstream API key (no control characters). Write-only: stored encrypted, never returned.',
})

// Read-only fields a client may echo back from a GET; they are accepted and ignored.
const readOnlyInput = Object.fromEntries(
  READ_ONLY_FIELDS.map((name) => [name, Type.Optional(Type.Unknown({ readOnly: true, description: 'Read-only; ignored.' }))]),
) as Record<(typeof READ_ONLY_FIELDS)[number], TOptional<TUnknown>>

export const UpdateLlmBody = Type.Object(
  {
    ...allOptional(SETTING_INPUTS),
    url: Type.Optional(
      Type.String({
        ...UpstreamUrl,
        description: 'Replaces the whole list of URLs with this one endpoint (no region). Not with `urls`.',
      }),
    ),
    secret: Type.Optional(Secret),
    ...readOnlyInput,
  },
  {
    additionalProperties: false,
    description:
      'Partial update: only the fields present change. `null` clears a nullable field. Read-only fields are ignored.',
    examples: [{ temperature: 0.5 }],
  },
)
export type UpdateLlmBody = Static<typeof UpdateLlmBody>

const { displayName, llmFormat, ...optionalOnCreate } = SETTING_INPUTS
export const CreateLlmBody = Type.Object(
  {
    displayName,
    llmFormat,
    ...allOptional(optionalOnCreate),
    secret: Type.Optional(Secret),
    ...readOnlyInput,
  },
  {
    additionalProperties: false,
    description:
      'A new LLM configuration. `urls`, `modelName` and `secret` are required for formats that call an upstream.',
    examples: [
      {
        displayName: 'My GPT-4o',
        llmFormat: 'openai',
        urls: [{ url: 'https://api.openai.com/v1/chat/completions' }],
        modelName: 'gpt-4o',
        secret: 'sk-...',
        temperature: 0.7,
      },
    ],
  },
)
export type CreateLlmBody = Static<typeof CreateLlmBody>

const Timestamp = Type.String({ format: 'date-time' })

export const Llm = Type.Object(
  {
    id: Type.String({ description: 'Unique identifier (UUID, or a legacy id for some built-in defaults).' }),
    displayName: Type.String({ description: 'Human-readable name shown in the Lab.' }),
    description: Nullable(Type.String({ description: 'Free-form description of the LLM configuration.' })),
    llmFormat: LlmFormatEnum,
    urls: Type.Array(Type.Ref('LlmUrl'), { description: 'Endpoints configured for this LLM.' }),
    modelName: Nullable(Type.String({ description: 'Upstream model identifier (e.g. `gpt-4o`).' })),
    temperature: Nullable(Type.Number({ description: 'Sampling temperature applied when calling the LLM.' })),
    maxTokens: Nullable(Type.Integer({ description: 'Maximum tokens generated per response.' })),
    deploymentName: Nullable(Type.String({ description: 'Azure OpenAI deployment name.' })),
    apiVersion: Nullable(Type.String({ description: 'Azure OpenAI API version.' })),
    metadata: Type.Object({}, { additionalProperties: true, description: 'Free-form provider-specific metadata.' }),
    displayTags: Type.Array(Type.String(), { description: 'Tags used to categorise the LLM in the Lab UI.' }),
    isDefault: Type.Boolean({ description: 'Whether this LLM is a built-in default available to every organization.' }),
    isGlobal: Type.Boolean({ description: 'Whether this LLM is visible to every organization.' }),
    isZdr: Type.Boolean({ description: 'Whether this LLM meets the Zero Data Retention requirements.' }),
    reasoningEffort: ReasoningEffort,
    reasoningFormat: ReasoningFormat,
    createdByOrganizationId: Nullable(
      Type.String({ description: 'Organization that created the LLM, or `null` for global defaults.' }),
    ),
    createdAt: Type.String({ ...Timestamp, description: 'When the LLM was created (ISO 8601 UTC).' }),
    updatedAt: Nullable(Type.String({ ...Timestamp, description: 'When the LLM was last changed; null until then.' })),
    hasSecret: Type.Boolean({ description: 'Extension: whether a credential is stored (it is never returned).' }),
    secretUpdatedAt: Nullable(Type.String({ ...Timestamp, description: 'Extension: when the credential was last set.' })),
  },
  { $id: 'LLM', description: 'An LLM configuration a persona can use. Secrets are never returned.' },
)

// The public record, the update body and the domain types describe the same fields: a field added
// to one and not the others fails the build.
assertSameKeys<SameKeys<Static<typeof Llm>, DomainLlm>>()
assertSameKeys<SameKeys<Omit<UpdateLlmBody, (typeof READ_ONLY_FIELDS)[number]>, Required<LlmPatch>>>()

export const LlmList = Page('LlmList', 'LLM', 'One page of LLM configurations, newest first.')

export const ListQuery = Type.Object({
  ...PageQueryFields,
  search: Type.Optional(
    Type.String({
      maxLength: 255,
      description: 'Case-insensitive substring of displayName, modelName or description; `%` and `_` are literal.',
    }),
  ),
  includeDefaults: Type.Optional(Type.Boolean({ default: true, description: 'Whether built-in defaults are listed (default true).' })),
})

/** The canonical text form of a UUID (any version), lower or upper case. */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'

export const CreateLlmQuery = Type.Object({
  id: Type.Optional(
    Type.String({
      pattern: UUID_PATTERN,
      description:
        'Keep this id (a UUID) for the new LLM, e.g. to promote a configuration between servers with the same id. ' +
        'Answers 409 `id_not_available` when any LLM holds it. Without it, a new id is made (an `id` in the body is ignored).',
    }),
  ),
})

export const LlmIdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 255, description: 'The LLM ID' }),
})

export const AuditEntry = Type.Object(
  {
    id: Type.String(),
    action: Type.String({ description: '`create`, `update`, `delete` or `secret-reencrypt`.', examples: ['update'] }),
    fields: Type.Array(Type.String(), {
      description: 'The names of the fields that changed; never their values.',
      examples: [['temperature']],
    }),
    keyId: Type.String({ description: 'The API key that made the change, or `operator` for the CLI.' }),
    at: Type.String({ format: 'date-time' }),
    version: Nullable(Type.Integer({ description: 'The version (ETag) the change produced.' })),
  },
  { $id: 'AuditEntry', description: 'One recorded change to an LLM.' },
)

export const AuditList = Page('AuditList', 'AuditEntry', "One page of an LLM's history, newest first.")

export const HistoryQuery = Type.Object(PageQueryFields)

/** The components the /v1/llms routes refer to by $id. */
export const LLM_SCHEMAS: TSchema[] = [PageMeta, LlmUrl, Llm, LlmList, AuditEntry, AuditList]

/** The preconditions of a write (PUT, DELETE, restore): both must hold, or 412 and nothing changes. */
export const WritePreconditions = Type.Object({
  'if-match': Type.Optional(
    Type.String({ description: 'Change only if the LLM is still at this ETag (in quotes, as the ETag header gives it) or `*`; otherwise 412 and nothing changes. No ETag in it: 400.' }),
  ),
  'if-none-match': Type.Optional(
    Type.String({
      description: 'Change only if the LLM is not at this ETag (in quotes); `*` (only if it does not exist) always fails for an existing LLM. Otherwise 412 and nothing changes. No ETag in it: 400.',
    }),
  ),
})

export const IfNoneMatchHeader = Type.Object({
  'if-none-match': Type.Optional(Type.String({ description: 'Answer 304 with no body when this names the current ETag.' })),
})

const VersionNumber = Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'A version of the LLM (its ETag without quotes).' })

export const VersionEntry = Type.Object(
  {
    version: VersionNumber,
    at: Type.String({ format: 'date-time', description: 'When this version was made.' }),
    action: enumOf(['create', 'update', 'restore', 'secret'] as const, 'What made it: `secret` when only the credential changed.'),
    keyId: Type.String({ description: 'The API key that made it, or `operator` for the CLI.' }),
    changedFields: Type.Array(Type.String(), { description: 'The fields this version changed.', examples: [['temperature']] }),
    restoredFrom: Nullable(Type.Integer({ description: 'For a restore: the version whose settings it applied.' })),
  },
  { $id: 'VersionEntry', description: 'One kept version of an LLM.' },
)

export const VersionList = Page('VersionList', 'VersionEntry', "One page of an LLM's kept versions, newest first.")

export const LlmVersion = Type.Object(
  { ...Llm.properties, version: VersionNumber },
  {
    $id: 'LlmVersion',
    description:
      'The LLM as it was at a version: its settings and credential state then (never the credential), its managed fields as they are now.',
  },
)

export const VersionDiff = Type.Object(
  {
    from: VersionNumber,
    to: VersionNumber,
    changes: Type.Array(
      Type.Object({
        field: Type.String({ examples: ['temperature'] }),
        from: Type.Unknown({ description: 'The value at `from`.' }),
        to: Type.Unknown({ description: 'The value at `to`.' }),
      }),
      { description: 'Every setting (and `hasSecret`, `secretUpdatedAt`) that differs; empty when none does.' },
    ),
  },
  { $id: 'VersionDiff', description: 'What differs between two versions of an LLM.' },
)

export const RestoreBody = Type.Object(
  { version: VersionNumber },
  { additionalProperties: false, description: 'The version whose settings become the LLM\'s again.', examples: [{ version: 2 }] },
)

export const RestoreResult = Type.Object(
  {
    llm: Type.Ref('LLM'),
    restoredFrom: VersionNumber,
    changed: Type.Boolean({ description: 'False when the LLM held those settings already: nothing was written.' }),
    credentialDiffers: Type.Boolean({ description: 'True when the restored version had another credential than the one kept.' }),
    message: Type.String({ description: 'What happened, for people.' }),
  },
  { $id: 'RestoreResult', description: 'The LLM after a restore. The current credential is always kept.' },
)

export const VersionParams = Type.Object({ ...LlmIdParams.properties, version: VersionNumber })
export const DiffParams = Type.Object({ ...LlmIdParams.properties, from: VersionNumber, to: VersionNumber })

/** The components the version routes refer to by $id. */
export const VERSION_SCHEMAS: TSchema[] = [VersionEntry, VersionList, LlmVersion, VersionDiff, RestoreResult]

export const CheckBody = Type.Object(
  {
    region: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.region, description: 'Check the URL this region picks (else the first without a region).' })),
    all: Type.Optional(Type.Boolean({ description: 'Check every URL, concurrently.' })),
    mode: Type.Optional(
      enumOf(['model', 'completion'] as const, '`model` (default) asks about the model where the format can and costs nothing; `completion` streams a short answer.'),
    ),
    prompt: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S', description: 'The prompt of a completion check, not blank (default: a one-word greeting).' })),
  },
  { additionalProperties: false, description: 'All optional.', examples: [{ mode: 'completion', prompt: 'Say hello' }] },
)

const ShownRequest = Type.Object(
  {
    method: Type.String(),
    url: Type.String(),
    headers: Type.Record(Type.String(), Type.String(), { description: 'As sent, the credential replaced by `***`.' }),
    curl: Type.String({ description: 'The same request as a curl command (credential `***`).' }),
  },
  { description: 'The request the check sent, to reproduce it outside the service.' },
)

export const UrlCheck = Type.Object(
  {
    url: Nullable(Type.String({ description: 'The URL checked (null when the format has none).' })),
    region: Nullable(Type.String()),
    ok: Type.Boolean(),
    status: Nullable(Type.Integer({ description: "The upstream's HTTP status, or null when nothing answered." })),
    latencyMs: Nullable(Type.Integer({ description: 'From sending to the end of the answer.' })),
    timeToFirstTokenMs: Type.Optional(Type.Integer({ description: 'Completion mode: until the first token arrived.' })),
    reply: Type.Optional(Type.String({ description: "Completion mode: the first 500 characters of the model's answer (may be empty)." })),
    problem: Type.Optional(enumOf(CHECK_PROBLEMS, 'Why it failed, for programs (docs/upstream.md).')),
    detail: Type.Optional(Type.String({ description: "The provider's own message, trimmed to 500 characters, credentials scrubbed." })),
    retryAfterSeconds: Type.Optional(Type.Integer({ description: "The provider's Retry-After, on rate_limited and overloaded." })),
    request: Type.Optional(ShownRequest),
  },
  { $id: 'UrlCheck', description: 'The check of one URL.' },
)

export const CheckResult = Type.Object(
  {
    llmId: Type.String(),
    checkedAt: Type.String({ format: 'date-time' }),
    ok: Type.Boolean({ description: 'Every URL checked answered.' }),
    mode: enumOf(['model', 'completion'] as const, 'What was asked.'),
    results: Type.Array(Type.Ref('UrlCheck')),
  },
  { $id: 'CheckResult', description: 'The result of a check. Never holds the credential.' },
)

export const CHECK_SCHEMAS: TSchema[] = [UrlCheck, CheckResult]
