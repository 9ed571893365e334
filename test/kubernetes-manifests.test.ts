import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSigningKeyPair, issueLicenseKey } from '@stt/license-proxy';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Service } from 'kubernetes-models/v1/Service';
import { freePort } from './support/free-port.js';
import { request, waitForStatus } from './support/http.js';
import { containerEnv, referencedVariables } from './support/kubernetes/container-env.js';
import { selects } from './support/kubernetes/label-selector.js';
import type { Manifests, Workload } from './support/kubernetes/manifests.js';
import { containerPort, onlyPort, preStopSeconds } from './support/kubernetes/pod-spec.js';
import { admits, type Source } from './support/kubernetes/network-policy.js';
import { adapterValues, OVERLAYS, renderOverlays, type OverlayName } from './support/kubernetes/overlays.js';
import { expectedImage, SERVICE_CODE, SERVICE_NAMES, serviceOfImage, type ServiceName } from './support/kubernetes/service-code.js';
import { TestStack } from './support/test-stack.js';

// Every assert.ok here has a message: a failing one without, whose message Node builds by reading
// the call's source, hung this file under tsx instead of failing.
const NAME_LABEL = 'app.kubernetes.io/name';
const HPA_METRIC = 'asr_active_requests';

/** Real credentials in place of license.env's placeholders, so each service's loadConfig can parse its environment. */
const signing = generateSigningKeyPair();
const PLACEHOLDER_REPLACEMENTS = {
  LICENSE_KEY: issueLicenseKey(signing.privateKeyPem, { customer: 'manifests', validDays: 1 }),
  LICENSE_PUBLIC_KEYS: signing.publicKey,
};

/** Every connection the services open (from their code), which the NetworkPolicies must admit. */
const FLOWS: readonly { from: string; to: string; why: string }[] = [
  { from: 'api-server', to: 'redis', why: 'the job queue, the worker registry, limits, callback jobs' },
  { from: 'lightning-asr', to: 'redis', why: 'heartbeats and the segments to decode' },
  { from: 'license-proxy', to: 'redis', why: 'the usage buffer and the last license validation' },
  { from: 'api-server', to: 'license-proxy', why: 'the license probe behind /health (API_BASE_URL)' },
  { from: 'api-server', to: 'lightning-asr', why: 'live streams relayed to the worker it picked' },
  { from: 'prometheus', to: 'api-server', why: 'scraping /metrics and /health' },
  { from: 'prometheus', to: 'lightning-asr', why: 'scraping /metrics (the HPA metric)' },
  { from: 'prometheus', to: 'license-proxy', why: 'scraping /metrics' },
  { from: 'outside', to: 'api-server', why: 'clients through the load balancer' },
];

/** Connections nothing needs, which the NetworkPolicies must refuse. */
const REFUSED: readonly { from: string; to: string }[] = [
  { from: 'other', to: 'redis' },
  { from: 'other', to: 'lightning-asr' },
  { from: 'other', to: 'license-proxy' },
  { from: 'outside', to: 'redis' },
  { from: 'outside', to: 'lightning-asr' },
  { from: 'outside', to: 'license-proxy' },
  { from: 'prometheus', to: 'redis' },
  { from: 'lightning-asr', to: 'license-proxy' },
  { from: 'license-proxy', to: 'lightning-asr' },
];

/** What Prometheus 2 sends: the ServiceMonitors' endpoints must answer it in the exposition format. */
const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

interface OurContainer {
  readonly service: ServiceName;
  readonly workload: Workload;
  readonly container: IContainer;
  readonly env: Record<string, string>;
}

function ourContainers(manifests: Manifests): OurContainer[] {
  return manifests.workloads.flatMap((workload) =>
    workload.pod.containers.flatMap((container) => {
      const service = serviceOfImage(container.image);
      return service === undefined ? [] : [{ service, workload, container, env: containerEnv(container, workload, manifests, PLACEHOLDER_REPLACEMENTS) }];
    }),
  );
}

function ourContainer(manifests: Manifests, service: ServiceName): OurContainer {
  const found = ourContainers(manifests).filter((entry) => entry.service === service);
  assert.equal(found.length, 1, `one ${service} container`);
  return found[0] as OurContainer;
}

function probes(container: IContainer) {
  return { startup: container.startupProbe, liveness: container.livenessProbe, readiness: container.readinessProbe };
}

function peer(manifests: Manifests, name: string): Source {
  const namespaceLabels = { ...manifests.namespaceLabels, 'kubernetes.io/metadata.name': manifests.namespace };
  switch (name) {
    case 'outside':
      return { kind: 'outside' };
    // Labelled as the Prometheus operator labels its pods, in another namespace.
    case 'prometheus':
      return { kind: 'pod', namespace: 'monitoring', namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' }, labels: { [NAME_LABEL]: 'prometheus' } };
    case 'other':
      return { kind: 'pod', namespace: manifests.namespace, namespaceLabels, labels: { [NAME_LABEL]: 'something-else' } };
    default:
      return { kind: 'pod', namespace: manifests.namespace, namespaceLabels, labels: manifests.workload(name).labels };
  }
}

/** Whether the policies admit `from` → the workload `to` on its port; undefined when `to` is not deployed here. */
function flowAdmitted(manifests: Manifests, from: string, to: string): boolean | undefined {
  const destination = manifests.workloads.find((workload) => workload.name === to);
  if (destination === undefined) return undefined;
  const namedPorts = new Map(destination.pod.containers.flatMap((container) => (container.ports ?? []).map((port) => [port.name ?? '', port.containerPort] as const)));
  return admits(manifests.all(NetworkPolicy.is), peer(manifests, from), { namespace: destination.namespace, labels: destination.labels, namedPorts }, onlyPort(destination));
}

let rendered: Record<OverlayName, Manifests>;
let stack: TestStack;

/** The base URL of the real service (on this machine, on a free port) the manifests describe. */
function serviceUrl(service: ServiceName): string {
  if (service === 'api-server') return stack.apiUrl;
  if (service === 'license-proxy') return stack.proxyUrl;
  const [worker] = stack.workers;
  if (worker === undefined) throw new Error('the stack has no worker');
  return stack.workerUrl(worker);
}

before(async () => {
  const starting = TestStack.start({ workers: 1 });
  try {
    rendered = renderOverlays();
  } finally {
    // Kept even when rendering fails, so that `after` stops its processes.
    stack = await starting;
  }
  await stack.healthy();
});
after(() => stack?.stop());

for (const overlay of OVERLAYS) {
  describe(`overlay ${overlay}: the manifests against the code`, () => {
    const manifests = (): Manifests => rendered[overlay];

    test('every object validates against its kind\'s schema (kubernetes-models; prometheus-operator and KEDA models for the CRDs)', async () => {
      assert.ok(manifests().objects.length > 0, 'objects rendered');
      await manifests().validate();
    });

    test('each service runs its own image, tagged with its package version, once', () => {
      for (const service of SERVICE_NAMES) assert.equal(ourContainer(manifests(), service).container.image, expectedImage(service));
    });

    test('each container\'s environment starts the service: loadConfig accepts it, and the port it listens on is the container port', () => {
      for (const { service, container, env } of ourContainers(manifests())) {
        const started = SERVICE_CODE[service].start(env);
        assert.deepEqual(container.ports?.map((port) => port.containerPort), [started.port], service);
        if (started.advertisedUrl !== undefined) {
          assert.equal(Number(new URL(started.advertisedUrl).port), started.port, 'the worker advertises the port it listens on');
        }
      }
    });

    test('every variable set on a container is one the service reads (or is only referenced as $(NAME) by another)', () => {
      for (const { service, container } of ourContainers(manifests())) {
        const referenced = referencedVariables(container);
        for (const { name } of container.env ?? []) {
          assert.ok(SERVICE_CODE[service].variables.has(name) || referenced.has(name), `${service} does not read ${name}`);
        }
      }
    });

    test('no Service link variable can shadow a variable a service reads', () => {
      for (const { service, workload } of ourContainers(manifests())) {
        if (workload.pod.enableServiceLinks === false) continue;
        for (const linked of manifests().all(Service.is)) {
          const prefix = (linked.metadata?.name ?? '').toUpperCase().replace(/-/g, '_');
          const links = [`${prefix}_SERVICE_HOST`, `${prefix}_SERVICE_PORT`, `${prefix}_PORT`];
          for (const name of links) assert.ok(!SERVICE_CODE[service].variables.has(name), `Service ${linked.metadata?.name} injects ${name} into ${service}`);
        }
      }
    });

    test('URLs between the services name a Service that reaches the right pods on their port', () => {
      const { env } = ourContainer(manifests(), 'api-server');
      const targets: [string, string][] = [[env.API_BASE_URL ?? '', 'license-proxy']];
      if (manifests().workloads.some((workload) => workload.name === 'redis')) {
        for (const { env: each } of ourContainers(manifests())) targets.push([each.REDIS_URL ?? '', 'redis']);
      }
      for (const [address, workloadName] of targets) {
        const url = new URL(address);
        const service = manifests().one(Service.is, url.hostname);
        const port = service.spec?.ports?.find((entry) => entry.port === Number(url.port));
        assert.ok(port !== undefined, `${address}: Service ${url.hostname} has port ${url.port}`);
        const [selected, ...more] = manifests().selectedBy({ matchLabels: service.spec?.selector });
        assert.equal(selected?.name, workloadName, address);
        assert.equal(more.length, 0, address);
        assert.equal(containerPort(selected.pod.containers[0] as IContainer, port.targetPort), onlyPort(selected), address);
      }
    });

    test('containers run unprivileged with a read-only root, and the API server has a writable temp dir for uploads', () => {
      for (const workload of manifests().workloads) {
        assert.equal(workload.pod.securityContext?.runAsNonRoot, true, workload.name);
        assert.equal(workload.pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', workload.name);
        assert.equal(workload.pod.automountServiceAccountToken, false, workload.name);
        for (const container of workload.pod.containers) {
          assert.equal(container.securityContext?.readOnlyRootFilesystem, true, container.name);
          assert.equal(container.securityContext?.allowPrivilegeEscalation, false, container.name);
          assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL'], container.name);
        }
      }
      for (const { workload } of ourContainers(manifests())) assert.equal(workload.pod.securityContext?.runAsUser, 10001, workload.name);
      // spool-to-file.ts writes M4A uploads under os.tmpdir(): TMPDIR, else /tmp.
      const api = ourContainer(manifests(), 'api-server');
      const mount = api.container.volumeMounts?.find((entry) => entry.mountPath === (api.env.TMPDIR ?? '/tmp'));
      assert.ok(mount !== undefined, 'a volume at the temp dir');
      assert.ok(api.workload.pod.volumes?.find((volume) => volume.name === mount.name)?.emptyDir !== undefined, 'an emptyDir');
    });

    test('probes: HTTP on the container port, liveness never on the dependency-aware /health, a worker waiting for (or without) its model is kept out, not restarted', () => {
      for (const { service, container } of ourContainers(manifests())) {
        const { startup, liveness, readiness } = probes(container);
        for (const probe of [startup, liveness, readiness]) {
          if (probe !== undefined) assert.equal(containerPort(container, probe.httpGet?.port), container.ports?.[0]?.containerPort, service);
        }
        assert.equal(liveness?.httpGet?.path, '/health/live', `${service} liveness`);
        assert.ok(readiness?.httpGet?.path !== undefined, `${service} readiness`);
      }
      // The worker's /health is 503 while its model downloads and loads, and for good when it cannot
      // be had: only readiness reads it; no probe that restarts the pod does.
      const worker = probes(ourContainer(manifests(), 'lightning-asr').container);
      assert.equal(worker.readiness?.httpGet?.path, '/health');
      for (const probe of [worker.startup, worker.liveness]) assert.notEqual(probe?.httpGet?.path, '/health');
      assert.equal(ourContainer(manifests(), 'api-server').container.readinessProbe?.httpGet?.path, '/health/ready');
    });

    test('terminationGracePeriodSeconds exceeds the preStop hook plus what the service may take to stop (DRAIN_DELAY_S + DRAIN_TIMEOUT_S, …)', () => {
      for (const { service, workload, container, env } of ourContainers(manifests())) {
        const needed = preStopSeconds(container) + SERVICE_CODE[service].start(env).stopWithinS;
        const grace = workload.pod.terminationGracePeriodSeconds ?? 30;
        assert.ok(grace > needed, `${service}: grace ${grace} s, needs more than ${needed} s`);
      }
    });

    test('the API server is a LoadBalancer Service health-checked at /health, failing over within DRAIN_DELAY_S; the rest are ClusterIP', () => {
      for (const service of manifests().all(Service.is)) {
        assert.equal(service.spec?.type ?? 'ClusterIP', service.metadata?.name === 'api-server' ? 'LoadBalancer' : 'ClusterIP', service.metadata?.name);
      }
      const annotations = manifests().one(Service.is, 'api-server').metadata?.annotations ?? {};
      const { env } = ourContainer(manifests(), 'api-server');
      const drainDelay = Number(env.DRAIN_DELAY_S);
      const clouds = [
        ['aws-load-balancer-healthcheck-path', 'aws-load-balancer-healthcheck-interval', 'aws-load-balancer-healthcheck-unhealthy-threshold'],
        ['azure-load-balancer-health-probe-request-path', 'azure-load-balancer-health-probe-interval', 'azure-load-balancer-health-probe-num-of-probe'],
      ];
      for (const [path, interval, failures] of clouds) {
        const read = (name: string | undefined): string | undefined => annotations[`service.beta.kubernetes.io/${name}`];
        assert.equal(read(path), '/health', path);
        // Marked down after `failures` checks `interval` apart, plus the check under way (docs/operations.md).
        const markedDownWithin = Number(read(failures)) * Number(read(interval)) + Number(read(interval));
        assert.ok(markedDownWithin <= drainDelay, `${path}: down within ${markedDownWithin} s, DRAIN_DELAY_S ${drainDelay}`);
      }
    });

    test('each Service selects the pods of exactly one Deployment, on a port their container has', () => {
      for (const service of manifests().all(Service.is)) {
        const selected = manifests().selectedBy({ matchLabels: service.spec?.selector });
        assert.equal(selected.length, 1, service.metadata?.name);
        for (const port of service.spec?.ports ?? []) {
          assert.equal(containerPort(selected[0]?.pod.containers[0] as IContainer, port.targetPort), onlyPort(selected[0] as Workload), service.metadata?.name);
        }
      }
    });

    test('topology spread constraints select the pods they spread', () => {
      for (const workload of manifests().workloads) {
        for (const constraint of workload.pod.topologySpreadConstraints ?? []) assert.ok(selects(constraint.labelSelector, workload.labels), workload.name);
      }
    });

    test('PodDisruptionBudgets: one per service, each allowing a drain and, with two replicas or more, keeping one', () => {
      const budgets = manifests().all(PodDisruptionBudget.is);
      for (const service of SERVICE_NAMES) {
        const covering = budgets.filter((budget) => selects(budget.spec?.selector, manifests().workload(service).labels));
        assert.equal(covering.length, 1, service);
      }
      for (const budget of budgets) {
        const [workload, ...more] = manifests().selectedBy(budget.spec?.selector);
        assert.ok(workload !== undefined && more.length === 0, `${budget.metadata?.name} selects one Deployment`);
        const replicas = manifests().minimumReplicas(workload);
        const { maxUnavailable, minAvailable } = budget.spec ?? {};
        assert.ok(typeof (maxUnavailable ?? minAvailable) === 'number', 'counts, not percentages');
        const allowed = typeof maxUnavailable === 'number' ? maxUnavailable : replicas - Number(minAvailable);
        assert.ok(allowed >= 1, `${budget.metadata?.name}: a node drain can evict`);
        if (replicas >= 2) assert.ok(replicas - allowed >= 1, `${budget.metadata?.name}: one of ${replicas} keeps serving`);
      }
    });

    test('NetworkPolicies select real pods, admit every connection the services make and refuse the others', () => {
      const policies = manifests().all(NetworkPolicy.is);
      for (const policy of policies) {
        assert.ok(manifests().selectedBy(policy.spec?.podSelector).length > 0, `${policy.metadata?.name} selects pods`);
        for (const from of (policy.spec?.ingress ?? []).flatMap((rule) => rule.from ?? [])) {
          if (from.namespaceSelector === undefined) assert.ok(manifests().selectedBy(from.podSelector).length > 0, `${policy.metadata?.name}: ${JSON.stringify(from)}`);
        }
      }
      for (const { from, to, why } of FLOWS) assert.notEqual(flowAdmitted(manifests(), from, to), false, `${from} → ${to} (${why})`);
      for (const { from, to } of REFUSED) assert.notEqual(flowAdmitted(manifests(), from, to), true, `${from} → ${to} is admitted`);
    });
  });
}

describe('overlay dev', () => {
  test('one of each service and a Redis inside the cluster, with no Prometheus operator objects', () => {
    const manifests = rendered.dev;
    for (const workload of manifests.workloads) assert.equal(workload.replicas ?? 1, 1, workload.name);
    assert.deepEqual(manifests.workloads.map((workload) => workload.name).sort(), ['api-server', 'license-proxy', 'lightning-asr', 'redis']);
    assert.match(manifests.workload('redis').pod.containers[0]?.image ?? '', /^redis:7/);
    assert.equal(manifests.all(ServiceMonitor.is).length + manifests.all(HorizontalPodAutoscaler.is).length, 0);
  });
});

describe('overlay production', () => {
  test('two or more of each service (the workers by their HPA), and no Redis: REDIS_URL from a Secret', () => {
    const manifests = rendered.production;
    for (const service of SERVICE_NAMES) assert.ok(manifests.minimumReplicas(manifests.workload(service)) >= 2, `${service}: two or more`);
    assert.equal(manifests.workload('lightning-asr').replicas, undefined, 'the HPA owns the worker count');
    for (const workload of manifests.workloads) {
      for (const container of workload.pod.containers) assert.doesNotMatch(container.image ?? '', /(^|\/)redis[:@]/, workload.name);
    }
    for (const { service, container } of ourContainers(manifests)) {
      assert.ok(container.env?.find((entry) => entry.name === 'REDIS_URL')?.valueFrom?.secretKeyRef !== undefined, service);
    }
  });

  test(`the HPA scales the worker Deployment on ${HPA_METRIC} (4 on average), below the worker's ASR_CAPACITY`, () => {
    const manifests = rendered.production;
    const [hpa, ...more] = manifests.all(HorizontalPodAutoscaler.is);
    assert.ok(hpa !== undefined && more.length === 0, 'one HPA');
    assert.deepEqual(hpa.spec?.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'lightning-asr' });
    assert.deepEqual(hpa.spec?.metrics, [{ type: 'Pods', pods: { metric: { name: HPA_METRIC }, target: { type: 'AverageValue', averageValue: '4' } } }]);
    const capacity = Number(ourContainer(manifests, 'lightning-asr').env.ASR_CAPACITY);
    assert.ok(4 < capacity, `the metric never exceeds ASR_CAPACITY (${capacity}): at or below the target the HPA could never scale up`);
  });

  test('the prometheus-adapter rule serves the HPA\'s metric per worker pod, from the series of that name', () => {
    const rules = adapterValues().rules.custom.filter((rule) => rule.name.as === HPA_METRIC);
    assert.equal(rules.length, 1);
    const [rule] = rules as [(typeof rules)[number]];
    assert.match(rule.seriesQuery, new RegExp(`^${HPA_METRIC}\\{`));
    assert.match(HPA_METRIC, new RegExp(rule.name.matches));
    assert.ok(rule.metricsQuery.includes(`${HPA_METRIC}{<<.LabelMatchers>>}`) && rule.metricsQuery.includes('by (<<.GroupBy>>)'), rule.metricsQuery);
    assert.equal(rule.resources.overrides.pod?.resource, 'pod');
    assert.equal(rule.resources.overrides.namespace?.resource, 'namespace');
  });

  test('each service has a ServiceMonitor selecting its Service by a named port, the API server\'s with the license key', () => {
    const manifests = rendered.production;
    for (const service of SERVICE_NAMES) {
      const monitor = manifests.one(ServiceMonitor.is, service);
      const selected = manifests.all(Service.is).filter((object) => selects(monitor.spec.selector, object.metadata?.labels ?? {}));
      assert.deepEqual(selected.map((object) => object.metadata?.name), [service]);
      for (const endpoint of monitor.spec.endpoints ?? []) {
        assert.ok(selected[0]?.spec?.ports?.some((port) => port.name === endpoint.port), `${service}: port ${endpoint.port}`);
        const credentials = endpoint.authorization?.credentials;
        if (credentials !== undefined) {
          const proxyKey = ourContainer(manifests, 'license-proxy').container.env?.find((entry) => entry.name === 'LICENSE_KEY')?.valueFrom?.secretKeyRef;
          assert.deepEqual({ name: credentials.name, key: credentials.key }, { name: proxyKey?.name, key: proxyKey?.key }, 'the installation license key');
          manifests.secretValue(credentials.name ?? '', credentials.key);
        }
      }
    }
  });
});

describe('overlay production with KEDA', () => {
  test('a ScaledObject replaces the HPA with the same bounds, target and behaviour, on the same metric of this namespace\'s workers', () => {
    const keda = rendered['production with KEDA'];
    const hpa = rendered.production.one(HorizontalPodAutoscaler.is, 'lightning-asr');
    assert.equal(keda.all(HorizontalPodAutoscaler.is).length, 0, 'never both: they would fight over the replica count');
    const [scaled, ...more] = keda.all(ScaledObject.is);
    assert.ok(scaled !== undefined && more.length === 0, 'one ScaledObject');
    assert.deepEqual(scaled.spec.scaleTargetRef, hpa.spec?.scaleTargetRef);
    assert.deepEqual([scaled.spec.minReplicaCount, scaled.spec.maxReplicaCount], [hpa.spec?.minReplicas, hpa.spec?.maxReplicas]);
    assert.deepEqual(scaled.spec.advanced?.horizontalPodAutoscalerConfig?.behavior, hpa.spec?.behavior);
    const [trigger, ...others] = scaled.spec.triggers;
    assert.ok(trigger !== undefined && others.length === 0 && trigger.type === 'prometheus', 'one Prometheus trigger');
    assert.equal(trigger.metadata.threshold, hpa.spec?.metrics?.[0]?.pods?.target.averageValue);
    const monitored = keda.one(ServiceMonitor.is, 'lightning-asr').spec.selector.matchLabels?.[NAME_LABEL];
    assert.equal(trigger.metadata.query, `sum(${HPA_METRIC}{namespace="${keda.namespace}",service="${monitored}"})`);
    const { prometheus } = adapterValues();
    assert.equal(trigger.metadata.serverAddress, `${prometheus.url}:${prometheus.port}`, 'the Prometheus the adapter reads');
  });
});

describe('the real services answer what the manifests point at', () => {
  const everyContainer = (): OurContainer[] => OVERLAYS.flatMap((overlay) => ourContainers(rendered[overlay]));

  test('every probe path answers 200 from a healthy stack', async () => {
    for (const { service, container } of everyContainer()) {
      for (const [kind, probe] of Object.entries(probes(container))) {
        const path = probe?.httpGet?.path;
        if (path !== undefined) assert.equal((await request(`${serviceUrl(service)}${path}`)).status, 200, `${service} ${kind} ${path}`);
      }
    }
  });

  test('the load balancer\'s health check path answers 200 from a healthy API server', async () => {
    const annotations = rendered.production.one(Service.is, 'api-server').metadata?.annotations ?? {};
    const paths = Object.entries(annotations).filter(([name]) => /health.*(path|request-path)$/.test(name)).map(([, path]) => path);
    assert.ok(paths.length > 0, 'health check path annotations');
    for (const path of paths) assert.equal((await request(`${stack.apiUrl}${path}`)).status, 200, path);
  });

  test(`the worker's /metrics exports ${HPA_METRIC}, the metric the HPA and the adapter rule name`, async () => {
    const metrics = await request(`${serviceUrl('lightning-asr')}/metrics`);
    const name = rendered.production.one(HorizontalPodAutoscaler.is, 'lightning-asr').spec?.metrics?.[0]?.pods?.metric.name;
    assert.match(metrics.text, new RegExp(`^# TYPE ${name} gauge$`, 'm'));
  });

  test('every ServiceMonitor endpoint answers Prometheus in the exposition format, with the credentials it is given', async () => {
    const manifests = rendered.production;
    for (const service of SERVICE_NAMES) {
      for (const endpoint of manifests.one(ServiceMonitor.is, service).spec.endpoints ?? []) {
        const credentials = endpoint.authorization?.credentials;
        const headers: Record<string, string> = { accept: PROMETHEUS_ACCEPT };
        if (credentials !== undefined) headers.authorization = `${endpoint.authorization?.type ?? 'Bearer'} ${stack.licenseKey}`;
        const scraped = await request(`${serviceUrl(service)}${endpoint.path ?? '/metrics'}`, { headers });
        assert.equal(scraped.status, 200, `${service} ${endpoint.path}`);
        assert.match(scraped.text, /^# TYPE /m, `${service} ${endpoint.path}`);
      }
    }
  });

  test('with its license unusable, the license proxy still passes its readiness and liveness probes (so the API server can report it)', async () => {
    const expired = stack.issueKey({ validDays: 1, now: new Date(Date.now() - 3 * 86_400_000) });
    const port = await freePort();
    const proxy = stack.spawn('license-proxy', { ...stack.commonEnv, PORT: String(port), HOST: '127.0.0.1', LICENSE_KEY: expired });
    await proxy.waitForLog(/^Server listening on port/);
    const url = `http://127.0.0.1:${port}`;
    assert.equal((await request(`${url}/health`)).status, 503);
    for (const { service, container } of everyContainer().filter((entry) => entry.service === 'license-proxy')) {
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        assert.equal((await request(`${url}${probe?.httpGet?.path}`)).status, 200, `${service} ${probe?.httpGet?.path}`);
      }
    }
    await proxy.kill();
  });

  test('with Redis down, every liveness probe still passes (no restart loop) while the API server fails readiness', async () => {
    await stack.redis.stop();
    await waitForStatus(`${stack.apiUrl}/health`, 503);
    for (const { service, container } of everyContainer()) {
      assert.equal((await request(`${serviceUrl(service)}${container.livenessProbe?.httpGet?.path}`)).status, 200, `${service} liveness`);
    }
    const readiness = ourContainer(rendered.production, 'api-server').container.readinessProbe?.httpGet?.path;
    assert.equal((await request(`${stack.apiUrl}${readiness}`)).status, 503, 'out of the load balancer');
  });
});
