import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** A rendered object as far as every kind agrees: the rest is the kind's own, checked by its model. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** Where each API group's models come from: kubernetes-models for the built-in groups. */
const CRD_MODEL_PACKAGES: Readonly<Record<string, string>> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'keda.sh': '@kubernetes-models/keda',
};

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** `kubectl kustomize DIR`, parsed: every document of the multi-document output. */
export function kustomize(directory: string): RenderedObject[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', directory], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : String(error);
    throw new Error(`kubectl kustomize ${directory} failed: ${stderr.trim()}`);
  }
  return parseAllDocuments(output).map((document) => {
    if (document.errors.length > 0) throw new Error(`kubectl kustomize ${directory}: ${document.errors[0]?.message}`);
    const object: unknown = document.toJS();
    if (!isRenderedObject(object)) throw new Error(`not a Kubernetes object: ${JSON.stringify(object).slice(0, 200)}`);
    return object;
  });
}

/**
 * Validates an object against the JSON schema of its kind's model (kubernetes-models for the
 * built-in kinds, its sibling packages for the CRDs); throws naming what is wrong. A kind with no
 * model fails too.
 */
export async function validate(object: RenderedObject): Promise<void> {
  const Model = await modelOf(object.apiVersion, object.kind);
  try {
    new Model(asTheApiServerReadsIt(object)).validate();
  } catch (error) {
    throw new Error(`${object.kind}/${object.metadata.name} does not validate: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * kustomize breaks a long Secret value's base64 over lines; the API server decodes it with Go's
 * encoding/base64, which skips line breaks, while the schema's "byte" format does not.
 */
function asTheApiServerReadsIt(object: RenderedObject): RenderedObject {
  const { data } = object as { data?: unknown };
  if (object.apiVersion !== 'v1' || object.kind !== 'Secret' || typeof data !== 'object' || data === null) return object;
  const joined: RenderedObject & { readonly data: Readonly<Record<string, unknown>> } = {
    ...object,
    data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, typeof value === 'string' ? value.replace(/\n/g, '') : value])),
  };
  return joined;
}

async function modelOf(apiVersion: string, kind: string): Promise<ModelClass> {
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  // Built-in groups have no dot (apps, policy) or end in .k8s.io (networking.k8s.io).
  const modelPackage = group.includes('.') && !group.endsWith('.k8s.io') ? CRD_MODEL_PACKAGES[group] : 'kubernetes-models';
  if (modelPackage === undefined) throw new Error(`no model package validates ${apiVersion} ${kind}`);
  const models: Readonly<Record<string, unknown>> = await import(`${modelPackage}/${apiVersion}`);
  const model = models[kind];
  if (!isModelClass(model)) throw new Error(`${modelPackage} has no model for ${apiVersion} ${kind}`);
  return model;
}

function isModelClass(value: unknown): value is ModelClass {
  return typeof value === 'function' && typeof (value.prototype as { validate?: unknown } | undefined)?.validate === 'function';
}

function isRenderedObject(value: unknown): value is RenderedObject {
  if (typeof value !== 'object' || value === null) return false;
  const { apiVersion, kind, metadata } = value as Record<string, unknown>;
  return typeof apiVersion === 'string' && typeof kind === 'string' && typeof metadata === 'object' && metadata !== null && typeof (metadata as Record<string, unknown>).name === 'string';
}
