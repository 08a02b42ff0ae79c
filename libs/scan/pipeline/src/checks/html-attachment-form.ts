import { ruleCheck } from '../rules/rule.js';

const FORM = /<form\b/i;
const PASSWORD_INPUT = /<input\b[^<>]{0,500}\btype\s*=\s*["']?password/i;
const REMOTE_SCRIPT = /<script\b[^<>]{0,500}\bsrc\s*=\s*["']?(?:https?:)?\/\/([^\s"'<>/]{1,253})/i;
const MAX_BYTES = 2 * 1024 * 1024;

/**
 * HTML_ATTACHMENT_FORM: an attached HTML file with a form (a login page sent as a file posts passwords
 * anywhere, past every URL filter). HTML_ATTACHMENT_REMOTE_SCRIPT: an attached HTML file that loads script
 * from the web. Smuggling (script assembling a download) is the attachment stage's HTML_SMUGGLING.
 */
export const htmlAttachmentForm = ruleCheck('html_attachment_form', (ctx, add) => {
  let form = false;
  let script = false;
  for (const file of ctx.content.files) {
    if (file.type.kind !== 'html' || !file.name) continue;
    const html = file.content.subarray(0, MAX_BYTES).toString('latin1');
    if (!form && FORM.test(html)) {
      form = true;
      add('HTML_ATTACHMENT_FORM', `${JSON.stringify(file.name)} holds a form${PASSWORD_INPUT.test(html) ? ' asking for a password' : ''}`);
    }
    const remote = script ? undefined : REMOTE_SCRIPT.exec(html);
    if (remote) {
      script = true;
      add('HTML_ATTACHMENT_REMOTE_SCRIPT', `${JSON.stringify(file.name)} loads script from ${remote[1]}`);
    }
  }
});
