import { Injectable, Logger } from '@nestjs/common';
import { CertificateError, createCertificateAuthority, issueClientCertificate, type CertificateAuthority, type IssuedCertificate } from '@moat/tls';
import { LocalStateRepository } from '../repositories/local-state.repository.js';
import { InvalidInputError } from '../util/errors.js';
import { loadOnce } from '../util/load-once.js';
import { SecretKeyService } from './secret-key.service.js';

/** The node CA lives twenty years; the certificates it issues two, and a node gets a new one at each enrolment. */
const CA_DAYS = 20 * 365;
const NODE_CERTIFICATE_DAYS = 2 * 365;
/** The SecretBox context of the CA's key, so the sealed key cannot be passed off as another secret. */
const KEY_CONTEXT = 'node-ca';

/**
 * The CSM's node CA: made at first start (ECDSA P-256) and kept in the data dir with its key sealed by the CSM's
 * SecretBox (as DKIM and certificate keys). It signs each node's client certificate at enrolment (CN and dNSName =
 * node id); the gRPC port accepts only clients with a certificate it issued (see NodeGrpcServer).
 */
@Injectable()
export class NodeCaService {
  private readonly logger = new Logger('node-ca');
  private readonly authority = loadOnce(() => this.loadOrCreate());

  constructor(
    private readonly local: LocalStateRepository,
    private readonly secrets: SecretKeyService,
  ) {}

  /** The CA's certificate (PEM), which the gRPC server verifies client certificates against. */
  async certificate(): Promise<string> {
    return (await this.authority()).certificate;
  }

  /** A client certificate for NODEID from the node's PKCS#10 request; InvalidInputError for a bad request. */
  async issue(csr: string, nodeId: string): Promise<IssuedCertificate> {
    const ca = await this.authority();
    try {
      return issueClientCertificate(ca, csr, nodeId, NODE_CERTIFICATE_DAYS);
    } catch (err) {
      if (err instanceof CertificateError) throw new InvalidInputError(err.message);
      throw err;
    }
  }

  private async loadOrCreate(): Promise<CertificateAuthority> {
    const box = await this.secrets.box();
    const stored = await this.local.readNodeCa();
    if (stored) return { certificate: stored.certificate, key: box.open(stored.sealedKey, KEY_CONTEXT) };
    const ca = createCertificateAuthority('Moat node CA', CA_DAYS);
    await this.local.writeNodeCa({ certificate: ca.certificate, sealedKey: box.seal(ca.key, KEY_CONTEXT) });
    this.logger.log('created the node CA (node-ca.json in the data dir)');
    return ca;
  }
}
