import type { IContainer } from 'kubernetes-models/v1/Container';
import type { Workload } from './manifests.js';

/** A container port given by number or by name, as Services, probes and policies may name it. */
export function containerPort(container: IContainer, port: number | string | undefined): number | undefined {
  return container.ports?.find((entry) => entry.containerPort === port || entry.name === port)?.containerPort;
}

/** The one port a workload's pods expose (each of ours has one). */
export function onlyPort(workload: Workload): number {
  const ports = workload.pod.containers.flatMap((container) => container.ports ?? []);
  const [only] = ports;
  if (only === undefined || ports.length !== 1) throw new Error(`${workload.name} exposes ${ports.length} ports, not one`);
  return only.containerPort;
}

/** How long a preStop hook holds the pod before SIGTERM; throws for a hook that is not a plain sleep. */
export function preStopSeconds(container: IContainer): number {
  const hook = container.lifecycle?.preStop;
  if (hook === undefined) return 0;
  if (hook.sleep !== undefined) return hook.sleep.seconds;
  const [program, seconds, ...rest] = hook.exec?.command ?? [];
  if (program !== 'sleep' || rest.length > 0 || !/^\d+$/.test(seconds ?? '')) {
    throw new Error(`preStop of ${container.name} is not a plain sleep: ${JSON.stringify(hook)}`);
  }
  return Number(seconds);
}
