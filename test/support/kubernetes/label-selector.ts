import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';

export type Labels = Readonly<Record<string, string>>;

/**
 * Whether `selector` selects an object with `labels`. Only matchLabels is modelled: a selector
 * with matchExpressions fails loudly, so a manifest change cannot slip past the checks built on this.
 */
export function selects(selector: ILabelSelector | undefined, labels: Labels): boolean {
  if (selector?.matchExpressions !== undefined && selector.matchExpressions.length > 0) {
    throw new Error(`matchExpressions are not modelled by the manifest checks: ${JSON.stringify(selector)}`);
  }
  return Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}
