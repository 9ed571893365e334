import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import { selects, type Labels } from './label-selector.js';

/** Where a connection comes from: a pod (in a namespace with labels), or outside the cluster. */
export type Source =
  | { readonly kind: 'pod'; readonly namespace: string; readonly namespaceLabels: Labels; readonly labels: Labels }
  | { readonly kind: 'outside' };

/** The pod a connection goes to, with its container ports by name (for policies naming ports). */
export interface Destination {
  readonly namespace: string;
  readonly labels: Labels;
  readonly namedPorts: ReadonlyMap<string, number>;
}

/**
 * Whether the ingress policies let `source` open a TCP connection to `destination` on `port`,
 * as Kubernetes defines it: a pod no policy selects accepts everything; otherwise some rule of a
 * policy that selects it must match both the source and the port. ipBlock and endPort are not
 * modelled and fail loudly; so does an egress policy, which this does not evaluate.
 */
export function admits(policies: readonly INetworkPolicy[], source: Source, destination: Destination, port: number): boolean {
  const selecting = policies.filter((policy) => {
    if (policy.spec?.policyTypes?.some((type) => type !== 'Ingress') === true) {
      throw new Error(`NetworkPolicy ${policy.metadata?.name}: only Ingress policies are modelled`);
    }
    return policy.metadata?.namespace === destination.namespace && selects(policy.spec?.podSelector, destination.labels);
  });
  if (selecting.length === 0) return true;
  return selecting.some((policy) =>
    (policy.spec?.ingress ?? []).some(
      (rule) => peersAdmit(rule.from, source, destination.namespace) && portsAdmit(rule.ports, destination, port),
    ),
  );
}

function peersAdmit(peers: readonly INetworkPolicyPeer[] | undefined, source: Source, policyNamespace: string): boolean {
  if (peers === undefined || peers.length === 0) return true;
  return peers.some((peer) => {
    if (peer.ipBlock !== undefined) throw new Error(`ipBlock peers are not modelled: ${JSON.stringify(peer)}`);
    if (source.kind === 'outside') return false;
    const namespaceMatches =
      peer.namespaceSelector === undefined ? source.namespace === policyNamespace : selects(peer.namespaceSelector, source.namespaceLabels);
    const podMatches = peer.podSelector === undefined || selects(peer.podSelector, source.labels);
    return namespaceMatches && podMatches;
  });
}

function portsAdmit(ports: readonly INetworkPolicyPort[] | undefined, destination: Destination, port: number): boolean {
  if (ports === undefined || ports.length === 0) return true;
  return ports.some((entry) => {
    if (entry.endPort !== undefined) throw new Error(`endPort is not modelled: ${JSON.stringify(entry)}`);
    if ((entry.protocol ?? 'TCP') !== 'TCP') return false;
    if (entry.port === undefined) return true;
    return (typeof entry.port === 'number' ? entry.port : destination.namedPorts.get(entry.port)) === port;
  });
}
