import type { PolicyDocument } from '@moat/proto/grpc';
import type { PolicyStore } from '../policy/policy-store.js';
import type { CsmLink } from './csm-link.js';
import { ReconnectingCall, type StreamingCall } from './reconnecting-call.js';

/**
 * Holds the WatchPolicy stream open, asking for versions newer than the ones the node runs (every tenant's). Each document is
 * validated, compiled, persisted and swapped in by the policy store; one that fails validation is logged and
 * the node keeps its current version.
 */
export class PolicyWatch extends ReconnectingCall {
  protected readonly name = 'policy watch stream';

  constructor(private readonly policies: PolicyStore) {
    super();
  }

  protected open(link: CsmLink): StreamingCall {
    const call = link.client.watchPolicy({ nodeId: link.identity?.nodeId ?? '', haveVersion: this.policies.current.version, haveTenantVersions: this.policies.tenantVersions() }, link.metadata());
    call.on('data', (doc: PolicyDocument) => {
      this.received();
      const what = doc.removed ? `tenant ${doc.tenant} removed` : `policy version ${doc.version}${doc.tenant ? ` of tenant ${doc.tenant}` : ''}`;
      this.policies.apply(doc).then(
        (applied) => applied && link.log.info(`${what} applied`),
        (err: unknown) => link.log.error(`${what} refused, keeping the tenant's current version`, err),
      );
    });
    return call;
  }
}
