/** A call that did not answer within its own limit (see within). */
export class NoAnswerError extends Error {
  constructor(readonly what: string, readonly ms: number) {
    super(`${what}: no answer within ${ms / 1000} s`);
    this.name = 'NoAnswerError';
  }
}

/**
 * `call`, given at most `ms`: then its signal is aborted (the SDK cancels the request) and NoAnswerError thrown.
 * For a check whose own timeout must also cover a deliberate wait (verification polling for a datapoint), so one
 * hung call still ends as quickly as it would in a check without that wait.
 */
export async function within<T>(ms: number, what: string, signal: AbortSignal, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      call(controller.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new NoAnswerError(what, ms);
          controller.abort(err);
          reject(err);
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
