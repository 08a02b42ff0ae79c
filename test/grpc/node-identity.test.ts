import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { status, type Metadata, type ServiceError } from '@grpc/grpc-js';
import type { HeartbeatRequest, HeartbeatResponse, NodeServiceClient, PolicyDocument } from '@moat/proto/grpc';
import { createCertificateAuthority, generateKeyAndCsr, issueClientCertificate } from '@moat/tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsmApi } from '../csm/support/api.js';
import { enrolClient, enrolNode, nodePortClient, unary, type EnrolledNode } from '../csm/support/node-client.js';
import { buildCsm, removeTempDirs, startCsm, startNats, tempDir, type Csm, type NatsServer } from '../csm/support/processes.js';
import { runMoat } from '../harness/moat-cli.js';
import { waitFor } from '../harness/wait.js';

const ENROL_TOKEN = 'identity-enrol-token';

const beat = (nodeId: string): HeartbeatRequest => ({ nodeId, smtpAddress: '127.0.0.1:2525', policyVersion: 1, resources: undefined, softwareVersion: '0.1.0', engineVersions: {}, startedAtMs: Date.now(), metricsUrl: '', resolver: undefined, held: [] });

/** A heartbeat on CLIENT with METADATA: the response, or the error that refused it (within 5 s). */
const heartbeat = (client: NodeServiceClient, nodeId: string, metadata: Metadata) =>
  unary<HeartbeatResponse>((cb) => client.heartbeat(beat(nodeId), metadata, { deadline: Date.now() + 5000 }, cb)).catch((err: ServiceError) => err);

// Issue 14: the node's identity checked at the TLS layer of the gRPC link, against the real CSM process. Nodes get
// a client certificate from the CSM's node CA at enrolment (enrolment port); the node port takes no client without
// one, and every call's certificate must name the node the call claims and be the one last issued to it.
describe('gRPC node identity (mTLS)', () => {
  let nats: NatsServer;
  let csm: Csm;
  let api: CsmApi;
  let dataDir: string;
  let a: EnrolledNode;
  let b: EnrolledNode;
  const clients: NodeServiceClient[] = [];
  const client = (c: NodeServiceClient) => (clients.push(c), c);

  beforeAll(async () => {
    buildCsm();
    nats = await startNats();
    dataDir = await tempDir('moat-grpc-identity-');
    csm = await startCsm({ natsUrl: nats.url, dataDir, MOAT_ENROL_TOKEN: ENROL_TOKEN });
    api = await CsmApi.withCliToken(csm);
    a = await enrolNode(csm, ENROL_TOKEN, 'node-a');
    b = await enrolNode(csm, ENROL_TOKEN, 'node-b');
    clients.push(a.client, b.client);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await csm?.stop();
    await nats?.stop();
    await removeTempDirs();
  });

  it('issues each node a certificate for its id from the node CA, whose key is sealed at rest', async () => {
    const { X509Certificate } = await import('node:crypto');
    const cert = new X509Certificate(a.node.certificate);
    const ca = new X509Certificate(a.node.caCertificate);
    expect(cert.subject).toBe(`CN=${a.node.nodeId}`);
    expect(cert.subjectAltName).toBe(`DNS:${a.node.nodeId}`);
    expect(cert.verify(ca.publicKey)).toBe(true);
    const stored = JSON.parse(await readFile(join(dataDir, 'node-ca.json'), 'utf8')) as { certificate: string; sealedKey: string };
    expect(stored.certificate).toBe(a.node.caCertificate);
    expect(stored.sealedKey).not.toContain('PRIVATE KEY');
  });

  it('accepts a node with its own valid certificate', async () => {
    expect(await heartbeat(a.client, a.node.nodeId, a.metadata())).toEqual({ latestPolicyVersion: 1 });
    expect(await heartbeat(b.client, b.node.nodeId, b.metadata())).toEqual({ latestPolicyVersion: 1 });
  });

  it('refuses a client without a certificate on the node port, and any call but Enrol on the enrolment port', async () => {
    const bare = client(nodePortClient(csm));
    expect(await heartbeat(bare, a.node.nodeId, a.metadata())).toMatchObject({ code: status.UNAVAILABLE });
    const enrolPort = client(enrolClient(csm));
    expect(await heartbeat(enrolPort, a.node.nodeId, a.metadata())).toMatchObject({ code: status.UNAUTHENTICATED, details: expect.stringContaining('client certificate') });
  });

  it('refuses a certificate from another CA, even one naming the node', async () => {
    const other = createCertificateAuthority('Not the Moat node CA', 30);
    const { key, csr } = await generateKeyAndCsr('moat-node', 'ecdsa');
    const forged = issueClientCertificate(other, csr, a.node.nodeId, 30);
    const impostor = client(nodePortClient(csm, key, forged.certificate));
    expect(await heartbeat(impostor, a.node.nodeId, a.metadata())).toMatchObject({ code: status.UNAVAILABLE });
  });

  it("refuses another node's certificate claiming a different id, even with that node's secret", async () => {
    const refused = await heartbeat(b.client, a.node.nodeId, a.metadata());
    expect(refused).toMatchObject({ code: status.PERMISSION_DENIED, details: expect.stringContaining(`node ${b.node.nodeId}'s, not ${a.node.nodeId}'s`) });
  });

  it('refuses the previous certificate once a node enrolled again', async () => {
    const again = await enrolNode(csm, ENROL_TOKEN, 'node-b');
    clients.push(again.client);
    expect(again.node.nodeId).toBe(b.node.nodeId);
    expect(await heartbeat(again.client, b.node.nodeId, again.metadata())).toEqual({ latestPolicyVersion: 1 });
    // The old certificate with the new secret: the certificate is no longer the node's.
    expect(await heartbeat(b.client, b.node.nodeId, again.metadata())).toMatchObject({ code: status.UNAUTHENTICATED, details: expect.stringContaining('not the one issued') });
    b = again;
  });

  it('refuses a revoked node (moat nodes revoke): its calls, its open streams and its enrolment again', async () => {
    const stream = a.client.watchPolicy({ nodeId: a.node.nodeId, haveVersion: 0, haveTenantVersions: {} }, a.metadata());
    const docs: PolicyDocument[] = [];
    let ended: ServiceError | undefined;
    stream.on('data', (doc: PolicyDocument) => docs.push(doc));
    stream.on('error', (err: ServiceError) => (ended = err));
    await waitFor('the policy on the stream', async () => (docs.length > 0 ? true : undefined), { timeoutMs: 10_000 });

    const env = { ...process.env, MOAT_CSM_URL: csm.baseUrl, MOAT_CSM_CA: join(dataDir, 'tls', 'cert.pem'), MOAT_TOKEN: (await readFile(join(dataDir, 'cli-token'), 'utf8')).trim() };
    const revoked = await runMoat(['nodes', 'revoke', a.node.nodeId], env);
    expect(revoked).toMatchObject({ code: 0, stdout: `node-a (${a.node.nodeId}): revoked; its certificate is refused from now on\n` });
    expect((await runMoat(['nodes', 'revoke', 'no-such-node'], env)).code).not.toBe(0);

    const streamEnd = await waitFor('the stream to end', async () => ended, { timeoutMs: 10_000 });
    expect(streamEnd.code).toBe(status.PERMISSION_DENIED);
    expect(await heartbeat(a.client, a.node.nodeId, a.metadata())).toMatchObject({ code: status.PERMISSION_DENIED, details: expect.stringContaining('revoked') });
    const enrolAgain = await enrolNode(csm, ENROL_TOKEN, 'node-a').catch((err: ServiceError) => err);
    expect(enrolAgain).toMatchObject({ code: status.PERMISSION_DENIED });
    // The other node is unaffected.
    expect(await heartbeat(b.client, b.node.nodeId, b.metadata())).toEqual({ latestPolicyVersion: 1 });

    const state = await api.get<{ nodes: { id: string; revokedAtMs: number }[] }>('/api/status');
    expect(state.nodes.find((n) => n.id === a.node.nodeId)?.revokedAtMs).toBeGreaterThan(0);
    await waitFor('the revocation in the audit log', async () => {
      const audit = await api.get<{ entries: { action: string; target: string }[] }>(`/api/audit?action=node.revoke&target=${a.node.nodeId}`);
      return audit.entries.length === 1 ? true : undefined;
    });
  });
});
