import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { Manifests } from './manifests.js';

const KUBERNETES_DIR = fileURLToPath(new URL('../../../deploy/kubernetes/', import.meta.url));

export const OVERLAYS = ['dev', 'production', 'production with KEDA'] as const;
export type OverlayName = (typeof OVERLAYS)[number];

const kustomizationSchema = z.looseObject({ components: z.array(z.string()).optional() });

/**
 * Every overlay as `kubectl kustomize` renders it. "production with KEDA" is production with
 * components/keda added after its components, as docs/deployment.md says to do, rendered from a
 * copy of the tree (the repository is left untouched).
 */
export function renderOverlays(): Record<OverlayName, Manifests> {
  const copy = mkdtempSync(join(tmpdir(), 'stt-kubernetes-'));
  try {
    cpSync(KUBERNETES_DIR, copy, { recursive: true });
    const production = join(copy, 'overlays/production/kustomization.yaml');
    const kustomization = kustomizationSchema.parse(parse(readFileSync(production, 'utf8')));
    kustomization.components = [...(kustomization.components ?? []), '../../components/keda'];
    writeFileSync(production, stringify(kustomization));
    return {
      dev: Manifests.render(join(KUBERNETES_DIR, 'overlays/dev')),
      production: Manifests.render(join(KUBERNETES_DIR, 'overlays/production')),
      'production with KEDA': Manifests.render(join(copy, 'overlays/production')),
    };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const adapterValuesSchema = z.object({
  prometheus: z.object({ url: z.string(), port: z.number() }),
  rules: z.object({
    custom: z.array(
      z.object({
        seriesQuery: z.string(),
        resources: z.object({ overrides: z.record(z.string(), z.object({ resource: z.string() })) }),
        name: z.object({ matches: z.string(), as: z.string() }),
        metricsQuery: z.string(),
      }),
    ),
  }),
});

export type AdapterValues = z.infer<typeof adapterValuesSchema>;

/** monitoring/prometheus-adapter-values.yaml, in the shape the prometheus-adapter chart reads. */
export function adapterValues(): AdapterValues {
  return adapterValuesSchema.parse(parse(readFileSync(join(KUBERNETES_DIR, 'monitoring/prometheus-adapter-values.yaml'), 'utf8')));
}
