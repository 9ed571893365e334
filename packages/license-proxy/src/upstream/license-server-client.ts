import {
  usageBatchAckSchema,
  validationAcceptedSchema,
  validationRefusedSchema,
  VERSION,
  type LicenseRefusal,
  type UsageBatch,
  type UsageBatchAck,
  type ValidationAccepted,
} from '@stt/shared';

/** The license server's verdict, or why there was none. */
export type ValidationOutcome =
  | { readonly kind: 'accepted'; readonly validation: ValidationAccepted }
  | { readonly kind: 'refused'; readonly code: LicenseRefusal; readonly status: number; readonly message: string }
  | { readonly kind: 'unreachable'; readonly timedOut: boolean; readonly detail: string };

/** A usage batch either acknowledged (counted now or before) or still to be sent again. */
export type UsageReportOutcome =
  | { readonly kind: 'acknowledged'; readonly ack: UsageBatchAck }
  | { readonly kind: 'failed'; readonly detail: string };

/**
 * The vendor license server's HTTP API (docs/license-server.md), authenticated with our own
 * license key. Anything but a well-formed answer (timeouts, resets, 5xx, nonsense) counts as
 * "unreachable": only an explicit refusal may take the license away.
 */
export class LicenseServerClient {
  constructor(
    readonly baseUrl: string,
    private readonly licenseKey: string,
    private readonly timeoutMs: number,
  ) {}

  async validate(): Promise<ValidationOutcome> {
    let response: Response;
    let body: unknown;
    try {
      response = await this.post('/v1/licenses/validate', { version: VERSION });
      body = await response.json();
    } catch (error) {
      return unreachable(error, this.timeoutMs);
    }
    if (response.ok) {
      const accepted = validationAcceptedSchema.safeParse(body);
      if (accepted.success) return { kind: 'accepted', validation: accepted.data };
    } else if (response.status === 401 || response.status === 403) {
      const refused = validationRefusedSchema.safeParse(body);
      if (refused.success) return { kind: 'refused', code: refused.data.code, status: response.status, message: refused.data.error };
    }
    return { kind: 'unreachable', timedOut: false, detail: `license server answered ${response.status} with an unexpected body` };
  }

  async reportUsage(batch: UsageBatch): Promise<UsageReportOutcome> {
    try {
      const response = await this.post('/v1/usage', batch, { 'idempotency-key': batch.batch_id });
      const body: unknown = await response.json();
      const ack = usageBatchAckSchema.safeParse(body);
      if (response.ok && ack.success && ack.data.batch_id === batch.batch_id) return { kind: 'acknowledged', ack: ack.data };
      return { kind: 'failed', detail: `license server answered ${response.status}` };
    } catch (error) {
      return { kind: 'failed', detail: unreachable(error, this.timeoutMs).detail };
    }
  }

  private post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(new URL(path, this.baseUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${this.licenseKey}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }
}

function unreachable(error: unknown, timeoutMs: number): ValidationOutcome & { kind: 'unreachable' } {
  const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
  if (timedOut) return { kind: 'unreachable', timedOut, detail: `Connection timeout after ${timeoutMs / 1000}s` };
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return { kind: 'unreachable', timedOut, detail: cause ?? (error instanceof Error ? error.message : String(error)) };
}
