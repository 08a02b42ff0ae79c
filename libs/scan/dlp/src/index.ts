export type { DetectOptions, Detector, DlpKind } from './detectors/detector.js';
export { luhnValid } from './detectors/card.js';
export { BANK_ACCOUNT_FORMATS } from './detectors/bank-account.js';
export { DETECTORS, DLP_KINDS, DEFAULT_MAX_CHARS, scanText, type DlpFinding, type ScanTextOptions, type TextScan } from './scan-text.js';
export { dlpFindings, type DlpMessageFinding, type DlpMessageParts, type DlpMessageResult, type DlpOptions } from './dlp-findings.js';
export { dlpOptionsOf, dlpVerdict, type DlpVerdict } from './dlp-verdict.js';
