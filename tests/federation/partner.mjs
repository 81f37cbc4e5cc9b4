// The pieces both gateway scripts share: the partner subgraph (a UN partner portal's, with
// test fixtures for data) and a JSON POST.

import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

export async function post(url, query, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

// The partner: a small subgraph of a UN partner portal that extends Country and
// Objective with fields of its own. Its data are test fixtures, not catalogue content.
export const partnerTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

  type Country @key(fields: "iso3") {
    iso3: String!
    "Test fixture: a partner's own figure."
    partnerOfficeCount: Int!
  }

  type Objective @key(fields: "number") {
    number: Int!
    "Test fixture: the partner's programmes under the objective."
    partnerPrograms: [String!]!
  }

  type PartnerHighlight {
    label: String!
    country: Country
    objective: Objective!
  }

  type Query {
    partnerHighlights: [PartnerHighlight!]!
  }
`);

export const partnerResolvers = {
  Query: {
    partnerHighlights: () => [
      { label: 'fixture-a', country: { iso3: 'PER' }, objective: { number: 22 } },
      { label: 'fixture-b', country: { iso3: 'ZAF' }, objective: { number: 5 } },
      { label: 'fixture-unknown', country: { iso3: 'ZZZ' }, objective: { number: 22 } },
    ],
  },
  Country: {
    __resolveReference: ({ iso3 }) => ({ iso3 }),
    partnerOfficeCount: ({ iso3 }) => iso3.length,
  },
  Objective: {
    __resolveReference: ({ number }) => ({ number }),
    partnerPrograms: ({ number }) => [`fixture-programme-${number}`],
  },
};

/** Starts the partner subgraph on a free port: its URL and how to stop it. */
export async function startPartner() {
  const partner = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: partnerTypeDefs, resolvers: partnerResolvers }),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(partner, { listen: { host: '127.0.0.1', port: 0 } });
  return { url, stop: () => partner.stop() };
}

/** Composes the catalogue (its SDL read from `_service`) with the partner. */
export async function composeWithPartner(catalogueUrl, partnerUrl) {
  const ours = await post(catalogueUrl, '{ _service { sdl } }');
  return composeServices([
    { name: 'catalogue', typeDefs: parse(ours.data._service.sdl), url: catalogueUrl },
    { name: 'partner', typeDefs: partnerTypeDefs, url: partnerUrl },
  ]);
}
