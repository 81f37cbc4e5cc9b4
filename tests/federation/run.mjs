// Proves gcm-catalogue as an Apollo Federation v2 subgraph with Apollo's own tools:
// composes its SDL with a partner subgraph (@apollo/composition), runs a real gateway
// (@apollo/gateway + @apollo/server) in front of both, sends queries that cross the
// subgraphs in both directions, and decodes the subgraph's ftv1 trace with Apollo's
// protobuf package. Prints one JSON report on stdout; the Rust test asserts on it.
//
// Usage: node run.mjs http://127.0.0.1:PORT/graphql

import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { Trace } from '@apollo/usage-reporting-protobuf';

import { composeWithPartner, post, startPartner } from './partner.mjs';

const catalogueUrl = process.argv[2];
if (!catalogueUrl) {
  console.error('usage: node run.mjs CATALOGUE_GRAPHQL_URL');
  process.exit(2);
}

async function main() {
  const report = {};

  const partner = await startPartner();
  const composition = await composeWithPartner(catalogueUrl, partner.url);
  report.composition = {
    errors: (composition.errors ?? []).map((e) => e.message),
    hints: (composition.hints ?? []).map((h) => h.toString()),
  };
  if (composition.errors) {
    await partner.stop();
    console.log(JSON.stringify(report));
    return;
  }

  const gateway = new ApolloGateway({
    supergraphSdl: composition.supergraphSdl,
    buildService: ({ url }) => new RemoteGraphQLDataSource({ url }),
  });
  const router = new ApolloServer({ gateway });
  const { url: routerUrl } = await startStandaloneServer(router, { listen: { host: '127.0.0.1', port: 0 } });

  // Starts in the partner, enters the catalogue through _entities.
  report.partnerToCatalogue = await post(routerUrl, `{
    partnerHighlights {
      label
      country { iso3 name region { name } partnerOfficeCount }
      objective { number shortName title actions { code } partnerPrograms }
    }
  }`);
  // Starts in the catalogue, enters the partner through _entities.
  report.catalogueToPartner = await post(routerUrl, `{
    objective(number: 22) { title partnerPrograms guidanceSources { slug } }
    country(iso3: "PER") { name partnerOfficeCount resources { totalCount } }
  }`);

  // The subgraph's federated trace, decoded with Apollo's own protobuf definitions.
  const traced = await post(catalogueUrl, '{ objective(number: 22) { title actions { code } } }', {
    'apollo-federation-include-trace': 'ftv1',
  });
  const untraced = await post(catalogueUrl, '{ objective(number: 22) { title } }');
  const trace = Trace.decode(Buffer.from(traced.extensions?.ftv1 ?? '', 'base64'));
  const names = [];
  const walk = (node, path) => {
    for (const child of node.child ?? []) {
      const part = child.responseName || String(child.index);
      names.push({
        path: [...path, part].join('.'),
        type: child.type,
        parentType: child.parentType,
        startTime: Number(child.startTime),
        endTime: Number(child.endTime),
      });
      walk(child, [...path, part]);
    }
  };
  walk(trace.root ?? {}, []);
  report.ftv1 = {
    durationNs: Number(trace.durationNs),
    hasStartTime: Boolean(trace.startTime && Number(trace.startTime.seconds) > 0),
    nodes: names,
    untracedHasFtv1: Boolean(untraced.extensions?.ftv1),
  };

  await router.stop();
  await partner.stop();
  console.log(JSON.stringify(report));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
