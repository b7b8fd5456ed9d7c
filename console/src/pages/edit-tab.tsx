import { useQueryClient } from '@tanstack/react-query'
import { ApiError, type Llm, type Versioned } from 'llm-registry/client'
import { useState } from 'react'
import { Link, useLocation } from 'wouter'
import { AlertDialog } from '../components/dialog.js'
import { LlmForm } from '../components/llm-form.js'
import { ErrorMessage } from '../errors.js'
import { FIELD_LABELS, changedFields, sentValue, shown, updateBody, valuesOf, type Field, type FieldError } from '../form.js'
import { useClient } from '../session.js'
import { ago } from '../time.js'
import { FormProblems, fieldErrorsOf } from './new-llm-page.js'

/**
 * The edit form. A save sends only the fields the user changed, with If-Match of the version the
 * form was loaded from; a 412 keeps the user's edits and opens the conflict dialog.
 */
export function EditTab({ loaded, readOnly }: { loaded: Versioned<Llm>; readOnly: boolean }) {
  const client = useClient()
  const queryClient = useQueryClient()
  const [, navigate] = useLocation()
  const [stored, setStored] = useState(loaded)
  const [base, setBase] = useState(() => valuesOf(loaded.data))
  const [values, setValues] = useState(base)
  const [secret, setSecret] = useState('')
  const [replacing, setReplacing] = useState(!loaded.data.hasSecret)
  const [errors, setErrors] = useState<FieldError[]>([])
  const [errorsShown, setErrorsShown] = useState(0)
  const [problem, setProblem] = useState<unknown>(null)
  const [status, setStatus] = useState('')
  const [busy, setBusy] = useState(false)
  const [conflict, setConflict] = useState<Versioned<Llm> | null>(null)
  const [confirmDelete, setConfirmDelete] = useState(false)
  const id = loaded.data.id

  /** Takes a record the server answered as the form's new starting point (the user's edits are done with). */
  function adopt(next: Versioned<Llm>) {
    const nextValues = valuesOf(next.data)
    setStored(next)
    setBase(nextValues)
    setValues(nextValues)
    setSecret('')
    setReplacing(!next.data.hasSecret)
    setErrors([])
    setConflict(null)
    queryClient.setQueryData(['llm', id], next)
    for (const key of ['llms', 'history', 'versions']) void queryClient.invalidateQueries({ queryKey: [key] })
  }

  async function save(etag: string) {
    setStatus('')
    setProblem(null)
    const body = updateBody(base, values, replacing ? secret : null)
    if (!body.ok) {
      setErrors(body.errors)
      setErrorsShown((n) => n + 1)
      return
    }
    if (Object.keys(body.body).length === 0) {
      setErrors([])
      setStatus('Nothing to save: no field has changed.')
      return
    }
    setBusy(true)
    try {
      adopt(await client.llms.update(id, body.body, { ifMatch: etag }))
      setStatus(`Saved ${Object.keys(body.body).map((f) => FIELD_LABELS[f as Field] ?? f).join(', ')}.`)
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 412) {
        setConflict(await client.llms.get(id))
      } else {
        const details = fieldErrorsOf(error)
        setErrors(details)
        if (details.length > 0) setErrorsShown((n) => n + 1)
        else setProblem(error instanceof FormProblems ? null : error)
      }
    } finally {
      setBusy(false)
    }
  }

  async function remove() {
    try {
      await client.llms.delete(id, { ifMatch: stored.etag })
      void queryClient.invalidateQueries({ queryKey: ['llms'] })
      queryClient.removeQueries({ queryKey: ['llm', id] })
      navigate('/')
    } catch (error) {
      setConfirmDelete(false)
      setProblem(
        error instanceof ApiError && error.statusCode === 412
          ? new Error('Not deleted: this LLM was changed by someone else since you opened it. Reload the page and look again.')
          : error,
      )
    }
  }

  const mine = changedFields(base, values)
  const theirs = conflict === null ? [] : changedFields(base, valuesOf(conflict.data))
  const name = stored.data.displayName
  return (
    <>
      {problem !== null && <ErrorMessage error={problem} />}
      <p role="status" className="status">
        {status}
      </p>
      <LlmForm
        values={values}
        onChange={(next) => {
          setValues(next)
          setStatus('')
        }}
        secret={{ llm: stored.data, replacing, value: secret, setReplacing, setValue: setSecret }}
        errors={errors}
        errorsShown={errorsShown}
        readOnly={readOnly}
        busy={busy}
        submitLabel="Save"
        onSubmit={() => void save(stored.etag)}
        extraActions={
          <>
            <Link href={`/llms/new?from=${encodeURIComponent(id)}`} className="button secondary">
              Duplicate
            </Link>
            {!readOnly && (
              <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
                Delete
              </button>
            )}
          </>
        }
      />
      <AlertDialog
        open={conflict !== null}
        title="This LLM was changed by someone else"
        onCancel={() => setConflict(null)}
        actions={
          <>
            <button type="button" onClick={() => conflict !== null && void save(conflict.etag)}>
              Keep mine
            </button>
            <button type="button" className="secondary" onClick={() => conflict !== null && adopt(conflict)}>
              Use theirs
            </button>
          </>
        }
      >
        <p>
          Someone saved it after you opened it{conflict?.data.updatedAt ? ` (${ago(conflict.data.updatedAt)})` : ''}. Nothing of yours is lost yet: compare
          and choose. <strong>Keep mine</strong> saves only the fields you changed over the stored version; <strong>Use theirs</strong> drops your edits.
        </p>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Your value</th>
                <th scope="col">Stored now</th>
              </tr>
            </thead>
            <tbody>
              {conflict !== null &&
                mine.map((field) => {
                  const yours = sentValue(field, values)
                  const now = sentValue(field, valuesOf(conflict.data))
                  return (
                    <tr key={field}>
                      <th scope="row">{FIELD_LABELS[field]}</th>
                      <td>{yours.ok ? shown(yours.value) : values[field] === null ? '(not set)' : String(values[field])}</td>
                      <td>{now.ok ? shown(now.value) : ''}</td>
                    </tr>
                  )
                })}
              {conflict !== null && replacing && secret !== '' && (
                <tr>
                  <th scope="row">Secret</th>
                  <td>a new secret (hidden)</td>
                  <td>{conflict.data.hasSecret ? `set ${conflict.data.secretUpdatedAt === null ? '' : ago(conflict.data.secretUpdatedAt)}` : 'not set'}</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        {theirs.filter((f) => !mine.includes(f)).length > 0 && (
          <p>
            They also changed {theirs.filter((f) => !mine.includes(f)).map((f) => FIELD_LABELS[f]).join(', ')}; either way that change stays.
          </p>
        )}
      </AlertDialog>
      <AlertDialog
        open={confirmDelete}
        title={`Delete “${name}”?`}
        onCancel={() => setConfirmDelete(false)}
        actions={
          <>
            <button type="button" className="danger" onClick={() => void remove()}>
              Delete “{name}”
            </button>
            <button type="button" className="secondary" onClick={() => setConfirmDelete(false)}>
              Cancel
            </button>
          </>
        }
      >
        <p>
          The LLM “{name}” and its stored secret are removed. Personas that use it stop working. This cannot be undone.
        </p>
      </AlertDialog>
    </>
  )
}
