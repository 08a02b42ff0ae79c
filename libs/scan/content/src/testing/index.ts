// Builders for tests (unit specs here and the integration suites under test/content); not used at run time.
export { buildOverlappingZip, buildZip, type ZipMember } from './zip-builder.js';
