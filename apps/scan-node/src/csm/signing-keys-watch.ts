import type { SigningKeys } from '@moat/proto/grpc';
import type { DkimSigner } from '../dkim/dkim-signer.js';
import type { CsmLink } from './csm-link.js';
import { ReconnectingCall, type StreamingCall } from './reconnecting-call.js';

/** Holds the WatchSigningKeys stream open and gives every set of active DKIM keys to the signer. */
export class SigningKeysWatch extends ReconnectingCall {
  protected readonly name = 'signing keys stream';

  constructor(private readonly signer: DkimSigner) {
    super();
  }

  protected open(link: CsmLink): StreamingCall {
    const call = link.client.watchSigningKeys({ nodeId: link.identity?.nodeId ?? '' }, link.metadata());
    call.on('data', (set: SigningKeys) => {
      this.received();
      this.signer.replace(set.keys);
      link.log.info(`DKIM signing keys: ${set.keys.map((k) => `${k.selector}._domainkey.${k.domain}`).join(' ') || 'none'}`);
    });
    return call;
  }
}
