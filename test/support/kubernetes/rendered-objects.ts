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
export function kustomize(directory: string): unknown[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', directory], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : String(error);
    throw new Error(`kubectl kustomize ${directory} failed: ${stderr.trim()}`);
  }
  return parseAllDocuments(output).map((document) => {
    if (document.errors.length > 0) throw new Error(`kubectl kustomize ${directory}: ${document.errors[0]?.message}`);
    return document.toJS();
  });
}

/**
 * Validates each object against the JSON schema of its kind's model (kubernetes-models for the
 * built-in kinds, its sibling packages for the CRDs) and returns them. A kind with no model fails.
 */
export async function validated(documents: readonly unknown[]): Promise<RenderedObject[]> {
  const objects: RenderedObject[] = [];
  for (const document of documents) {
    if (!isRenderedObject(document)) throw new Error(`not a Kubernetes object: ${JSON.stringify(document).slice(0, 200)}`);
    const Model = await modelOf(document.apiVersion, document.kind);
    try {
      new Model(asTheApiServerReadsIt(document)).validate();
    } catch (error) {
      throw new Error(`${document.kind}/${document.metadata.name} does not validate: ${error instanceof Error ? error.message : String(error)}`);
    }
    objects.push(document);
  }
  return objects;
}

/**
 * kustomize breaks a long Secret value's base64 over lines; the API server decodes it with Go's
 * encoding/base64, which skips line breaks, while the schema's "byte" format does not.
 */
function asTheApiServerReadsIt(object: RenderedObject): RenderedObject {
  if (object.apiVersion !== 'v1' || object.kind !== 'Secret' || !('data' in object)) return object;
  const data = object.data as Readonly<Record<string, string>>;
  return { ...object, data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, value.replace(/\n/g, '')])) } as RenderedObject;
}

async function modelOf(apiVersion: string, kind: string): Promise<ModelClass> {
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
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
