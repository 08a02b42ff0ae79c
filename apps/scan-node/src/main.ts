import './threadpool.js';
import type { HeldDomain } from '@moat/proto/grpc';
import { mkdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { KvFleetState } from '@moat/fleet-state/kv';
import { ClamdEngine } from '@moat/content';
import { defaultChecks, Pipeline } from '@moat/pipeline';
import { EngineVersions } from './antivirus/engine-versions.js';
import { NodeFuzzyStore } from './bulk/node-fuzzy-store.js';
import { ClassifierModels, modelStoreOf } from './classifier/classifier-models.js';
import { reportMessage } from './classifier/report-message.js';
import { ConfigError, loadConfig, type NodeConfig } from './config.js';
import { InspectionPool } from './content/inspection-pool.js';
import { CertificateWatch } from './csm/certificate-watch.js';
import { ControlStream } from './csm/control-stream.js';
import { CsmLink } from './csm/csm-link.js';
import { PolicyResolver } from './dns/policy-resolver.js';
import { Heartbeat } from './csm/heartbeat.js';
import { IdentityFile } from './csm/identity.js';
import { PolicyWatch } from './csm/policy-watch.js';
import { SigningKeysWatch } from './csm/signing-keys-watch.js';
import { SrsKey } from './forwarding/srs-key.js';
import { DkimSigner } from './dkim/dkim-signer.js';
import { FileClock, systemClock } from './delivery/clock.js';
import { DeliveryHolds } from './delivery/delivery-holds.js';
import { DeliveryWorker } from './delivery/delivery-worker.js';
import { forwardMessage } from './delivery/forward.js';
import { rejectMessage, releaseHold, releaseMessage } from './delivery/release.js';
import { EventJournal } from './events/event-journal.js';
import { EventPublisher } from './events/event-publisher.js';
import { NodeEvents } from './events/node-events.js';
import { createLogger } from './log.js';
import { MetricsServer } from './metrics/metrics-server.js';
import { NodeMetrics } from './metrics/node-metrics.js';
import { NatsLink } from './nats/nats-link.js';
import { PolicyStore } from './policy/policy-store.js';
import { Quarantine } from './quarantine/quarantine.js';
import { ProcessSampler } from './resources.js';
import { BodyArchive } from './retention/body-archive.js';
import { HttpSandboxClient } from './sandbox/http-sandbox-client.js';
import { AuthBlockList } from './smtp/auth-blocks.js';
import { GeoCountries } from './smtp/geo-countries.js';
import { LdapDirectoryBinder } from './smtp/directory-bind.js';
import { InboundTls } from './smtp/inbound-tls.js';
import { SmtpGateway, type SmtpMode } from './smtp/smtp-gateway.js';
import { SmtpListener } from './smtp/smtp-listener.js';
import { SubmissionAuth } from './smtp/submission-auth.js';
import { loadOrCreateCertificate } from './smtp/tls-certificate.js';
import { Spool } from './spool/spool.js';
import { SOFTWARE_VERSION } from './version.js';

const log = createLogger('node');
// Per clamd command outside a scan (VERSION); the policy's antivirus.fileTimeoutMs bounds one file, timeoutMs a message.
const CLAMD_COMMAND_TIMEOUT_MS = 60_000;
// Stage-2 inspection threads (each one message at a time) and the heap each may use before it is replaced.
const INSPECTION_WORKERS = Math.min(8, Math.max(2, availableParallelism()));
const INSPECTION_WORKER_HEAP_MB = 512;
// A worker that holds more than this after a message (a bomb's extracted data, a large message's parts) or has
// read this many messages is replaced, so that its memory goes back (docs/architecture.md, "Memory").
const INSPECTION_WORKER_RECYCLE_ABOVE_MB = 64;
const INSPECTION_WORKER_RECYCLE_AFTER_MESSAGES = 1000;

async function main(config: NodeConfig): Promise<void> {
  const startedAtMs = Date.now();
  await mkdir(config.dataDir, { recursive: true });
  const policies = await PolicyStore.open(config.dataDir);
  const identityFile = new IdentityFile(config.dataDir);
  const identity = await identityFile.load();
  let nodeId = identity?.nodeId ?? config.nodeName;

  const nats = new NatsLink(config.natsUrl, `moat-node ${config.nodeName}`, createLogger('nats'));
  const publisher = new EventPublisher(EventJournal.open(join(config.dataDir, 'events')), () => nats.eventSink(), createLogger('events'));
  nats.onReady(() => publisher.reconnected());
  publisher.start();
  nats.start();
  const fuzzyStore = new NodeFuzzyStore(() => nats.connection(), createLogger('bulk'));
  nats.onReady(() => fuzzyStore.open());
  const models = new ClassifierModels(join(config.dataDir, 'models'), modelStoreOf(() => nats.connection()), createLogger('classifier'));
  await models.use(policies.current.policy.classifier.modelVersion);
  policies.onChange((active) => void models.use(active.policy.classifier.modelVersion));
  nats.onReady(() => models.retryNow());

  const spool = await Spool.open(join(config.dataDir, 'spool'), { segments: true });
  // The gauges are read only when Prometheus scrapes, once the metrics listener (below) is up.
  const metrics = new NodeMetrics({
    nodeName: config.nodeName,
    softwareVersion: SOFTWARE_VERSION,
    spool: () => ({ messages: spool.count, bytes: spool.sizeBytes }),
    eventsPending: () => publisher.backlog,
    delivery: (): { queued: number; retrying: number } => delivery.queue,
    held: (): { messages: number; bytes: number } => delivery.holdReport().reduce((sum, h: HeldDomain) => ({ messages: sum.messages + h.messages, bytes: sum.bytes + h.bytes }), { messages: 0, bytes: 0 }),
    activeConnections: (): number => activeConnections(),
    natsConnected: () => nats.connected,
    antivirusUp: (): Record<string, boolean> => engineVersions.up(),
    policyVersion: () => policies.current.version,
    classifierModel: () => models.version,
  });
  const events = new NodeEvents(publisher, () => nodeId, metrics);
  const resolver = new PolicyResolver(policies, (warning) => createLogger('dns').warn(warning));
  const clock = config.clockFile ? new FileClock(config.clockFile, createLogger('clock')) : systemClock;
  if (clock instanceof FileClock) {
    await clock.read();
    log.warn(`test clock: delivery hold windows read the time in ${config.clockFile}`);
  }
  const holds = await DeliveryHolds.open({ policies, clock, file: join(config.dataDir, 'holds.json'), log: createLogger('hold') });
  const delivery = new DeliveryWorker({ spool, policies, events, resolver, log: createLogger('delivery'), nodeName: config.nodeName, holds });
  const recovered = await spool.recover();
  for (const p of recovered.problems) log.error(`spool: ${p.file}: ${p.problem}`);
  for (const entry of recovered.entries) delivery.enqueue(entry);
  const quarantine = new Quarantine(await Spool.open(join(config.dataDir, 'quarantine')), nats, () => nodeId, createLogger('quarantine'));
  await quarantine.start();

  const certificate = await loadOrCreateCertificate(config.dataDir, config.nodeName);
  if (certificate.created) log.info(`generated a self-signed STARTTLS certificate in ${join(config.dataDir, 'tls')}`);
  const inboundTls = new InboundTls(config.dataDir, certificate, policies.current.policy.tls, createLogger('tls'));
  await inboundTls.load();
  // One engine for every session: INSTREAM opens a connection per file, the engine holds only the address.
  const clamav = new ClamdEngine(config.clamd, { timeoutMs: CLAMD_COMMAND_TIMEOUT_MS });
  const engineVersions = new EngineVersions(() => [clamav, ...(policies.current.compiled.attachments.hashDb ? [policies.current.compiled.attachments.hashDb] : [])], createLogger('antivirus'));
  engineVersions.start();
  const inspections = new InspectionPool({
    size: INSPECTION_WORKERS,
    heapMb: INSPECTION_WORKER_HEAP_MB,
    recycleAboveMb: INSPECTION_WORKER_RECYCLE_ABOVE_MB,
    recycleAfterMessages: INSPECTION_WORKER_RECYCLE_AFTER_MESSAGES,
    log: createLogger('inspection'),
  });
  const fleetState = new KvFleetState(() => nats.connection());
  const pipeline = new Pipeline(defaultChecks(), { antivirus: [clamav], reader: inspections.read, resolver, fleetState, hostname: config.nodeName, fuzzyStore, classifier: models, sandbox: new HttpSandboxClient(createLogger('sandbox')) });
  const bodies = new BodyArchive(() => nats.connection(), () => nodeId, createLogger('retention'));
  const submissionAuth = new SubmissionAuth(policies, fleetState.counters, new AuthBlockList(fleetState.authBlocks), new GeoCountries(), createLogger('auth'), new LdapDirectoryBinder());
  const signer = new DkimSigner();
  const srsKey = new SrsKey(config.dataDir, createLogger('forwarding'));
  await srsKey.load();
  const smtpListener = (mode: SmtpMode, port: number) =>
    new SmtpListener({ nodeName: config.nodeName, mode, host: config.smtpHost, port, proxyProtocol: config.proxyProtocol, tls: inboundTls, policies, log: createLogger('smtp') }, (closeConnection) =>
      new SmtpGateway({ nodeName: config.nodeName, mode, auth: submissionAuth, signer, srs: srsKey, policies, pipeline, spool, delivery, quarantine, bodies, events, stages: metrics, log: createLogger('smtp'), closeConnection }),
    );
  const listener = smtpListener('relay', config.smtpPort);
  const submissionListeners = [
    ...(config.submissionPort === undefined ? [] : [smtpListener('submission', config.submissionPort)]),
    ...(config.submissionsPort === undefined ? [] : [smtpListener('submissions', config.submissionsPort)]),
  ];
  const listeners = [listener, ...submissionListeners];
  const activeConnections = () => listeners.reduce((n, l) => n + l.gateway.activeConnections, 0);
  // Before SMTP: a metrics port in use stops the node before it accepts any mail.
  const metricsServer = new MetricsServer({
    host: config.metricsHost,
    port: config.metricsPort,
    token: config.metricsToken,
    exposition: async () => ({ text: await metrics.text(), contentType: metrics.contentType }),
    log: createLogger('metrics'),
  });
  const metricsUrl = await metricsServer.listen();
  const smtpAddress = await listener.listen();
  const submissionAddresses = await Promise.all(submissionListeners.map(async (l) => `${l.mode}=${await l.listen()}`));

  const sampler = new ProcessSampler();
  const csmTls = config.csmTls && { ca: config.csmTls.caFile ? await readFile(config.csmTls.caFile) : null };
  const csm = new CsmLink(
    { address: config.csmGrpc, enrolAddress: config.csmEnrol, tls: csmTls, nodeName: config.nodeName, smtpAddress, enrolToken: config.enrolToken, identity, identityFile, log: createLogger('csm') },
    [
      new Heartbeat({
        smtpAddress,
        metricsUrl,
        startedAtMs,
        policyVersion: () => policies.current.version,
        engineVersions: () => ({ ...engineVersions.current(), classifier: models.version }),
        resolver: () => resolver.info,
        held: () => delivery.holdReport(),
        resources: () => ({
          ...sampler.sample(),
          spoolMessages: spool.count,
          spoolBytes: spool.sizeBytes,
          journalEvents: publisher.backlog,
          activeConnections: activeConnections(),
        }),
      }),
      new PolicyWatch(policies),
      new SigningKeysWatch(signer, srsKey),
      new CertificateWatch(inboundTls),
      new ControlStream({
        release: (id, rcpts) => releaseMessage({ quarantine, spool, delivery, events }, id, rcpts),
        report: (report) => reportMessage({ quarantine, models, fuzzy: fuzzyStore, policies }, report),
        releaseHold: (domain) => releaseHold(delivery, policies, domain),
        forward: (forward) => forwardMessage({ spool, delivery, policyVersion: () => policies.current.version }, forward),
        reject: (id, reason) => rejectMessage({ quarantine, delivery }, id, reason),
      }),
    ],
  );
  csm.onIdentity((enrolled) => (nodeId = enrolled.nodeId));
  csm.start();

  console.log(`node ready name=${config.nodeName} smtp=${smtpAddress} ${submissionAddresses.map((a) => `${a} `).join('')}metrics=${metricsUrl} policy=${policies.current.version} spooled=${recovered.entries.length}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal}: no new connections, finishing sessions in progress`);
    await Promise.all(listeners.map((l) => l.close()));
    await inspections.close();
    csm.stop();
    await delivery.stop();
    if (clock instanceof FileClock) clock.stop();
    await publisher.stop();
    models.stop();
    await fuzzyStore.close().catch((err: unknown) => log.warn(`bulk sightings not written: ${String(err)}`));
    await nats.close();
    await metricsServer.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

process.on('unhandledRejection', (reason) => log.error('unhandled rejection', reason));

let config: NodeConfig;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(2);
}
main(config).catch((err: unknown) => {
  log.error('scan node failed to start', err instanceof Error ? (err.stack ?? err) : err);
  process.exit(1);
});
