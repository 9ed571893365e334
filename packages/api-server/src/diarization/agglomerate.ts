/** How many clusters agglomeration may end with. */
export interface ClusterCountBounds {
  readonly min: number;
  readonly max: number;
}

export interface Linkage<Cluster> {
  /** The cost of merging two clusters; merging stops at the first pair costing `stopAbove` or more. */
  cost(a: Cluster, b: Cluster): number;
  merge(a: Cluster, b: Cluster): Cluster;
}

/**
 * Bottom-up clustering: merges the cheapest pair until the cheapest costs `stopAbove` or more
 * (the stopping rule, which estimates the count), never below `bounds.min` clusters and always
 * down to `bounds.max`. Returns each item's cluster, numbered 0… in order of first item.
 * Each cluster remembers its cheapest partner, so a merge rescans only the clusters that pointed
 * at the two merged: about n² cost evaluations in all, and n² numbers of memory.
 */
export function agglomerate<Cluster>(items: readonly Cluster[], linkage: Linkage<Cluster>, stopAbove: number, bounds: ClusterCountBounds): number[] {
  const n = items.length;
  const clusters: (Cluster | undefined)[] = [...items];
  const members: number[][] = items.map((_, i) => [i]);
  const costs = new Float64Array(n * n).fill(Infinity);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) costs[i * n + j] = costs[j * n + i] = linkage.cost(items[i]!, items[j]!);
  const partner = new Int32Array(n).fill(-1);
  const cheapest = (i: number): void => {
    let best = -1;
    for (let j = 0; j < n; j++) if (j !== i && clusters[j] !== undefined && (best < 0 || costs[i * n + j]! < costs[i * n + best]!)) best = j;
    partner[i] = best;
  };
  for (let i = 0; i < n; i++) cheapest(i);

  let alive = n;
  while (alive > Math.max(1, bounds.min)) {
    let i = -1;
    for (let k = 0; k < n; k++) if (clusters[k] !== undefined && partner[k]! >= 0 && (i < 0 || costs[k * n + partner[k]!]! < costs[i * n + partner[i]!]!)) i = k;
    if (i < 0) break;
    const j = partner[i]!;
    if (alive <= bounds.max && costs[i * n + j]! >= stopAbove) break;
    clusters[i] = linkage.merge(clusters[i]!, clusters[j]!);
    clusters[j] = undefined;
    members[i]!.push(...members[j]!);
    members[j] = [];
    alive--;
    for (let k = 0; k < n; k++) {
      costs[j * n + k] = costs[k * n + j] = Infinity;
      if (k !== i && clusters[k] !== undefined) costs[i * n + k] = costs[k * n + i] = linkage.cost(clusters[i]!, clusters[k]!);
    }
    for (let k = 0; k < n; k++) {
      if (clusters[k] === undefined) continue;
      if (k === i || partner[k] === i || partner[k] === j) cheapest(k);
      else if (costs[k * n + i]! < costs[k * n + partner[k]!]!) partner[k] = i;
    }
  }
  const labels = new Array<number>(n).fill(0);
  const order = members.filter((group) => group.length > 0).sort((a, b) => Math.min(...a) - Math.min(...b));
  order.forEach((group, label) => group.forEach((item) => (labels[item] = label)));
  return labels;
}
