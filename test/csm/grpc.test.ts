import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { generateKeyAndCsr } from '@moat/tls';
import { ensureEventsStream } from '@moat/bus';
import { Action, HeartbeatRequest, NodeServiceClient, type ControlCommand, type EnrolResponse, type NodeToCsm, type PolicyDocument } from '@moat/proto/grpc';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../harness/wait.js';
import { CsmApi } from './support/api.js';
import { enrolClient, nodePortClient, unary } from './support/node-client.js';
import { messageEvent, publishMessage } from './support/events.js';
import { buildCsm, startCsm, startNats, removeTempDirs, tempDir, type Csm, type NatsServer } from './support/processes.js';

const ENROL_TOKEN = 'test-enrol-token';

interface Status {
  policyVersion: number;
  nodes: { id: string; name: string; smtpAddress: string; up: boolean; policyVersion: number; engineVersions: Record<string, string> }[];
}

// NodeService over real gRPC (grpc-js client, as the scan node uses it) against the built CSM.
describe('CSM gRPC NodeService', () => {
  let nats: NatsServer;
  let csm: Csm;
  let api: CsmApi;
  let client: NodeServiceClient;
  let node: EnrolResponse;
  let nc: NatsConnection;
  const auth = () => {
    const metadata = new Metadata();
    metadata.set('x-moat-node-id', node.nodeId);
    metadata.set('x-moat-node-secret', node.nodeSecret);
    return metadata;
  };

  beforeAll(async () => {
    buildCsm();
    nats = await startNats();
    const dataDir = await tempDir('moat-csm-grpc-');
    csm = await startCsm({ natsUrl: nats.url, dataDir, MOAT_ENROL_TOKEN: ENROL_TOKEN });
    api = await CsmApi.withCliToken(csm);
    nc = await connect({ servers: nats.url });
    await ensureEventsStream(nc);
  });

  afterAll(async () => {
    client?.close();
    await nc?.close();
    await csm?.stop();
    await nats?.stop();
    await removeTempDirs();
  });

  it('refuses a plaintext client on both ports: NodeService is served over TLS only', async () => {
    for (const address of [csm.grpcAddress, csm.enrolAddress]) {
      const plain = new NodeServiceClient(address, credentials.createInsecure());
      const refused = await unary<EnrolResponse>((cb) => plain.enrol({ token: ENROL_TOKEN, nodeName: 'plain', smtpAddress: '', softwareVersion: '', csr: '' }, new Metadata(), { deadline: Date.now() + 5000 }, cb)).catch((e: ServiceError) => e);
      plain.close();
      expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain((refused as ServiceError).code);
    }
  });

  it('refuses enrolment with a wrong token or without a CSR, and enrols with the right one, signing its key', async () => {
    const enrolment = enrolClient(csm);
    const { key, csr } = await generateKeyAndCsr('moat-node', 'ecdsa');
    const refused = await unary<EnrolResponse>((cb) => enrolment.enrol({ token: 'wrong', nodeName: 'n1', smtpAddress: '', softwareVersion: '', csr }, cb)).catch((e: ServiceError) => e);
    expect((refused as ServiceError).code).toBe(status.PERMISSION_DENIED);
    const noCsr = await unary<EnrolResponse>((cb) => enrolment.enrol({ token: ENROL_TOKEN, nodeName: 'n1', smtpAddress: '', softwareVersion: '', csr: '' }, cb)).catch((e: ServiceError) => e);
    expect(noCsr).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining('csr is required') });
    node = await unary<EnrolResponse>((cb) => enrolment.enrol({ token: ENROL_TOKEN, nodeName: 'node-a', smtpAddress: '127.0.0.1:2525', softwareVersion: '0.1.0', csr }, cb));
    enrolment.close();
    expect(node.nodeId).toMatch(/[0-9a-f-]{36}/);
    expect(node.nodeSecret.length).toBeGreaterThan(30);
    expect(node.certificate).toContain('BEGIN CERTIFICATE');
    client = nodePortClient(csm, key, node.certificate);
  });

  it('requires node credentials and records heartbeats in the status', async () => {
    const bad = new Metadata();
    bad.set('x-moat-node-id', node.nodeId);
    bad.set('x-moat-node-secret', 'guess');
    const request = HeartbeatRequest.fromPartial({ nodeId: node.nodeId, smtpAddress: '127.0.0.1:2525', policyVersion: 1, softwareVersion: '0.1.0', engineVersions: { clamav: 'ClamAV 1.4' }, startedAtMs: Date.now() });
    const refused = await unary((cb) => client.heartbeat(request, bad, cb)).catch((e: ServiceError) => e);
    expect((refused as ServiceError).code).toBe(status.UNAUTHENTICATED);

    const reply = await unary<{ latestPolicyVersion: number }>((cb) => client.heartbeat(request, auth(), cb));
    expect(reply.latestPolicyVersion).toBe(1);
    const state = await api.get<Status>('/api/status');
    expect(state.nodes).toEqual([expect.objectContaining({ id: node.nodeId, name: 'node-a', smtpAddress: '127.0.0.1:2525', up: true, policyVersion: 1, engineVersions: { clamav: 'ClamAV 1.4' } })]);
  });

  it('streams the current policy and every new version; an invalid policy is refused with its problems', async () => {
    const received: PolicyDocument[] = [];
    const stream = client.watchPolicy({ nodeId: node.nodeId, haveVersion: 0, haveTenantVersions: {} }, auth());
    stream.on('data', (doc: PolicyDocument) => received.push(doc));
    stream.on('error', () => undefined);
    await waitFor('policy v1', async () => (received.some((d) => d.version === 1) ? true : undefined), { timeoutMs: 10_000 });

    const invalid = await api.call<{ error: string; problems: string[] }>('PUT', '/api/policy', { policy: { thresholds: { tag: 20, quarantine: 10 } }, comment: 'bad' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.problems).toEqual([expect.stringContaining('thresholds')]);

    const policy = { domains: [{ name: 'example.test', downstream: { host: '127.0.0.1', port: 2600 } }] };
    const put = await api.call<{ version: number }>('PUT', '/api/policy', { policy, comment: 'add example.test' });
    expect(put).toMatchObject({ status: 200, body: { version: 2 } });
    const doc = await waitFor('policy v2 on the stream', async () => received.find((d) => d.version === 2), { timeoutMs: 5_000 });
    expect(JSON.parse(doc.json).domains[0].name).toBe('example.test');
    expect(doc).toMatchObject({ author: 'admin', comment: 'add example.test' });

    const added = await api.call<{ version: number; values: string[] }>('POST', '/api/lists', { op: 'add', kind: 'ip-block', value: '203.0.113.9' });
    expect(added.body).toEqual({ version: 3, values: ['203.0.113.9'] });
    await waitFor('policy v3 on the stream', async () => received.find((d) => d.version === 3), { timeoutMs: 5_000 });
    stream.cancel();

    const late = client.watchPolicy({ nodeId: node.nodeId, haveVersion: 3, haveTenantVersions: {} }, auth());
    const lateDocs: PolicyDocument[] = [];
    late.on('data', (d: PolicyDocument) => lateDocs.push(d));
    late.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 500));
    expect(lateDocs).toEqual([]);
    late.cancel();

    const versions = await api.get<{ version: number; author: string }[]>('/api/policy/versions');
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('releases a quarantined message through the node control stream', async () => {
    const id = `rel-${Date.now()}`;
    await publishMessage(nc, messageEvent(id, { nodeId: node.nodeId, action: Action.ACTION_QUARANTINE }));
    await waitFor('the quarantined message', async () => ((await api.call('GET', `/api/mail/${id}`)).status === 200 ? true : undefined));

    const control = client.control(auth());
    const commands: ControlCommand[] = [];
    control.on('data', (command: ControlCommand) => {
      commands.push(command);
      const reply: NodeToCsm = { kind: { $case: 'reply', value: { commandId: command.commandId, ok: true, error: '', detail: 'queued for delivery', modelVersion: '' } } };
      control.write(reply);
    });
    control.on('error', () => undefined);
    control.write({ kind: { $case: 'hello', value: { nodeId: node.nodeId } } });

    const release = await waitFor('release', async () => {
      const response = await api.call<{ ok: boolean; nodeId: string; detail: string }>('POST', `/api/mail/${id}/release`);
      return response.status === 503 ? undefined : response;
    });
    expect(release).toEqual({ status: 200, body: { ok: true, nodeId: node.nodeId, detail: 'queued for delivery' } });
    expect(commands).toEqual([{ commandId: expect.any(String), command: { $case: 'release', value: { messageId: id, recipients: [] } } }]);
    const mail = await api.get<{ released: boolean; deliveryStatus: string }>(`/api/mail/${id}`);
    expect(mail).toMatchObject({ released: true, deliveryStatus: 'released' });
    expect((await api.call('POST', `/api/mail/${id}/release`)).status).toBe(409);
    control.end();
  });
});
