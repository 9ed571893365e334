/**
 * Deepgram's own model names: the families (`nova-3`, `nova-2-phonecall`, `enhanced-general`,
 * `base`, `whisper-large`, …) and the legacy use-case names used with `tier` (`general`,
 * `phonecall`, …). Each asks for Deepgram's best model of a kind; here that is the best model
 * served for the request's language.
 */
const DEEPGRAM_MODEL =
  /^(?:(?:nova(?:-[23])?|enhanced|base|whisper)(?:-[a-z0-9]+)*|general|meeting|phonecall|voicemail|finance|conversationalai|video|medical|drivethru|automotive)$/;

/** Whether `model` is one of Deepgram's names rather than one of the models served here. */
export function isDeepgramModel(model: string): boolean {
  return DEEPGRAM_MODEL.test(model);
}

/**
 * The `model` option as the model catalog reads it: a Deepgram name leaves the choice to the
 * catalog; any other name must be a model served here (else the catalog's 400 lists those).
 */
export function servedModelOption(model: string | undefined): string | undefined {
  return model === undefined || isDeepgramModel(model) ? undefined : model;
}
