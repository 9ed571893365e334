/**
 * Counts the options of docs/compatibility.md's tables by what the stack does with them
 * (supported / accepted and ignored / refused) and prints one line per API: the figures of
 * the page's "Counts" section (test/compatibility-doc.test.ts keeps them equal).
 * Run: npm run docs:compat-counts
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Treatment = 'supported' | 'ignored' | 'refused';
export type TreatmentCounts = Record<Treatment, number>;

export const COMPATIBILITY_DOC = fileURLToPath(new URL('../docs/compatibility.md', import.meta.url));

/** The option names of a table's first cell: its backticked names, but not those in parentheses (values of one). */
function optionNames(cell: string): string[] {
  return [...cell.replace(/\([^)]*\)/g, '').matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
}

/** What a cell says the stack does, or undefined for an option the API does not have there (`—`). */
function treatment(cell: string): Treatment | undefined {
  if (/\bsupported\b/.test(cell)) return 'supported';
  if (/\bignored\b/.test(cell)) return 'ignored';
  if (/\brefused\b/.test(cell)) return 'refused';
  return undefined;
}

/** The option-table rows (cells) of the section under the heading (`## …`, `### …`) that starts with `heading`. */
function sectionRows(markdown: string, heading: string): string[][] {
  const level = heading.slice(0, heading.indexOf(' ') + 1);
  const start = markdown.indexOf(`\n${heading}`);
  if (start === -1) throw new Error(`docs/compatibility.md has no section "${heading}"`);
  const end = markdown.indexOf(`\n${level}`, start + 1);
  return markdown
    .slice(start, end === -1 ? undefined : end)
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split('|').slice(1, -1));
}

/** The counts of one column of a section's option tables. */
function countColumn(rows: readonly string[][], column: number): TreatmentCounts {
  const counts: TreatmentCounts = { supported: 0, ignored: 0, refused: 0 };
  for (const cells of rows) {
    const what = treatment(cells[column] ?? '');
    if (what !== undefined) counts[what] += optionNames(cells[0]!).length;
  }
  return counts;
}

/** Every API's counts, as the page's tables state them. */
export function compatibilityCounts(markdown: string): Record<string, TreatmentCounts> {
  const openAi = sectionRows(markdown, '### Options of `POST /v1/audio/transcriptions`').filter((cells) => cells.length === 2);
  const deepgram = sectionRows(markdown, '## Deepgram').filter((cells) => cells.length === 4);
  return { 'OpenAI transcriptions': countColumn(openAi, 1), 'Deepgram pre-recorded': countColumn(deepgram, 1), 'Deepgram live': countColumn(deepgram, 2) };
}

/** One line of the Counts section. */
export function countsLine(api: string, { supported, ignored, refused }: TreatmentCounts): string {
  return `${api}: ${supported + ignored + refused} options: ${supported} supported, ${ignored} accepted and ignored, ${refused} refused`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [api, counts] of Object.entries(compatibilityCounts(readFileSync(COMPATIBILITY_DOC, 'utf8')))) console.log(countsLine(api, counts));
}
