import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DockerEngine } from './docker-engine.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/** No registry can be pulled from here: the base image is made locally (debootstrap + this Node). */
export const BASE_IMAGE = 'stt-base/node:20-bookworm-local';
/** The stand-in for the official Redis image that the compose file names by default. */
export const REDIS_IMAGE = 'stt-test/redis:7';
export const IMAGE_PREFIX = 'selfhost-stt';
export const STT_VERSION = VERSION;
export const SERVICE_IMAGES = ['api-server', 'lightning-asr', 'license-proxy', 'license-server'] as const;
export type ServiceImage = (typeof SERVICE_IMAGES)[number];

export function imageName(service: ServiceImage): string {
  return `${IMAGE_PREFIX}/${service}:${VERSION}`;
}

/** Debian's place for CAs an administrator added (a TLS-inspecting proxy's): the builds trust them too. */
const LOCAL_CA_DIR = '/usr/local/share/ca-certificates';

/**
 * Makes the base image unless the engine has it, then builds the four service images and the Redis
 * stand-in with the repository's own scripts, as a user would.
 */
export async function buildImages(engine: DockerEngine, workDir: string): Promise<void> {
  const hasBase = await engine.docker(['image', 'inspect', BASE_IMAGE]).then(() => true, () => false);
  if (!hasBase) await engine.command(join(REPO, 'deploy/docker/make-base-image.sh'), [BASE_IMAGE], { timeoutMs: 600_000 });
  await engine.command(join(REPO, 'deploy/docker/build-images.sh'), [], {
    timeoutMs: 900_000,
    env: { BASE_IMAGE, IMAGE_PREFIX, ...extraCaCerts(workDir) },
  });
  await engine.command('sh', ['-c', `docker build --quiet --build-arg BASE_IMAGE=${BASE_IMAGE} -t ${REDIS_IMAGE} - < test/support/redis.Dockerfile`], {
    cwd: REPO,
    timeoutMs: 300_000,
  });
}

function extraCaCerts(workDir: string): Record<string, string> {
  if (!existsSync(LOCAL_CA_DIR)) return {};
  const certificates = readdirSync(LOCAL_CA_DIR)
    .filter((name) => name.endsWith('.crt'))
    .map((name) => readFileSync(join(LOCAL_CA_DIR, name), 'utf8'));
  if (certificates.length === 0) return {};
  const file = join(workDir, 'extra-ca-certs.pem');
  writeFileSync(file, certificates.join('\n'));
  return { EXTRA_CA_CERTS_FILE: file };
}

/** Image sizes in MB, by service, as `docker image inspect` reports them. */
export async function imageSizes(engine: DockerEngine): Promise<Map<ServiceImage, number>> {
  const sizes = new Map<ServiceImage, number>();
  for (const service of SERVICE_IMAGES) {
    const { stdout } = await engine.docker(['image', 'inspect', '--format', '{{.Size}}', imageName(service)]);
    sizes.set(service, Math.round(Number(stdout.trim()) / 1e6));
  }
  return sizes;
}
