import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { ApiError } from 'llm-registry/client'
import { useEffect, useState } from 'react'
import { useLocation, useSearch } from 'wouter'
import { LlmForm } from '../components/llm-form.js'
import { ErrorMessage } from '../errors.js'
import { createBody, emptyValues, valuesOf, type FieldError, type FormValues } from '../form.js'
import { useClient } from '../session.js'

/** Create, from scratch or as a copy of another LLM (`?from=<id>`, the `Duplicate` button). */
export function NewLlmPage() {
  const from = new URLSearchParams(useSearch()).get('from')
  const client = useClient()
  const source = useQuery({ queryKey: ['llm', from], queryFn: () => client.llms.get(from ?? ''), enabled: from !== null })
  useEffect(() => {
    document.title = 'New LLM — llm-registry'
  }, [])
  if (from !== null && source.data === undefined) return source.error === null ? <p>Loading…</p> : <ErrorMessage error={source.error} />
  const initial = source.data === undefined ? emptyValues() : { ...valuesOf(source.data.data), displayName: `${source.data.data.displayName} (copy)` }
  return <CreateForm initial={initial} copyOf={source.data?.data.displayName} />
}

function CreateForm({ initial, copyOf }: { initial: FormValues; copyOf: string | undefined }) {
  const client = useClient()
  const queryClient = useQueryClient()
  const [, navigate] = useLocation()
  const [values, setValues] = useState(initial)
  const [secret, setSecret] = useState('')
  const [errors, setErrors] = useState<FieldError[]>([])
  const [errorsShown, setErrorsShown] = useState(0)
  const create = useMutation({
    mutationFn: async () => {
      const body = createBody(values, secret)
      if (!body.ok) throw new FormProblems(body.errors)
      return client.llms.create(body.body)
    },
    onSuccess: ({ data }) => {
      setSecret('')
      void queryClient.invalidateQueries({ queryKey: ['llms'] })
      navigate(`/llms/${encodeURIComponent(data.id)}`)
    },
    onError: (error) => {
      const details = fieldErrorsOf(error)
      setErrors(details)
      if (details.length > 0) setErrorsShown((n) => n + 1)
    },
  })
  return (
    <>
      <h1>{copyOf === undefined ? 'New LLM' : `New LLM from “${copyOf}”`}</h1>
      {copyOf !== undefined && <p className="hint">Every setting is copied but the secret, which is never shown: set one below.</p>}
      {create.error !== null && fieldErrorsOf(create.error).length === 0 && <ErrorMessage error={create.error} />}
      <LlmForm
        values={values}
        onChange={setValues}
        secret={{ replacing: true, value: secret, setReplacing: () => undefined, setValue: setSecret }}
        errors={errors}
        errorsShown={errorsShown}
        busy={create.isPending}
        submitLabel="Save"
        onSubmit={() => create.mutate()}
      />
    </>
  )
}

/** Problems the form found before sending. */
export class FormProblems extends Error {
  constructor(readonly errors: FieldError[]) {
    super('Some fields need attention.')
  }
}

/** The field-level problems of a failed save: the form's own, or a 400's `details`. */
export function fieldErrorsOf(error: unknown): FieldError[] {
  if (error instanceof FormProblems) return error.errors
  if (error instanceof ApiError && error.details !== undefined) return error.details
  return []
}
