/** A series selector of a PromQL expression: the metric name and its equality label matchers. */
export interface Selector {
  readonly name: string;
  /** `label="value"` matchers (not `!=`, `=~`, `!~`). */
  readonly labels: Readonly<Record<string, string>>;
}

/** One sample line of the Prometheus text exposition format. */
export interface Sample extends Selector {
  readonly value: number;
}

/** Identifiers that are PromQL's own, not metric names. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'group_left', 'group_right']);
/** Keywords followed by a parenthesised list of label names. */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const TOKEN = /("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)|(\{[^}]*\})|(\[[^\]]*\])|(\d[\w.]*|\.\d[\w.]*)|([A-Za-z_:][\w:]*)|(\s+)|(.)/gy;
const MATCHER = /([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;

type Token = { kind: 'string' | 'matchers' | 'range' | 'number' | 'identifier' | 'other'; text: string };

function tokens(expr: string): Token[] {
  const kinds = ['string', 'matchers', 'range', 'number', 'identifier', 'space', 'other'] as const;
  const found: Token[] = [];
  for (const match of expr.matchAll(TOKEN)) {
    const index = match.slice(1).findIndex((group) => group !== undefined);
    const kind = kinds[index]!;
    if (kind !== 'space') found.push({ kind, text: match[0] });
  }
  return found;
}

function equalityMatchers(braces: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, label, operator, value] of braces.matchAll(MATCHER)) {
    if (operator === '=') labels[label!] = value!;
  }
  return labels;
}

/**
 * Every series selector in a PromQL expression: identifiers that are not functions or
 * aggregations (followed by `(`, `by` or `without`), keywords, label names (inside `{…}`, or the label lists of
 * `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`), numbers, durations or strings;
 * and `{__name__="…"}` selectors.
 */
export function selectors(expr: string): Selector[] {
  const list = tokens(expr);
  const found: Selector[] = [];
  for (let index = 0; index < list.length; index++) {
    const token = list[index]!;
    const next = list[index + 1];
    if (token.kind === 'matchers' && list[index - 1]?.kind !== 'identifier') {
      const { __name__: name, ...labels } = equalityMatchers(token.text);
      if (name !== undefined) found.push({ name, labels });
      continue;
    }
    if (token.kind !== 'identifier') continue;
    const word = token.text.toLowerCase();
    if (LABEL_LISTS.has(word) && next?.text === '(') {
      while (index < list.length && list[index]!.text !== ')') index++;
      continue;
    }
    // A function or an aggregation: `rate(`, `sum(`, `sum by (le) (`.
    if (KEYWORDS.has(word) || next?.text === '(' || (next?.kind === 'identifier' && ['by', 'without'].includes(next.text.toLowerCase()))) continue;
    found.push({ name: token.text, labels: next?.kind === 'matchers' ? equalityMatchers(next.text) : {} });
  }
  return found;
}

/** The samples of a text exposition (`/metrics`, or `/health` for Prometheus). */
export function samples(exposition: string): Sample[] {
  const found: Sample[] = [];
  for (const line of exposition.split('\n')) {
    const match = /^([A-Za-z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match !== null) found.push({ name: match[1]!, labels: match[2] === undefined ? {} : equalityMatchers(match[2]), value: Number(match[3]) });
  }
  return found;
}

/** Whether `sample` is named `name` and has every label of `labels`, with its value. */
export function matches(sample: Sample, name: string, labels: Readonly<Record<string, string>> = {}): boolean {
  return sample.name === name && Object.entries(labels).every(([label, value]) => sample.labels[label] === value);
}

/** The value of the sample named `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(exposition: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  return samples(exposition).find((sample) => matches(sample, name, labels))?.value;
}
