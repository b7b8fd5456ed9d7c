/** The one form of an LLM, for create and edit: fields by format, Clear on nullable fields, a write-only secret. */
import type { Llm } from 'llm-registry/client'
import { useEffect, useRef, type FormEvent, type ReactNode } from 'react'
import {
  FIELD_LABELS,
  FORMATS,
  NULLABLE,
  REASONING_EFFORTS,
  REASONING_FORMATS,
  inputIdOf,
  isShown,
  metadataOf,
  topFieldOf,
  type Field,
  type FieldError,
  type FormValues,
} from '../form.js'
import { ago } from '../time.js'

export interface SecretState {
  /** What is stored (edit only). */
  llm?: Llm
  replacing: boolean
  value: string
  setReplacing: (replacing: boolean) => void
  setValue: (value: string) => void
}

interface Props {
  values: FormValues
  onChange: (values: FormValues) => void
  secret: SecretState
  errors: FieldError[]
  /** Bumped on each failed save: moves focus to the first field with a problem. */
  errorsShown: number
  readOnly?: boolean
  busy?: boolean
  submitLabel: string
  onSubmit: () => void
  extraActions?: ReactNode
}

export function LlmForm(props: Props) {
  const { values, onChange, errors, readOnly = false } = props
  const set = <K extends Field>(field: K, value: FormValues[K]) => onChange({ ...values, [field]: value })
  const summaryRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (props.errorsShown === 0 || errors.length === 0) return
    const first = errors[0]
    if (first === undefined) return
    focusField(first.field)
  }, [props.errorsShown])

  const errorsOf = (field: Field | 'secret') => errors.filter((e) => topFieldOf(e.field) === field)
  const metadata = metadataOf(values.metadata)

  function submit(event: FormEvent) {
    event.preventDefault()
    props.onSubmit()
  }

  const shown = (field: Field | 'secret') => isShown(field, values.llmFormat)
  const text = (field: 'displayName' | 'description' | 'modelName' | 'deploymentName' | 'apiVersion', multiline = false) => (
    <Row field={field} errors={errorsOf(field)} onClear={NULLABLE.has(field) && !readOnly ? () => set(field, null) : undefined} cleared={values[field] === null}>
      {(describedBy) =>
        multiline ? (
          <textarea
            id={inputIdOf(field)}
            rows={2}
            value={values[field] ?? ''}
            placeholder={NULLABLE.has(field) ? 'not set' : undefined}
            onChange={(e) => set(field, nullIfEmpty(field, e.target.value))}
            aria-invalid={errorsOf(field).length > 0}
            aria-describedby={describedBy}
          />
        ) : (
          <input
            id={inputIdOf(field)}
            value={values[field] ?? ''}
            placeholder={NULLABLE.has(field) ? 'not set' : undefined}
            onChange={(e) => set(field, nullIfEmpty(field, e.target.value))}
            aria-invalid={errorsOf(field).length > 0}
            aria-describedby={describedBy}
            required={field === 'displayName'}
          />
        )
      }
    </Row>
  )
  const number = (field: 'temperature' | 'maxTokens', hint: string) => (
    <Row field={field} errors={errorsOf(field)} onClear={readOnly ? undefined : () => set(field, null)} cleared={values[field] === null} hint={hint}>
      {(describedBy) => (
        <input
          id={inputIdOf(field)}
          inputMode={field === 'temperature' ? 'decimal' : 'numeric'}
          value={values[field] ?? ''}
          placeholder="not set"
          onChange={(e) => set(field, e.target.value === '' ? null : e.target.value)}
          aria-invalid={errorsOf(field).length > 0}
          aria-describedby={describedBy}
        />
      )}
    </Row>
  )

  return (
    <form onSubmit={submit} noValidate className="llm-form">
      {errors.length > 0 && (
        <div role="alert" className="summary" ref={summaryRef}>
          <p>
            {errors.length === 1 ? 'One field needs attention' : `${errors.length} fields need attention`} before this can be saved:
          </p>
          <ul>
            {errors.map((error) => (
              <li key={`${error.field}:${error.message}`}>
                <button type="button" className="link" onClick={() => focusField(error.field)}>
                  {labelOf(error.field)}
                </button>{' '}
                {error.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <fieldset disabled={readOnly} className="plain">
        {text('displayName')}
        {text('description', true)}
        <Row field="llmFormat" errors={errorsOf('llmFormat')}>
          {(describedBy) => (
            <select id={inputIdOf('llmFormat')} value={values.llmFormat} onChange={(e) => set('llmFormat', e.target.value as FormValues['llmFormat'])} aria-describedby={describedBy}>
              {FORMATS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          )}
        </Row>
        {shown('modelName') && text('modelName')}
        {shown('urls') && <UrlsEditor values={values} onChange={onChange} errors={errorsOf('urls')} readOnly={readOnly} />}
        {shown('deploymentName') && text('deploymentName')}
        {shown('apiVersion') && text('apiVersion')}
        {shown('secret') && <SecretRow secret={props.secret} errors={errorsOf('secret')} readOnly={readOnly} />}
        <div className="pair">
          {number('temperature', '0 to 2')}
          {number('maxTokens', 'a whole number')}
        </div>
        <div className="pair">
          <Row field="reasoningEffort" errors={errorsOf('reasoningEffort')}>
            {(describedBy) => (
              <select id={inputIdOf('reasoningEffort')} value={values.reasoningEffort} onChange={(e) => set('reasoningEffort', e.target.value as FormValues['reasoningEffort'])} aria-describedby={describedBy}>
                {REASONING_EFFORTS.map((v) => (
                  <option key={v}>{v}</option>
                ))}
              </select>
            )}
          </Row>
          <Row field="reasoningFormat" errors={errorsOf('reasoningFormat')}>
            {(describedBy) => (
              <select id={inputIdOf('reasoningFormat')} value={values.reasoningFormat} onChange={(e) => set('reasoningFormat', e.target.value as FormValues['reasoningFormat'])} aria-describedby={describedBy}>
                {REASONING_FORMATS.map((v) => (
                  <option key={v}>{v}</option>
                ))}
              </select>
            )}
          </Row>
        </div>
        <Row field="metadata" errors={[...errorsOf('metadata'), ...(metadata.ok ? [] : [{ field: 'metadata', message: metadata.message }])]} hint="a JSON object">
          {(describedBy) => (
            <textarea
              id={inputIdOf('metadata')}
              className="code"
              rows={4}
              spellCheck={false}
              value={values.metadata}
              onChange={(e) => set('metadata', e.target.value)}
              aria-invalid={!metadata.ok}
              aria-describedby={describedBy}
            />
          )}
        </Row>
      </fieldset>
      <div className="actions">
        {!readOnly && (
          <button type="submit" disabled={props.busy === true}>
            {props.busy === true ? 'Saving…' : props.submitLabel}
          </button>
        )}
        {props.extraActions}
      </div>
    </form>
  )
}

function nullIfEmpty(field: Field, value: string): string | null {
  return NULLABLE.has(field) && value === '' ? null : value
}

function labelOf(field: string): string {
  const top = topFieldOf(field) as Field | 'secret'
  const label = FIELD_LABELS[top] ?? field
  const row = /^urls\[(\d+)\](?:\.(\w+))?/.exec(field)
  if (row === null) return label
  return `${row[2] === 'region' ? 'Region' : 'URL'} ${Number(row[1]) + 1}`
}

/** Moves focus to the input a problem names (or its field, or the summary). */
function focusField(field: string) {
  const element =
    document.getElementById(inputIdOf(field)) ??
    document.getElementById(inputIdOf(field.replace(/\.\w+$/, '') + '.url')) ??
    document.getElementById(inputIdOf(topFieldOf(field))) ??
    document.getElementById(inputIdOf(`${topFieldOf(field)}[0].url`))
  element?.focus()
}

function Row(props: {
  field: Field
  errors: FieldError[]
  children: (describedBy: string | undefined) => ReactNode
  onClear?: (() => void) | undefined
  cleared?: boolean
  hint?: string
}) {
  const id = inputIdOf(props.field)
  const describedBy = [props.hint === undefined ? '' : `${id}-hint`, props.errors.length > 0 ? `${id}-errors` : ''].filter(Boolean).join(' ') || undefined
  return (
    <div className="row">
      <div className="label-line">
        <label htmlFor={id}>{FIELD_LABELS[props.field]}</label>
        {props.hint !== undefined && (
          <span id={`${id}-hint`} className="hint">
            {props.hint}
          </span>
        )}
        {props.onClear !== undefined && (
          <button type="button" className="link small" onClick={props.onClear} disabled={props.cleared} aria-label={`Clear ${FIELD_LABELS[props.field]}`}>
            Clear
          </button>
        )}
      </div>
      {props.children(describedBy)}
      {props.errors.length > 0 && (
        <ul id={`${id}-errors`} className="field-errors">
          {props.errors.map((e) => (
            <li key={`${e.field}:${e.message}`}>
              {e.field === props.field ? '' : `${labelOf(e.field)}: `}
              {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

function UrlsEditor({ values, onChange, errors, readOnly }: { values: FormValues; onChange: (v: FormValues) => void; errors: FieldError[]; readOnly: boolean }) {
  const setRow = (index: number, row: Partial<FormValues['urls'][number]>) =>
    onChange({ ...values, urls: values.urls.map((r, i) => (i === index ? { ...r, ...row } : r)) })
  return (
    <fieldset className="urls" aria-describedby={errors.length > 0 ? 'field-urls-errors' : undefined}>
      <legend>URLs</legend>
      <p className="hint">One per region; a URL without a region serves every other region.</p>
      {values.urls.map((row, index) => (
        <div className="url-row" key={index}>
          <div>
            <label htmlFor={inputIdOf(`urls[${index}].url`)}>URL</label>
            <input
              id={inputIdOf(`urls[${index}].url`)}
              type="url"
              value={row.url}
              placeholder="https://api.openai.com/v1/chat/completions"
              onChange={(e) => setRow(index, { url: e.target.value })}
              aria-invalid={errors.some((e) => e.field.startsWith(`urls[${index}]`))}
            />
          </div>
          <div className="region">
            <label htmlFor={inputIdOf(`urls[${index}].region`)}>Region</label>
            <input id={inputIdOf(`urls[${index}].region`)} value={row.region} placeholder="any" onChange={(e) => setRow(index, { region: e.target.value })} />
          </div>
          {!readOnly && (
            <button type="button" className="secondary" aria-label={`Remove URL ${index + 1}`} onClick={() => onChange({ ...values, urls: values.urls.filter((_, i) => i !== index) })}>
              Remove
            </button>
          )}
        </div>
      ))}
      {!readOnly && (
        <button type="button" className="secondary" id={inputIdOf('urls')} onClick={() => onChange({ ...values, urls: [...values.urls, { url: '', region: '' }] })}>
          Add URL
        </button>
      )}
      {errors.length > 0 && (
        <ul id="field-urls-errors" className="field-errors">
          {errors.map((e) => (
            <li key={`${e.field}:${e.message}`}>
              {e.field === 'urls' ? '' : `${labelOf(e.field)}: `}
              {e.message}
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  )
}

function SecretRow({ secret, errors, readOnly }: { secret: SecretState; errors: FieldError[]; readOnly: boolean }) {
  const stored = secret.llm
  const id = inputIdOf('secret')
  const input = (
    <input
      id={id}
      type="password"
      autoComplete="new-password"
      spellCheck={false}
      value={secret.value}
      onChange={(e) => secret.setValue(e.target.value)}
      aria-invalid={errors.length > 0}
      aria-describedby={errors.length > 0 ? `${id}-errors` : `${id}-hint`}
    />
  )
  return (
    <div className="row">
      <div className="label-line">
        {stored?.hasSecret === true && !secret.replacing ? <span className="label">Secret</span> : <label htmlFor={id}>Secret</label>}
        <span id={`${id}-hint`} className="hint">
          write-only: stored encrypted, never shown again
        </span>
      </div>
      {stored?.hasSecret === true && !secret.replacing ? (
        <p className="secret-state">
          set {stored.secretUpdatedAt === null ? '' : ago(stored.secretUpdatedAt)} —{' '}
          {!readOnly && (
            <button type="button" className="link" onClick={() => secret.setReplacing(true)}>
              Replace
            </button>
          )}
        </p>
      ) : (
        <div className="secret-input">
          {input}
          {stored?.hasSecret === true && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                secret.setValue('')
                secret.setReplacing(false)
              }}
            >
              Keep current
            </button>
          )}
        </div>
      )}
      {errors.length > 0 && (
        <ul id={`${id}-errors`} className="field-errors">
          {errors.map((e) => (
            <li key={e.message}>{e.message}</li>
          ))}
        </ul>
      )}
    </div>
  )
}
