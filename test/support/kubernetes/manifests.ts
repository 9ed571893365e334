import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { selects, type Labels } from './label-selector.js';
import { kustomize, validate, type RenderedObject } from './rendered-objects.js';

/** Pods as a Deployment makes them: the only kind of workload the checks model. */
export interface Workload {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
  /** undefined: left to an autoscaler, or Kubernetes' default of one. */
  readonly replicas: number | undefined;
  readonly pod: IPodSpec;
}

const OTHER_WORKLOAD_KINDS = new Set(['Pod', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

/** One overlay as `kubectl kustomize` renders it. */
export class Manifests {
  private constructor(
    readonly directory: string,
    readonly objects: readonly RenderedObject[],
  ) {}

  static render(directory: string): Manifests {
    return new Manifests(directory, kustomize(directory));
  }

  /** Validates every object against its kind's schema; throws at the first that does not validate. */
  async validate(): Promise<void> {
    for (const object of this.objects) await validate(object);
  }

  /** Every object of one kind, typed by its model's guard (`Deployment.is`, …). */
  all<T>(is: (value: unknown) => value is T): T[] {
    return this.objects.filter((object): object is RenderedObject & T => is(object));
  }

  /** The one object of that kind with that name. */
  one<T extends { metadata?: { name?: string } }>(is: (value: unknown) => value is T, name: string): T {
    const found = this.all(is).filter((object) => object.metadata?.name === name);
    if (found.length !== 1) throw new Error(`${this.directory}: expected one ${name}, found ${found.length}`);
    return found[0] as T;
  }

  /** The namespace every namespaced object is in (an overlay deploys into one). */
  get namespace(): string {
    const namespaces = new Set(this.objects.filter((object) => !Namespace.is(object)).map((object) => object.metadata.namespace));
    const [only] = namespaces;
    if (namespaces.size !== 1 || only === undefined) throw new Error(`${this.directory}: objects in namespaces ${[...namespaces].join(', ')}`);
    return only;
  }

  get namespaceLabels(): Labels {
    return this.one(Namespace.is, this.namespace).metadata?.labels ?? {};
  }

  get workloads(): Workload[] {
    const other = this.objects.find((object) => OTHER_WORKLOAD_KINDS.has(object.kind));
    if (other !== undefined) throw new Error(`${other.kind}/${other.metadata.name}: only Deployments are modelled by the manifest checks`);
    return this.all(Deployment.is).map((deployment) => {
      const template = deployment.spec?.template;
      if (template?.spec === undefined) throw new Error(`Deployment ${deployment.metadata?.name} has no pod template`);
      return {
        name: deployment.metadata?.name ?? '',
        namespace: deployment.metadata?.namespace ?? '',
        labels: template.metadata?.labels ?? {},
        replicas: deployment.spec?.replicas,
        pod: template.spec,
      };
    });
  }

  workload(name: string): Workload {
    const found = this.workloads.find((workload) => workload.name === name);
    if (found === undefined) throw new Error(`${this.directory}: no Deployment ${name}`);
    return found;
  }

  /** The workloads whose pods `selector` selects. */
  selectedBy(selector: ILabelSelector | undefined): Workload[] {
    return this.workloads.filter((workload) => selects(selector, workload.labels));
  }

  /** The fewest replicas a workload runs: its own count, else its autoscaler's minimum, else one. */
  minimumReplicas(workload: Workload): number {
    const hpa = this.all(HorizontalPodAutoscaler.is).find((object) => object.spec?.scaleTargetRef.name === workload.name);
    const scaled = this.all(ScaledObject.is).find((object) => object.spec.scaleTargetRef.name === workload.name);
    return workload.replicas ?? hpa?.spec?.minReplicas ?? scaled?.spec.minReplicaCount ?? 1;
  }

  /** A rendered Secret's value (a secretGenerator's name carries a hash: the reference names it so). */
  secretValue(name: string, key: string): string {
    const value = this.one(Secret.is, name).data?.[key];
    if (value === undefined) throw new Error(`${this.directory}: Secret ${name} has no key ${key}`);
    return Buffer.from(value.replace(/\s/g, ''), 'base64').toString('utf8');
  }
}
