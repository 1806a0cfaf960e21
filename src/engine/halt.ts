/** The run-wide stop flag with its reason (any_errors_fatal): set once, read before every task. Ctrl-C is RunOptions.signal. */
export class Halt {
  private why: string | undefined
  get reason(): string | undefined {
    return this.why
  }
  stop(reason: string): void {
    this.why ??= reason
  }
}
