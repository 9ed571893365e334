import type { IContainer } from 'kubernetes-models/v1/Container';
import type { Manifests, Workload } from './manifests.js';

/** What the kubelet fills in from the downward API; never contacted (a documentation address). */
const FIELD_VALUES: Readonly<Record<string, (workload: Workload) => string>> = {
  'metadata.name': (workload) => `${workload.name}-5f7d8c9b4d-x2k4q`,
  'status.podIP': () => '192.0.2.10',
};

const REFERENCE = /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g;

/**
 * The environment a container starts with, as the kubelet builds it: values, Secrets' keys and
 * downward-API fields, then `$(NAME)` references to variables defined earlier in the list.
 * `replacements` stands in for Secret values that are placeholders to be replaced by the user.
 */
export function containerEnv(
  container: IContainer,
  workload: Workload,
  manifests: Manifests,
  replacements: Readonly<Record<string, string>> = {},
): Record<string, string> {
  if (container.envFrom !== undefined) throw new Error(`${container.name}: envFrom hides variable names from the checks`);
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const { name, value, valueFrom } = variable;
    if (value !== undefined) {
      env[name] = value.replace(REFERENCE, (whole, referenced: string) => env[referenced] ?? whole);
    } else if (valueFrom?.secretKeyRef !== undefined) {
      const { name: secret, key } = valueFrom.secretKeyRef;
      const rendered = manifests.secretValue(secret ?? '', key);
      env[name] = replacements[key] ?? rendered;
    } else if (valueFrom?.fieldRef !== undefined) {
      const field = FIELD_VALUES[valueFrom.fieldRef.fieldPath];
      if (field === undefined) throw new Error(`${container.name}: downward-API field ${valueFrom.fieldRef.fieldPath} is not modelled`);
      env[name] = field(workload);
    } else {
      throw new Error(`${container.name}: ${name} has a source the checks do not model`);
    }
  }
  return env;
}

/** The variables another variable of the container refers to as `$(NAME)`. */
export function referencedVariables(container: IContainer): Set<string> {
  const names = new Set<string>();
  for (const variable of container.env ?? []) {
    for (const match of (variable.value ?? '').matchAll(REFERENCE)) names.add(match[1] ?? '');
  }
  return names;
}
