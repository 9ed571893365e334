/**
 * Why the model could not be had (downloaded, verified, found or unpacked), as one sentence fit
 * for the worker's `/health` reason. Every failure of `resolveModel` is one of these.
 */
export class ModelSourceError extends Error {
  override readonly name = 'ModelSourceError';

  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
  }
}
