import { ApiError, type WorkerInfo } from '@stt/shared';
import { WORKER_RETRY_AFTER_SECONDS } from '../errors/refusals.js';
import { REASONS } from '../health/component-report.js';

/** One model the stack serves, as `/health?detailed=true` lists it. */
export interface ServedModel {
  readonly model: string;
  readonly engine: string;
  readonly languages: readonly string[];
  readonly streaming: WorkerInfo['streaming'];
  readonly word_timestamps: boolean;
  readonly workers_live: number;
  readonly workers_ready: number;
}

/** What a request asks of a model: the `model` option (unset: any) and its language. */
export interface ModelRequest {
  readonly model?: string | undefined;
  readonly language: string;
}

/**
 * The models the registered workers serve, as the ASR probe last read the registry, and the
 * choice of model for a request: the one it names, or else the model with the most ready workers
 * among those that transcribe its language. One stack can so run several engines side by side.
 */
export class ModelCatalog {
  private served: readonly ServedModel[] = [];

  /** Takes the registry as the probe read it; requests read the grouping made here. */
  update(workers: readonly WorkerInfo[]): void {
    this.served = servedModels(workers);
  }

  get models(): readonly ServedModel[] {
    return this.served;
  }

  /** The model to send the request to; 400 for a model or language nobody serves, 503 when none is ready. */
  choose(request: ModelRequest): string {
    const models = this.models.filter((served) => served.model !== 'unknown');
    if (request.model !== undefined) {
      const served = models.find((candidate) => candidate.model === request.model);
      if (served === undefined) {
        throw new ApiError('INVALID_PARAMETER', `Model "${request.model}" is not served here.`, {
          parameter: 'model',
          supported_models: models.map((candidate) => candidate.model),
        });
      }
      if (!served.languages.includes(request.language)) throw unsupportedLanguage(request.language, served.languages);
      if (served.workers_ready === 0) throw noWorkersFor(served.model);
      return served.model;
    }
    const ready = models.filter((served) => served.workers_ready > 0);
    if (ready.length === 0) throw noWorkersFor(undefined);
    const speaking = ready.filter((served) => served.languages.includes(request.language));
    if (speaking.length === 0) throw unsupportedLanguage(request.language, [...new Set(ready.flatMap((served) => served.languages))].sort());
    return speaking.sort((a, b) => b.workers_ready - a.workers_ready || a.model.localeCompare(b.model))[0]!.model;
  }
}

const unsupportedLanguage = (language: string, supported: readonly string[]): ApiError =>
  new ApiError('UNSUPPORTED_LANGUAGE', `Language "${language}" is not supported.`, { supported_languages: supported });

const noWorkersFor = (model: string | undefined): ApiError =>
  new ApiError('SERVICE_UNAVAILABLE', model === undefined ? REASONS.noWorkers : `No ASR workers available for model "${model}".`, {
    retry_after: WORKER_RETRY_AFTER_SECONDS,
  });

/** The workers grouped by the model they serve, by model name. */
function servedModels(workers: readonly WorkerInfo[]): ServedModel[] {
  const byModel = new Map<string, WorkerInfo[]>();
  for (const worker of workers) byModel.set(worker.model, [...(byModel.get(worker.model) ?? []), worker]);
  return [...byModel.entries()]
    .map(([model, workers]) => {
      const ready = workers.filter((worker) => worker.status === 'ready');
      const describing = ready[0] ?? workers[0]!;
      return {
        model,
        engine: describing.engine,
        languages: [...new Set(workers.flatMap((worker) => worker.languages))].sort(),
        streaming: describing.streaming,
        word_timestamps: describing.word_timestamps,
        workers_live: workers.length,
        workers_ready: ready.length,
      };
    })
    .sort((a, b) => a.model.localeCompare(b.model));
}
