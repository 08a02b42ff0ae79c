import { randomBytes, X509Certificate } from 'node:crypto';
import { generateKeyAndCsr } from '@moat/tls';
import { describe, expect, it, beforeAll, beforeEach } from 'vitest';
import { InMemoryConfigRepository, InMemoryEventStore, InMemoryLocalState, testConfig, testAudit } from '../testing/in-memory-repositories.js';
import { InvalidInputError, NotFoundError, PermissionDeniedError, UnauthenticatedError } from '../util/errors.js';
import { ExportLogService } from './export-log.service.js';
import { FleetService, NODE_UP_WITHIN_MS } from './fleet.service.js';
import { NodeCaService } from './node-ca.service.js';
import { SecretKeyService } from './secret-key.service.js';

let csr = '';
const enrolment = (token: string, nodeName = 'node-1') => ({ token, nodeName, smtpAddress: '127.0.0.1:2525', softwareVersion: '0.1.0', csr });
const SECRET_KEY = randomBytes(32).toString('base64');
const heartbeat = { nodeId: '', smtpAddress: '127.0.0.1:2525', policyVersion: 4, resources: undefined, softwareVersion: '0.1.0', engineVersions: { clamav: '1.4' }, startedAtMs: 1, metricsUrl: 'http://127.0.0.1:9464/metrics' };

describe('FleetService', () => {
  let config: InMemoryConfigRepository;
  let fleet: FleetService;
  let store: InMemoryEventStore;
  let exportLog: ExportLogService;
  let local: InMemoryLocalState;
  let nodeCa: NodeCaService;

  beforeAll(async () => {
    ({ csr } = await generateKeyAndCsr('moat-node', 'ecdsa'));
  });

  beforeEach(() => {
    config = new InMemoryConfigRepository();
    store = new InMemoryEventStore();
    exportLog = new ExportLogService(store);
    local = new InMemoryLocalState();
    const csmConfig = testConfig({ MOAT_ENROL_TOKEN: 'secret-token', MOAT_SECRET_KEY: SECRET_KEY });
    nodeCa = new NodeCaService(local, new SecretKeyService(csmConfig));
    fleet = new FleetService(config, testAudit(store), csmConfig, exportLog, nodeCa);
  });

  it('signs the node\'s request with the node CA (kept with its key sealed) and accepts only that certificate', async () => {
    const { nodeId, nodeSecret, certificate, caCertificate } = await fleet.enrol(enrolment('secret-token'));
    const cert = new X509Certificate(certificate);
    expect(cert.subject).toBe(`CN=${nodeId}`);
    expect(cert.verify(new X509Certificate(caCertificate).publicKey)).toBe(true);
    expect(local.nodeCa?.certificate).toBe(caCertificate);
    expect(local.nodeCa?.sealedKey).not.toContain('PRIVATE KEY');
    expect(config.nodes.get(nodeId)?.certificateSerial).toBe(cert.serialNumber);
    await expect(fleet.verify(nodeId, nodeSecret, cert.serialNumber)).resolves.toBeUndefined();
    await expect(fleet.verify(nodeId, nodeSecret, 'ABCDEF')).rejects.toBeInstanceOf(UnauthenticatedError);
    // A second CSM process on the same data dir and key uses the same CA.
    const reopened = new NodeCaService(local, new SecretKeyService(testConfig({ MOAT_SECRET_KEY: SECRET_KEY })));
    expect(await reopened.certificate()).toBe(caCertificate);
  });

  it('refuses enrolment over TLS without a CSR, or with one that does not verify', async () => {
    await expect(fleet.enrol({ ...enrolment('secret-token'), csr: '' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(fleet.enrol({ ...enrolment('secret-token'), csr: 'garbage' })).rejects.toThrow(/certificate request/);
  });

  it('revokes a node: refused from then on, also when it enrols again; audited; unknown ids are 404', async () => {
    const { nodeId, nodeSecret, certificate } = await fleet.enrol(enrolment('secret-token'));
    const revokedIds: string[] = [];
    fleet.onRevoked((id) => revokedIds.push(id));
    const status = await fleet.revoke(nodeId, 'alice');
    expect(status.revokedAtMs).toBeGreaterThan(0);
    expect(revokedIds).toEqual([nodeId]);
    expect(config.nodes.get(nodeId)?.revokedAtMs).toBe(status.revokedAtMs);
    await expect(fleet.verify(nodeId, nodeSecret, new X509Certificate(certificate).serialNumber)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(fleet.enrol(enrolment('secret-token'))).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(store.audit.filter((e) => e.action === 'node.revoke')).toEqual([expect.objectContaining({ admin: 'alice', target: nodeId })]);
    await expect(fleet.revoke('no-such-node', 'alice')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('enrols without a certificate when the CSM serves no TLS', async () => {
    const plain = new FleetService(config, testAudit(store), testConfig({ MOAT_ENROL_TOKEN: 'secret-token', MOAT_HTTP_TLS: 'off' }), exportLog, nodeCa);
    const response = await plain.enrol({ ...enrolment('secret-token'), csr: '' });
    expect(response).toMatchObject({ certificate: '', caCertificate: '' });
    await expect(plain.verify(response.nodeId, response.nodeSecret)).resolves.toBeUndefined();
  });

  it('enrols with the token, stores only a hash of the node secret, and verifies it', async () => {
    await expect(fleet.enrol(enrolment('wrong'))).rejects.toBeInstanceOf(PermissionDeniedError);
    const { nodeId, nodeSecret } = await fleet.enrol(enrolment('secret-token'));
    expect(JSON.stringify(config.nodes.get(nodeId))).not.toContain(nodeSecret);
    await expect(fleet.verify(nodeId, nodeSecret)).resolves.toBeUndefined();
    await expect(fleet.verify(nodeId, 'guess')).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(fleet.verify('', '')).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('keeps the id of a node that enrols again under its name, with a new secret', async () => {
    const first = await fleet.enrol(enrolment('secret-token'));
    const again = await fleet.enrol(enrolment('secret-token'));
    expect(again.nodeId).toBe(first.nodeId);
    await expect(fleet.verify(first.nodeId, first.nodeSecret)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(fleet.list()).toHaveLength(1);
  });

  it('refuses enrolment when no token is configured', async () => {
    const closed = new FleetService(config, testAudit(), testConfig(), exportLog, nodeCa);
    await expect(closed.enrol(enrolment(''))).rejects.toThrow('MOAT_ENROL_TOKEN');
  });

  it('reports a node up while its heartbeats are at most 15 s old', async () => {
    const { nodeId } = await fleet.enrol(enrolment('secret-token'));
    expect(fleet.list()[0]).toMatchObject({ up: false, lastHeartbeatMs: 0 });
    fleet.heartbeat(nodeId, heartbeat);
    const [node] = fleet.list();
    expect(node).toMatchObject({ id: nodeId, up: true, policyVersion: 4, engineVersions: { clamav: '1.4' } });
    expect(fleet.list(node!.lastHeartbeatMs + NODE_UP_WITHIN_MS + 1)[0]!.up).toBe(false);
    expect(config.nodes.get(nodeId)?.policyVersion).toBe(4);
  });

  it("reports each node's metrics URL, keeping the last one when a heartbeat carries none", async () => {
    const { nodeId } = await fleet.enrol(enrolment('secret-token'));
    expect(fleet.list()[0]?.metricsUrl).toBe('');
    fleet.heartbeat(nodeId, heartbeat);
    expect(fleet.list()[0]?.metricsUrl).toBe('http://127.0.0.1:9464/metrics');
    fleet.heartbeat(nodeId, { ...heartbeat, metricsUrl: '' });
    expect(fleet.list()[0]?.metricsUrl).toBe('http://127.0.0.1:9464/metrics');
    expect(config.nodes.get(nodeId)?.metricsUrl).toBe('http://127.0.0.1:9464/metrics');
  });

  it('exports node up at the first heartbeat after silence and node down when heartbeats stop', async () => {
    const { nodeId } = await fleet.enrol(enrolment('secret-token'));
    fleet.heartbeat(nodeId, heartbeat);
    fleet.heartbeat(nodeId, heartbeat);
    const last = fleet.list()[0]!.lastHeartbeatMs;
    fleet.sweep(last + NODE_UP_WITHIN_MS);
    fleet.sweep(last + NODE_UP_WITHIN_MS + 1);
    fleet.sweep(last + NODE_UP_WITHIN_MS + 2);
    fleet.heartbeat(nodeId, heartbeat);
    await exportLog.append([]);
    const events = (await exportLog.read(0, 100)).map((e) => (e.kind === 'node' ? `${e.kind} ${e.state}` : `${e.kind} ${e.kind === 'audit' ? e.action : ''}`));
    expect(events).toEqual(['audit node.enrol', 'node up', 'node down', 'node up']);
  });
});
