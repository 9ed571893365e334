import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HOSTS_SCRIPT = fileURLToPath(new URL('../../deploy/hosts/hosts.sh', import.meta.url));
/** deploy/hosts/hosts.sh names each host's namespace with this prefix. */
const NAMESPACE_PREFIX = 'stt-';

export const HOST_NAMES = ['lb', 'api-1', 'api-2', 'asr-1', 'asr-2', 'proxy', 'redis', 'prom'] as const;
export type HostName = (typeof HOST_NAMES)[number];

/**
 * The hosts of deploy/hosts/hosts.sh: a network namespace each on a bridge of ours, reached from
 * this machine through the bridge's own address. `down` removes them, also after a failed run.
 */
export class Hosts {
  private constructor(
    private readonly addresses: ReadonlyMap<HostName, string>,
    /** This machine's own address on the bridge: what the hosts reach it at (a customer's webhook receiver). */
    readonly gateway: string,
  ) {}

  static async up(): Promise<Hosts> {
    await run(HOSTS_SCRIPT, ['up']);
    const { stdout } = await run(HOSTS_SCRIPT, ['list']);
    const addresses = new Map(stdout.trim().split('\n').map((line) => line.split(' ') as [HostName, string]));
    const hosts = new Hosts(addresses, (await run(HOSTS_SCRIPT, ['gateway'])).stdout.trim());
    for (const host of HOST_NAMES) await hosts.assertReachedThroughBridge(host);
    return hosts;
  }

  address(host: HostName): string {
    const address = this.addresses.get(host);
    if (address === undefined) throw new Error(`no host ${host}`);
    return address;
  }

  namespace(host: HostName): string {
    return `${NAMESPACE_PREFIX}${host}`;
  }

  /** `file args…` as a command line run on `host` (inside its namespace). */
  command(host: HostName, file: string, args: readonly string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', this.namespace(host), file, ...args]];
  }

  /** Cuts the host off the bridge, as a pulled cable or a failed switch port would. */
  async cutLink(host: HostName): Promise<void> {
    await run('ip', ['link', 'set', `veth-${host}`, 'down']);
  }

  async healLink(host: HostName): Promise<void> {
    await run('ip', ['link', 'set', `veth-${host}`, 'up']);
  }

  async down(): Promise<void> {
    await run(HOSTS_SCRIPT, ['down']);
  }

  /** Nothing is sent to a host before the kernel says it goes out through our bridge. */
  private async assertReachedThroughBridge(host: HostName): Promise<void> {
    const { stdout } = await run('ip', ['route', 'get', this.address(host)]);
    if (!/ dev stt-hosts0 /.test(` ${stdout}`)) throw new Error(`${host} (${this.address(host)}) is not routed through the hosts' bridge: ${stdout}`);
  }
}
