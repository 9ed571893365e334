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
 * Cost O(n³) in the items: callers hand it segments, not frames.
 */
export function agglomerate<Cluster>(items: readonly Cluster[], linkage: Linkage<Cluster>, stopAbove: number, bounds: ClusterCountBounds): number[] {
  const clusters: (Cluster | undefined)[] = [...items];
  const members: number[][] = items.map((_, i) => [i]);
  const costs = items.map((a, i) => items.map((b, j) => (j > i ? linkage.cost(a, b) : Infinity)));
  let alive = items.length;
  while (alive > Math.max(1, bounds.min)) {
    let best = { cost: Infinity, i: -1, j: -1 };
    for (let i = 0; i < clusters.length; i++) {
      if (clusters[i] === undefined) continue;
      for (let j = i + 1; j < clusters.length; j++) {
        if (clusters[j] !== undefined && costs[i]![j]! < best.cost) best = { cost: costs[i]![j]!, i, j };
      }
    }
    if (best.i < 0 || (alive <= bounds.max && best.cost >= stopAbove)) break;
    const merged = linkage.merge(clusters[best.i]!, clusters[best.j]!);
    clusters[best.i] = merged;
    clusters[best.j] = undefined;
    members[best.i]!.push(...members[best.j]!);
    members[best.j] = [];
    alive--;
    for (let k = 0; k < clusters.length; k++) {
      const other = clusters[k];
      if (k === best.i || other === undefined) continue;
      const cost = linkage.cost(merged, other);
      if (k < best.i) costs[k]![best.i] = cost;
      else costs[best.i]![k] = cost;
    }
  }
  const labels = new Array<number>(items.length).fill(0);
  const order = members.filter((group) => group.length > 0).sort((a, b) => Math.min(...a) - Math.min(...b));
  order.forEach((group, label) => group.forEach((item) => (labels[item] = label)));
  return labels;
}
