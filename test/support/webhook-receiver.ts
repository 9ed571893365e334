import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { listenLocally } from './http.js';

export interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly answered: number;
}

/**
 * A webhook receiver on a port of this machine (loopback unless `host` says which of its
 * addresses), as a customer would run one: it records every delivery and fails its first
 * `failures` with 500, then answers 200.
 */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  private server!: Server;
  url = '';

  constructor(private failures = 0) {}

  static async start(failures = 0, host?: string): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(failures);
    receiver.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const answered = receiver.failures-- > 0 ? 500 : 200;
        receiver.deliveries.push({ headers: req.headers, body, answered });
        res.statusCode = answered;
        res.end();
      });
    });
    receiver.url = `${await listenLocally(receiver.server, host)}/hook`;
    return receiver;
  }

  /** The payloads it accepted, one per job id: what a receiver that drops duplicates keeps. */
  accepted(): Map<string, { job_id: string; status: string; [key: string]: unknown }> {
    const byJob = new Map<string, { job_id: string; status: string }>();
    for (const delivery of this.deliveries) {
      if (delivery.answered !== 200) continue;
      const payload = JSON.parse(delivery.body) as { job_id: string; status: string };
      if (!byJob.has(payload.job_id)) byJob.set(payload.job_id, payload);
    }
    return byJob;
  }

  stop(): void {
    this.server.close();
    this.server.closeAllConnections();
  }
}
