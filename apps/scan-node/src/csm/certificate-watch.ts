import type { CertificateSet } from '@moat/proto/grpc';
import { errorText } from '../log.js';
import type { InboundTls } from '../smtp/inbound-tls.js';
import type { CsmLink } from './csm-link.js';
import { ReconnectingCall, type StreamingCall } from './reconnecting-call.js';

/**
 * Holds the WatchCertificates stream open: each set the CSM sends (at once, then after every change) replaces the
 * per-domain certificates the SMTP listener serves by SNI, without a restart.
 */
export class CertificateWatch extends ReconnectingCall {
  protected readonly name = 'certificate watch stream';

  constructor(private readonly tls: InboundTls) {
    super();
  }

  protected open(link: CsmLink): StreamingCall {
    const call = link.client.watchCertificates({ nodeId: link.identity?.nodeId ?? '' }, link.metadata());
    call.on('data', (set: CertificateSet) => {
      this.received();
      this.tls.applyCertificates(set.certificates, set.digest).catch((err: unknown) => link.log.error(`certificates not kept on disk: ${errorText(err)}`));
    });
    return call;
  }
}
