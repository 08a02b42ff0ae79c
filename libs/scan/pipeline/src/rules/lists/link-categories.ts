// Hosting that phishing kits favour: free site builders and static hosting, file-sharing and document
// links, form builders that collect passwords, and IPFS gateways. Maintained lists of registrable domains
// (or hosts): a link into one of them is a sign, not a verdict, since legitimate mail uses them too.

export const FREE_HOSTING: readonly string[] = [
  '000webhostapp.com',
  'blogspot.com',
  'firebaseapp.com',
  'github.io',
  'glitch.me',
  'netlify.app',
  'pages.dev',
  'r2.dev',
  'repl.co',
  'sites.google.com',
  'square.site',
  'vercel.app',
  'web.app',
  'webflow.io',
  'weebly.com',
  'wixsite.com',
  'workers.dev',
  'yolasite.com',
];

export const FILE_SHARING: readonly string[] = [
  '1drv.ms',
  'box.com',
  'docs.google.com',
  'drive.google.com',
  'dropbox.com',
  'mediafire.com',
  'mega.nz',
  'sharepoint.com',
  'transfer.sh',
  'wetransfer.com',
  'we.tl',
];

export const FORM_BUILDERS: readonly string[] = [
  'forms.gle',
  'forms.office.com',
  'formstack.com',
  'jotform.com',
  'surveymonkey.com',
  'typeform.com',
  'wufoo.com',
];

export const IPFS_GATEWAYS: readonly string[] = [
  'cf-ipfs.com',
  'dweb.link',
  'fleek.co',
  'ipfs.io',
  'nftstorage.link',
  'w3s.link',
];
