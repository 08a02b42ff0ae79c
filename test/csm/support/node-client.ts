import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { NodeServiceClient, type EnrolResponse } from '@moat/proto/grpc';
import { generateKeyAndCsr } from '@moat/tls';
import { defined } from '../../harness/defined.js';
import type { Csm } from './processes.js';

/** A node as the CSM knows it after enrolment: its credentials, its key, and a client on the node port with its certificate. */
export interface EnrolledNode {
  node: EnrolResponse;
  key: string;
  client: NodeServiceClient;
  /** x-moat-node-id / x-moat-node-secret for the node's calls. */
  metadata(): Metadata;
}

export const unary = <T>(call: (callback: (err: ServiceError | null, response: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => call((err, response) => (err ? reject(err) : resolve(response))));

/** A client on the CSM's enrolment port, verifying the CSM's own certificate, as nodes do (MOAT_CSM_CA). */
export const enrolClient = (csm: Csm) => new NodeServiceClient(csm.enrolAddress, credentials.createSsl(Buffer.from(defined(csm.ca, 'the CSM certificate'))));

/** A client on the CSM's node port presenting KEY and CERTIFICATE (none: no client certificate). */
export function nodePortClient(csm: Csm, key?: string, certificate?: string): NodeServiceClient {
  const ca = Buffer.from(defined(csm.ca, 'the CSM certificate'));
  return new NodeServiceClient(csm.grpcAddress, key && certificate ? credentials.createSsl(ca, Buffer.from(key), Buffer.from(certificate)) : credentials.createSsl(ca));
}

export function nodeMetadata(node: EnrolResponse): Metadata {
  const metadata = new Metadata();
  metadata.set('x-moat-node-id', node.nodeId);
  metadata.set('x-moat-node-secret', node.nodeSecret);
  return metadata;
}

/** Enrols NODENAME with TOKEN as a scan node does: a new key, its CSR to the enrolment port, the certificate back. */
export async function enrolNode(csm: Csm, token: string, nodeName: string, smtpAddress = '127.0.0.1:2525'): Promise<EnrolledNode> {
  const { key, csr } = await generateKeyAndCsr('moat-node', 'ecdsa');
  const enrolment = enrolClient(csm);
  try {
    const node = await unary<EnrolResponse>((cb) => enrolment.enrol({ token, nodeName, smtpAddress, softwareVersion: '0.1.0', csr }, cb));
    return { node, key, client: nodePortClient(csm, key, node.certificate), metadata: () => nodeMetadata(node) };
  } finally {
    enrolment.close();
  }
}
