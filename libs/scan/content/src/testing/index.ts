// Builders for tests (unit specs here and the integration suites under test/content); not used at run time.
export { buildHwp, type HwpOptions } from './hwp-builder.js';
export { buildEgg, buildMachO } from './magic-files.js';
export { buildOoxml, type OoxmlFormat } from './ooxml-builder.js';
export { buildTar, type TarMember } from './tar-builder.js';
export { buildOverlappingZip, buildZip, type ZipMember } from './zip-builder.js';
