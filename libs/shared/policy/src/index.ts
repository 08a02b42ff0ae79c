export * from './schema.js';
export * from './validate.js';
export * from './lists.js';
export * from './net.js';
export * from './sections/attachments.js';
export * from './sections/body.js';
export * from './sections/classifier.js';
export { checkRegexSafety, type RegexSafety } from './sections/regex-safety.js';
export * from './sections/smtp-checks.js';
