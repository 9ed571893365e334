import { join } from 'node:path';
import type { LicenseUsageReport } from '@stt/license-server';
import { freePort } from './free-port.js';
import { request } from './http.js';
import { ServiceProcess } from './service-process.js';

const ADMIN_TOKEN = 'test-admin-token-0123456789';

/**
 * Our own license server (packages/license-server) as a real process, standing in for the
 * vendor's: it can be killed, hung and restarted on the same port with the same data.
 */
export class LicenseServerProcess {
  process!: ServiceProcess;
  private constructor(
    readonly port: number,
    private readonly dataFile: string,
    private readonly publicKey: string,
  ) {}

  static async start(dir: string, publicKey: string): Promise<LicenseServerProcess> {
    const server = new LicenseServerProcess(await freePort(), join(dir, `license-server-${Date.now()}.json`), publicKey);
    await server.restart();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** (Re)starts the server on its port, with the state it persisted. */
  async restart(): Promise<void> {
    this.process = new ServiceProcess('license-server', {
      PORT: String(this.port),
      HOST: '127.0.0.1',
      LICENSE_PUBLIC_KEYS: this.publicKey,
      ADMIN_TOKEN,
      DATA_FILE: this.dataFile,
    });
    await this.process.waitForLog(/^License server listening on port/);
  }

  kill(): Promise<void> {
    return this.process.kill();
  }

  revoke(licenseId: string): Promise<unknown> {
    return this.admin('POST', `/v1/admin/licenses/${licenseId}/revoke`);
  }

  async usage(licenseId: string): Promise<LicenseUsageReport> {
    return (await this.admin('GET', `/v1/admin/usage/${licenseId}`)) as LicenseUsageReport;
  }

  /** Makes usage calls fail (503) or lose their answer after counting, at these rates. */
  faults(faults: { usage_error_rate?: number; usage_ack_loss_rate?: number }): Promise<unknown> {
    return this.admin('PUT', '/v1/admin/faults', faults);
  }

  private async admin(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await request(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (response.status !== 200) throw new Error(`license server ${method} ${path}: ${response.status} ${response.text}`);
    return response.json;
  }
}
