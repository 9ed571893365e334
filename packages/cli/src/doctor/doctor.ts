import { existsSync, readFileSync } from 'node:fs';
import { SttError, type ComponentName, type DetailedHealth, type SttClient } from '@stt/client';
import { wavFromPcm } from '../audio/wav-pcm.js';
import { describeFailure } from '../cli-failure.js';
import { licenseProxyHealth } from '../commands/license-command.js';
import { componentSummary } from '../output/health-table.js';
import type { Check } from './check.js';
import { DEGRADED_FIXES, REASON_FIXES, SLOW_HEALTH_FIX, transcriptionFix, UNREACHABLE_FIX } from './fixes.js';
import { logFindings } from './log-findings.js';

/** Debian's pocketsphinx-testdata clip, and what it says: the workers' own self-test. */
export const SELF_TEST_CLIP = '/usr/share/pocketsphinx/test/data/goforward.raw';
const SELF_TEST_WORDS = 'go forward ten meters';

/** The contract's bound of a health answer; the seed's probes allow 5 s. */
const HEALTH_ANSWER_MS = 1000;
const LOG_FINDINGS_SHOWN = 8;

export interface DoctorOptions {
  /** The license proxy, asked directly when given. */
  readonly licenseUrl?: string | undefined;
  /** Log files of the services (JSON lines; `-` for standard input). */
  readonly logs: readonly string[];
  /** Audio to test transcription with; unset: the self-test clip when this machine has it. */
  readonly clip?: string | undefined;
  readonly hasApiKey: boolean;
}

const COMPONENT_TITLES: Readonly<Record<ComponentName, string>> = {
  api_server: 'API server (api_server)',
  lightning_asr: 'ASR workers (lightning_asr)',
  license_proxy: 'License proxy (license_proxy)',
  redis: 'Redis (redis)',
};

/**
 * The seed page's Troubleshooting as a checklist: is the API server there and quick, which
 * component is failing and why (its probe's reason and numbers), does a real transcription
 * work (health can say 200 while requests fail), what the logs say, and what to do about each.
 */
export class Doctor {
  constructor(
    private readonly client: SttClient,
    private readonly options: DoctorOptions,
  ) {}

  async run(): Promise<Check[]> {
    const checks: Check[] = [];
    const reached = await this.reachability();
    checks.push(reached.check);
    if (reached.health !== undefined) {
      checks.push(reached.timing!, ...this.components(reached.health));
      if (this.options.licenseUrl !== undefined) checks.push(await this.licenseProxy(this.options.licenseUrl));
      checks.push(await this.transcription());
    }
    if (this.options.logs.length > 0) checks.push(this.logs());
    return checks;
  }

  private async reachability(): Promise<{ check: Check; timing?: Check; health?: DetailedHealth }> {
    const startedAt = performance.now();
    try {
      const health = await this.client.detailedHealth();
      const ms = Math.round(performance.now() - startedAt);
      const timing: Check =
        ms <= HEALTH_ANSWER_MS
          ? { title: 'Health answers in time', status: 'pass', detail: [`${ms} ms`] }
          : { title: 'Health answers in time', status: 'warn', detail: [`${ms} ms (over ${HEALTH_ANSWER_MS} ms)`], fix: SLOW_HEALTH_FIX };
      const verdict = health.status === 'healthy' ? 'healthy' : `unhealthy: ${health.reason ?? '?'}`;
      return { check: { title: 'API server answers', status: 'pass', detail: [`/health ${verdict}, version ${health.version}`] }, timing, health };
    } catch (error) {
      const timedOut = error instanceof SttError && error.code === 'TIMEOUT';
      return { check: { title: 'API server answers', status: 'fail', detail: [describeFailure(error)], fix: timedOut ? SLOW_HEALTH_FIX : UNREACHABLE_FIX } };
    }
  }

  private components(health: DetailedHealth): Check[] {
    const reasons = new Set((health.reason ?? '').split('; ').filter(Boolean));
    return (Object.keys(COMPONENT_TITLES) as ComponentName[]).map((name) => {
      const status = health.components[name];
      const summary = componentSummary(name, health.details);
      if (status === 'healthy') return { title: COMPONENT_TITLES[name], status: 'pass', detail: [summary] };
      if (status === 'degraded') return { title: COMPONENT_TITLES[name], status: 'warn', detail: [`degraded: ${summary}`], fix: DEGRADED_FIXES[name] ?? '' };
      // The overall reason lists each unhealthy component's reason once; the one with a fix is this one's.
      const reason = [...reasons].find((candidate) => belongsTo(name, candidate)) ?? 'unhealthy';
      return { title: COMPONENT_TITLES[name], status: 'fail', detail: [`unhealthy: ${reason}`, summary], fix: REASON_FIXES[reason] ?? 'Review this component’s logs.' };
    });
  }

  private async licenseProxy(url: string): Promise<Check> {
    try {
      const { status, health } = await licenseProxyHealth(url);
      const detail = [`${url}: ${health.status}, license ${health.license_valid ? 'valid' : 'not valid'}${health.valid_until ? ` until ${health.valid_until}` : ''}${health.reason ? ` (${health.reason})` : ''}`];
      if (status === 200) return { title: 'License proxy asked directly', status: health.grace_period_active ? 'warn' : 'pass', detail, ...(health.grace_period_active ? { fix: DEGRADED_FIXES.license_proxy! } : {}) };
      return { title: 'License proxy asked directly', status: 'fail', detail, fix: REASON_FIXES['License invalid or expired']! };
    } catch (error) {
      return { title: 'License proxy asked directly', status: 'fail', detail: [describeFailure(error)], fix: REASON_FIXES['License proxy unavailable']! };
    }
  }

  /** The seed's "false positives": health says 200, but does a request work? */
  private async transcription(): Promise<Check> {
    const title = 'A real transcription works';
    if (!this.options.hasApiKey) return { title, status: 'skip', detail: ['no API key: set STT_API_KEY or --api-key'] };
    const clip = this.options.clip ?? (existsSync(SELF_TEST_CLIP) ? SELF_TEST_CLIP : undefined);
    if (clip === undefined) return { title, status: 'skip', detail: ['no test clip: pass --clip FILE'] };
    const audio = clip.endsWith('.raw') ? wavFromPcm({ data: readFileSync(clip), sampleRate: 16_000 }) : readFileSync(clip);
    try {
      const transcript = await this.client.transcribe(audio, { punctuate: false });
      const detail = [`"${transcript.text}" in ${transcript.metadata.processing_time_ms} ms (request ${transcript.request_id})`];
      if (clip === SELF_TEST_CLIP && transcript.text !== SELF_TEST_WORDS) {
        return { title, status: 'warn', detail: [...detail, `expected "${SELF_TEST_WORDS}"`], fix: DEGRADED_FIXES.lightning_asr! };
      }
      return { title, status: 'pass', detail };
    } catch (error) {
      return { title, status: 'fail', detail: [describeFailure(error)], fix: transcriptionFix(error instanceof SttError ? error.code : '') };
    }
  }

  private logs(): Check {
    const findings = logFindings(this.options.logs);
    const title = 'Logs: warnings and errors';
    if (findings.length === 0) return { title, status: 'pass', detail: ['none'] };
    const detail = findings.slice(0, LOG_FINDINGS_SHOWN).map((finding) => `${finding.service} ${finding.level} ×${finding.count}${finding.lastTime ? ` (last ${finding.lastTime})` : ''}: ${finding.msg}`);
    if (findings.length > LOG_FINDINGS_SHOWN) detail.push(`… and ${findings.length - LOG_FINDINGS_SHOWN} more`);
    const errors = findings.some((finding) => finding.level === 'error' || finding.level === 'fatal');
    return { title, status: errors ? 'fail' : 'warn', detail, fix: 'Read the lines around these in the full logs (their request_id ties each to a request).' };
  }
}

/** The components each health reason is about (Redis down also hides the workers' registry). */
const REASON_COMPONENTS: Readonly<Record<string, readonly ComponentName[]>> = {
  'No ASR workers available': ['lightning_asr'],
  'License proxy unavailable': ['license_proxy'],
  'License invalid or expired': ['license_proxy'],
  'Redis connection failed': ['lightning_asr', 'redis'],
  'Server is shutting down': ['api_server'],
};

function belongsTo(component: ComponentName, reason: string): boolean {
  return REASON_COMPONENTS[reason]?.includes(component) ?? false;
}
