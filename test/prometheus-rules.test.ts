import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from './support/http.js';
import { alertRules, PROMETHEUS_DIR, prometheusFile, promtool, scrapeJobs, type ScrapeJob } from './support/prometheus-files.js';
import { matches, samples, selectors, type Sample, type Selector } from './support/promql.js';
import { TestStack } from './support/test-stack.js';

const ALERTS = ['APIServerDown', 'NoASRWorkers', 'LicenseGracePeriodEndingSoon', 'LicenseUnusable', 'BatchQueueBacklog', 'StreamQueueBacklog', 'StreamLatencyHigh'];

/** The seed page's scrape job, word for word. */
const SEED_JOB = `- job_name: 'api-server-health'
  metrics_path: '/health'
  scrape_interval: 30s
  static_configs:
    - targets: ['api-server:7100']`;

/** Series Prometheus records itself for every target; no service exports them. */
const PROMETHEUS_OWN = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** Labels Prometheus adds to every scraped series (the job's name, the target). */
const TARGET_LABELS = new Set(['job', 'instance']);

/**
 * Each alert's threshold or `for:` made laxer by one step; alerts.test.yml must then fail, or its
 * boundary cases (just under the threshold, the `for:` not yet over) test nothing.
 */
const LAXER: readonly { alert: string; from: string; to: string }[] = [
  { alert: 'APIServerDown', from: 'for: 1m', to: 'for: 45s' },
  { alert: 'NoASRWorkers', from: 'max(', to: 'min(' },
  { alert: 'NoASRWorkers', from: 'for: 1m', to: 'for: 45s' },
  { alert: 'LicenseGracePeriodEndingSoon', from: '< 3600', to: '<= 3600' },
  { alert: 'LicenseUnusable', from: 'for: 1m', to: 'for: 45s' },
  { alert: 'BatchQueueBacklog', from: '> 20', to: '>= 20' },
  { alert: 'BatchQueueBacklog', from: 'for: 5m', to: 'for: 4m45s' },
  { alert: 'StreamQueueBacklog', from: '> 30', to: '>= 30' },
  { alert: 'StreamQueueBacklog', from: 'for: 2m', to: 'for: 1m45s' },
  { alert: 'StreamLatencyHigh', from: '> 1.5', to: '> 1.4' },
  { alert: 'StreamLatencyHigh', from: '{type="interim"}', to: '' },
  { alert: 'StreamLatencyHigh', from: 'for: 5m', to: 'for: 4m45s' },
];

/** `rules` with `from` replaced by `to` in the first place it occurs after `- alert: <alert>`. */
function mutate(rules: string, { alert, from, to }: (typeof LAXER)[number]): string {
  const start = rules.indexOf(`- alert: ${alert}\n`);
  const at = rules.indexOf(from, start);
  assert.ok(start >= 0 && at > start, `"${from}" in ${alert}`);
  return rules.slice(0, at) + to + rules.slice(at + from.length);
}

/** The lines of `text` from the one starting with `first`, as many as `count`, without their common indentation. */
function block(text: string, first: string, count: number): string {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => line.trimStart() === first);
  assert.ok(index >= 0, `a line "${first}"`);
  const indent = lines[index]!.length - first.length;
  return lines
    .slice(index, index + count)
    .map((line) => line.slice(indent))
    .join('\n');
}

describe('alert rules and the example Prometheus configuration, checked by promtool', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stt-prometheus-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('promtool check rules: alerts.yml is valid and holds the seven alerts, each read here', async () => {
    const { code, output } = await promtool('check', 'rules', 'alerts.yml');
    assert.equal(code, 0, output);
    const rules = alertRules(prometheusFile('alerts.yml'));
    assert.deepEqual(
      rules.map((rule) => rule.alert),
      ALERTS,
    );
    assert.equal(Number(/SUCCESS: (\d+) rules found/.exec(output)?.[1]), rules.length, 'promtool counts as many rules as are read here (each expr on one line)');
  });

  test('promtool test rules: every alert fires past its threshold for its whole for:, and is silent before and below', async () => {
    const { code, output } = await promtool('test', 'rules', 'alerts.test.yml');
    assert.equal(code, 0, output);
    const tests = prometheusFile('alerts.test.yml');
    for (const alert of ALERTS) {
      assert.match(tests, new RegExp(`alertname: ${alert}\\n\\s*exp_alerts:\\n\\s*- exp_labels:`), `${alert} fires in a test`);
      assert.match(tests, new RegExp(`alertname: ${alert}\\n\\s*exp_alerts: \\[\\]`), `${alert} is silent in a test`);
    }
  });

  test('the unit tests fail when any threshold or for: is one step laxer', async () => {
    const rules = prometheusFile('alerts.yml');
    copyFileSync(join(PROMETHEUS_DIR, 'alerts.test.yml'), join(dir, 'alerts.test.yml'));
    for (const change of LAXER) {
      writeFileSync(join(dir, 'alerts.yml'), mutate(rules, change));
      const { code, output } = await promtool('test', 'rules', join(dir, 'alerts.test.yml'));
      assert.notEqual(code, 0, `${change.alert} with "${change.to}" instead of "${change.from}" still passes:\n${output}`);
    }
  });

  test('promtool check config: prometheus.yml is valid, with its rule file and the key file beside it', async () => {
    for (const file of ['prometheus.yml', 'alerts.yml']) copyFileSync(join(PROMETHEUS_DIR, file), join(dir, file));
    // The key file is the deployer's (never committed); promtool checks that it exists.
    writeFileSync(join(dir, 'license.key'), 'stl1.placeholder\n', { mode: 0o600 });
    const { code, output } = await promtool('check', 'config', join(dir, 'prometheus.yml'));
    assert.equal(code, 0, output);
    assert.match(output, new RegExp(`SUCCESS: ${ALERTS.length} rules found`));
  });

  test("prometheus.yml: the seed's /health job verbatim, /metrics of every service (the API's with its key), alerts.yml as its rules", () => {
    const config = prometheusFile('prometheus.yml');
    assert.equal(block(config, SEED_JOB.split('\n')[0]!, SEED_JOB.split('\n').length), SEED_JOB);
    assert.equal(block(config, 'rule_files:', 2), 'rule_files:\n  - alerts.yml');
    const jobs = new Map(scrapeJobs(config).map((job) => [job.job, job]));
    assert.deepEqual([...jobs.keys()], ['api-server-health', 'api-server', 'lightning-asr', 'license-proxy']);
    assert.deepEqual(jobs.get('api-server-health'), { job: 'api-server-health', path: '/health', hosts: ['api-server'], authorized: false });
    assert.deepEqual(jobs.get('api-server'), { job: 'api-server', path: '/metrics', hosts: ['api-server'], authorized: true });
    for (const job of ['lightning-asr', 'license-proxy']) assert.equal(jobs.get(job)?.path, '/metrics', job);
  });
});

describe('selectors are read from PromQL as Prometheus would', () => {
  test('names and equality matchers; not functions, keywords, label lists, numbers, durations or strings', () => {
    const names = (expr: string): Selector[] => selectors(expr);
    assert.deepEqual(names('histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{type="interim", le!="1"}[5m]))) > 1.5'), [
      { name: 'a_seconds_bucket', labels: { type: 'interim' } },
    ]);
    assert.deepEqual(names('b < 3600 and on(instance) group_left(job) c{x=~"y"} == 1 offset 5m'), [
      { name: 'b', labels: {} },
      { name: 'c', labels: {} },
    ]);
    assert.deepEqual(names('max without (instance) (up{job="j"}) or absent({__name__="d", k="v"}) unless e'), [
      { name: 'up', labels: { job: 'j' } },
      { name: 'd', labels: { k: 'v' } },
      { name: 'e', labels: {} },
    ]);
    assert.deepEqual(names('label_replace(f, "dst", "$1", "src", "(.*)") > bool 1e3'), [{ name: 'f', labels: {} }]);
  });
});

describe('every series the alerts select is exported by the real services, on the path its job scrapes', () => {
  let stack: TestStack;
  before(async () => {
    stack = await TestStack.start({ workers: 1 });
    await stack.healthy();
  });
  after(() => stack.stop());

  /** What a job of prometheus.yml scrapes from this stack: the service its targets name, on its path. */
  async function scrape(job: ScrapeJob): Promise<Sample[]> {
    const base = job.hosts[0]?.startsWith('lightning-asr')
      ? stack.workerUrl(stack.workers[0]!)
      : { 'api-server': stack.apiUrl, 'license-proxy': stack.proxyUrl }[job.hosts[0] ?? ''];
    assert.ok(base !== undefined, `a service for ${job.job} (${job.hosts.join(', ')})`);
    const headers: Record<string, string> = { accept: 'text/plain' };
    if (job.authorized) headers.authorization = `Token ${stack.licenseKey}`;
    const answer = await request(`${base}${job.path}`, { headers });
    assert.equal(answer.status, 200, `${job.job}: GET ${job.path}`);
    return samples(answer.text);
  }

  test('each selector of each alert matches a sample of its job (or of any job), its labels included', async () => {
    const jobs = scrapeJobs(prometheusFile('prometheus.yml'));
    const scraped = new Map<string, Sample[]>();
    for (const job of jobs) scraped.set(job.job, await scrape(job));
    const rules = alertRules(prometheusFile('alerts.yml'));
    assert.equal(rules.length, ALERTS.length);
    for (const { alert, expr } of rules) {
      const found = selectors(expr);
      assert.ok(found.length > 0, `${alert}: a series in ${expr}`);
      for (const { name, labels } of found) {
        const job = labels.job;
        assert.ok(job === undefined || scraped.has(job), `${alert}: job "${job}" is a job of prometheus.yml`);
        if (PROMETHEUS_OWN.has(name)) {
          assert.ok(job !== undefined, `${alert}: ${name} names its job`);
          continue;
        }
        const pool = job === undefined ? [...scraped.values()].flat() : scraped.get(job)!;
        const wanted = Object.fromEntries(Object.entries(labels).filter(([label]) => !TARGET_LABELS.has(label)));
        const exported = pool.some((sample) => matches(sample, name, wanted));
        assert.ok(exported, `${alert}: ${name}${JSON.stringify(wanted)} is exported${job === undefined ? '' : ` on ${job}'s path`}`);
      }
    }
  });
});
