import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { COMPATIBILITY_DOC, compatibilityCounts, countsLine } from '../scripts/compatibility-counts.js';

test("docs/compatibility.md's Counts section states what its option tables count", () => {
  const markdown = readFileSync(COMPATIBILITY_DOC, 'utf8');
  const counts = compatibilityCounts(markdown);
  assert.deepEqual(Object.keys(counts), ['OpenAI transcriptions', 'Deepgram pre-recorded', 'Deepgram live']);
  const section = markdown.slice(markdown.indexOf('\n## Counts'));
  for (const [api, count] of Object.entries(counts)) {
    assert.ok(count.supported > 0 && count.ignored > 0 && count.refused > 0, `${api}: every kind of row is counted`);
    assert.ok(section.includes(countsLine(api, count)), `the Counts section says: ${countsLine(api, count)}`);
  }
});
