import type { SigningKeys } from '@moat/proto/grpc';
import type { DkimSigner } from '../dkim/dkim-signer.js';
import type { SrsKey } from '../forwarding/srs-key.js';
import { errorText } from '../log.js';
import type { CsmLink } from './csm-link.js';
import { ReconnectingCall, type StreamingCall } from './reconnecting-call.js';

/** Holds the WatchSigningKeys stream open and gives every set of active DKIM keys to the signer, the SRS key to forwarding. */
export class SigningKeysWatch extends ReconnectingCall {
  protected readonly name = 'signing keys stream';

  constructor(
    private readonly signer: DkimSigner,
    private readonly srs: Pick<SrsKey, 'replace'>,
  ) {
    super();
  }

  protected open(link: CsmLink): StreamingCall {
    const call = link.client.watchSigningKeys({ nodeId: link.identity?.nodeId ?? '' }, link.metadata());
    call.on('data', (set: SigningKeys) => {
      this.received();
      this.signer.replace(set.keys);
      link.log.info(`DKIM signing keys: ${set.keys.map((k) => `${k.selector}._domainkey.${k.domain}`).join(' ') || 'none'}`);
      this.srs.replace(set.srsKey).catch((err: unknown) => link.log.warn(`SRS key not kept on disk: ${errorText(err)}`));
    });
    return call;
  }
}
