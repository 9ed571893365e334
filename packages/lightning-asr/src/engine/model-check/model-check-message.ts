/** What the model check's child process tells its parent over IPC, once, before it exits. */
export type ModelCheckMessage = { readonly type: 'passed' } | { readonly type: 'failed'; readonly message: string };

export function isModelCheckMessage(value: unknown): value is ModelCheckMessage {
  if (typeof value !== 'object' || value === null || !('type' in value)) return false;
  return value.type === 'passed' || (value.type === 'failed' && 'message' in value && typeof value.message === 'string');
}
