/**
 * The CSP a message's HTML is shown under: nothing is fetched (no remote images, fonts, styles or frames), no
 * script runs, no form is sent; inline styles and data: images only. The iframe is also sandboxed without
 * allow-scripts or allow-same-origin, so the HTML runs in an opaque origin even if a policy were missed.
 */
export const MESSAGE_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'";

/**
 * A document for an iframe's srcdoc: the message's HTML behind a meta CSP placed first, so it applies before any of
 * the message's own markup (a policy the message adds can only restrict further).
 */
export function sandboxedDocument(html: string): string {
  return `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${MESSAGE_HTML_CSP}"><meta charset="utf-8"></head><body>${html}</body></html>`;
}
