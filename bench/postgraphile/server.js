// PostGraphile v4 on the catalogue database, as a user would point it at the same
// PostgreSQL: the schema inferred from the tables, plus the connection-filter plugin
// (with relation filters) so the benchmark can ask equivalent questions.
// Usage: DATABASE_URL=... PORT=0 node server.js   (prints `listening on http://ADDR`)
const http = require("http");
const { postgraphile } = require("postgraphile");
const ConnectionFilterPlugin = require("postgraphile-plugin-connection-filter");

const middleware = postgraphile(process.env.DATABASE_URL, "public", {
  appendPlugins: [ConnectionFilterPlugin],
  graphileBuildOptions: { connectionFilterRelations: true },
  dynamicJson: true,
  setofFunctionsContainNulls: false,
  disableQueryLog: true,
  retryOnInitFail: false,
  watchPg: false,
  graphiql: false,
  enableQueryBatching: false,
  extendedErrors: [],
});

const server = http.createServer(middleware);
server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}`);
});
