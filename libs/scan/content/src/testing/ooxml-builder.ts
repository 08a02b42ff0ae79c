import { buildZip } from './zip-builder.js';

/** Main part content type of each OOXML format, as Office writes it in [Content_Types].xml. */
const MAIN_PART: Record<string, { part: string; type: string }> = {
  docx: { part: '/word/document.xml', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml' },
  docm: { part: '/word/document.xml', type: 'application/vnd.ms-word.document.macroEnabled.main+xml' },
  dotx: { part: '/word/document.xml', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml' },
  dotm: { part: '/word/document.xml', type: 'application/vnd.ms-word.template.macroEnabledTemplate.main+xml' },
  xlsx: { part: '/xl/workbook.xml', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml' },
  xlsm: { part: '/xl/workbook.xml', type: 'application/vnd.ms-excel.sheet.macroEnabled.main+xml' },
  xltx: { part: '/xl/workbook.xml', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml' },
  xltm: { part: '/xl/workbook.xml', type: 'application/vnd.ms-excel.template.macroEnabled.main+xml' },
  pptx: { part: '/ppt/presentation.xml', type: 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml' },
  pptm: { part: '/ppt/presentation.xml', type: 'application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml' },
  potx: { part: '/ppt/presentation.xml', type: 'application/vnd.openxmlformats-officedocument.presentationml.template.main+xml' },
  potm: { part: '/ppt/presentation.xml', type: 'application/vnd.ms-powerpoint.template.macroEnabled.main+xml' },
};

export type OoxmlFormat = keyof typeof MAIN_PART;

/** A minimal OOXML package of FORMAT; with VBA, a VBA project part beside the main part (as a macro-enabled format holds). */
export function buildOoxml(format: OoxmlFormat, { vba = false }: { vba?: boolean } = {}): Buffer {
  const { part, type } = MAIN_PART[format]!;
  const dir = part.split('/')[1]!;
  const types = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="${part}" ContentType="${type}"/>${vba ? `<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>` : ''}</Types>`;
  return buildZip([
    { name: '[Content_Types].xml', data: Buffer.from(types) },
    { name: part.slice(1), data: Buffer.from('<?xml version="1.0"?><document/>') },
    ...(vba ? [{ name: `${dir}/vbaProject.bin`, data: Buffer.from('\xd0\xcf\x11\xe0 VBA project of the test', 'latin1') }] : []),
  ]);
}
