/**
 * A template's own failure: a syntax error, an undefined name, a budget spent, a filter refusing
 * its input. It carries the offset in the template text where it happened; the caller turns it
 * into a ConfigError at file:line:column of the authored text.
 */
export interface TemplateErrorDetail {
  /** Offset into the template text, when known. */
  readonly offset?: number
  /** The undefined name this error is about, so `default`-less uses can say which. */
  readonly undefinedName?: string
  readonly hint?: string
  /** A budget (steps, output size) ran out: never retried, never downgraded to a default. */
  readonly budget?: boolean
}

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly detail: TemplateErrorDetail = {},
  ) {
    super(message)
    this.name = 'TemplateError'
  }

  /** The same error, placed at an offset unless it already has one. */
  at(offset: number): TemplateError {
    if (this.detail.offset !== undefined) return this
    return new TemplateError(this.message, { ...this.detail, offset })
  }
}
