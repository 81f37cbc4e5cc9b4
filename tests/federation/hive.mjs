// gcm-catalogue and the partner subgraph behind Hive Gateway (@graphql-hive/gateway, the
// runtime partner portals run today), composed from the two subgraphs' SDL: queries that
// cross the subgraphs both ways (each entering the other through one `_entities` batch),
// the gateway's demand control reading our @cost/@listSize and refusing an over-budget
// query with its own error, and `itemPublished` delivered through the gateway (it
// subscribes to the subgraph with graphql-sse). Prints `subscribed` once the subscription
// is live (the Rust test then publishes an item), and at the end one JSON report. It also
// counts the requests our subgraph answered (its /metrics): one `_entities` batch per
// crossing; and it reads what the gateway's HTTP cache stored of our answers.
//
// Usage: node hive.mjs http://127.0.0.1:PORT/graphql

import { createGatewayRuntime, useHttpCache } from '@graphql-hive/gateway';
import InMemoryLRUCache from '@graphql-mesh/cache-inmemory-lru';

import { composeWithPartner, startPartner } from './partner.mjs';

const catalogueUrl = process.argv[2];
if (!catalogueUrl) {
  console.error('usage: node hive.mjs CATALOGUE_GRAPHQL_URL');
  process.exit(2);
}

/** The most a query may cost through this gateway (its demand control's budget). */
const MAX_COST = 1000;

/** The GraphQL requests our subgraph has answered so far, by its own metrics. */
async function subgraphRequests() {
  const metrics = await (await fetch(new URL('/metrics', catalogueUrl))).text();
  return metrics
    .split('\n')
    .filter((line) => line.startsWith('gcm_graphql_requests_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** What `run` cost our subgraph in requests, and what it returned. */
async function counted(run) {
  const before = await subgraphRequests();
  const result = await run();
  return { result, subgraphRequests: (await subgraphRequests()) - before };
}

/** `query` asked twice of `gateway`: both answers, and the subgraph requests they took. */
async function twice(gateway, query) {
  const ask = async () => {
    const response = await gateway.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query }),
    });
    return response.json();
  };
  const { result, subgraphRequests } = await counted(async () => [await ask(), await ask()]);
  return { answers: result, subgraphRequests };
}

async function main() {
  const report = {};
  const partner = await startPartner();
  const composition = await composeWithPartner(catalogueUrl, partner.url);
  report.composition = { errors: (composition.errors ?? []).map((e) => e.message) };
  if (composition.errors) {
    await partner.stop();
    console.log(JSON.stringify(report));
    return;
  }
  const gateway = createGatewayRuntime({
    supergraph: composition.supergraphSdl,
    logging: false,
    demandControl: { maxCost: MAX_COST, includeExtensionMetadata: true },
  });
  // The gateway served in-process: a client's request is a fetch on it.
  const ask = (query, variables = {}, accept = 'application/graphql-response+json') =>
    gateway.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
      body: JSON.stringify({ query, variables }),
    });
  const json = async (query, variables) => (await ask(query, variables)).json();

  const highlights = await counted(() => json(`query PartnerHighlights {
    partnerHighlights {
      label
      country { iso3 name region { name } partnerOfficeCount }
      objective { number shortName partnerPrograms }
    }
  }`));
  report.partnerToCatalogue = highlights.result;
  report.partnerToCatalogueSubgraphRequests = highlights.subgraphRequests;
  report.catalogueToPartner = await json(`query ObjectiveWithPartner($number: Int!) {
    objective(number: $number) { title partnerPrograms guidanceSources { slug } }
    country(iso3: "PER") { name partnerOfficeCount resources { totalCount } }
  }`, { number: 22 });
  // Every objective's first 100 resources with their countries: over the budget.
  report.overBudget = await json(`query EverythingEverywhere {
    objectives { resources(first: 100) { nodes { title countries { name } } } }
  }`);

  // Our Cache-Control reaching the gateway's HTTP cache: a gateway that keeps subgraph
  // answers (and fetches queries with GET, the cacheable method), beside this one.
  const httpCache = new InMemoryLRUCache();
  const cachingGateway = createGatewayRuntime({
    supergraph: composition.supergraphSdl,
    logging: false,
    cache: httpCache,
    plugins: (context) => [useHttpCache(context)],
    transportEntries: { catalogue: { options: { useGETForQueries: true } } },
  });
  const countryCard = `query CountryCard { country(iso3: "PER") { name region { name } } }`;
  const withCache = await twice(cachingGateway, countryCard);
  // What the cache stored for our subgraph's answer: the response's cache directives.
  const keys = (await httpCache.getKeysByPrefix('http-cache-')) ?? [];
  const stored = await Promise.all(keys.map((key) => httpCache.get(key)));
  report.httpCache = {
    withCache,
    withoutCache: await twice(gateway, countryCard),
    stored: stored.map((entry) => ({
      status: entry?.response?.status,
      cacheControl: entry?.response?.headers?.['cache-control'] ?? null,
      etag: entry?.response?.headers?.etag ?? null,
      directives: entry?.policy?.rescc ?? null,
    })),
  };
  await cachingGateway.dispose?.();

  // A live panel through the gateway.
  const live = await ask(
    `subscription LivePanel($filter: ItemFilter) {
      itemPublished(filter: $filter) { __typename title objectives { number partnerPrograms } }
    }`,
    { filter: { objectives: [22] } },
    'text/event-stream',
  );
  report.subscription = { status: live.status, contentType: live.headers.get('content-type') };
  const reader = live.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let announced = false;
  const deadline = setTimeout(() => {
    report.subscription.timedOut = true;
    reader.cancel();
  }, 60_000);
  while (!report.subscription.event) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    // The gateway passes the subgraph's heartbeat on: the subscription is live.
    if (!announced) {
      announced = true;
      console.log('subscribed');
    }
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = message
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('');
      if (message.includes('event: next') && data) {
        report.subscription.event = JSON.parse(data);
      }
    }
  }
  clearTimeout(deadline);
  await reader.cancel().catch(() => {});
  await gateway.dispose?.();
  await partner.stop();
  report.maxCost = MAX_COST;
  console.log(JSON.stringify(report));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
