/** The one error type decoders throw for bad input: a message a user can act on, naming the file and the field. */
export class DecodeError extends Error {
  /** The input ended early: more bytes (a longer prefix, the rest of the file) may decode. */
  readonly truncated: boolean;

  constructor(
    message: string,
    readonly file = '',
    readonly field = '',
    options: { truncated?: boolean } = {},
  ) {
    super(message);
    this.truncated = options.truncated ?? false;
    this.name = 'DecodeError';
  }

  /** The single line shown in the CLI and the UI. */
  describe(): string {
    return `${this.file ? `${this.file}: ` : ''}${this.message}`;
  }
}

/** Thrown when a cancelled open reaches its next check. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function describeError(err: unknown, file = ''): string {
  if (err instanceof DecodeError) return err.file || !file ? err.describe() : `${file}: ${err.message}`;
  if (err instanceof RangeError) return `${file ? `${file}: ` : ''}file is too large or corrupt (${err.message})`;
  const msg = err instanceof Error ? err.message : String(err);
  return `${file ? `${file}: ` : ''}${msg}`;
}
