#!/usr/bin/env bash
# Rebuilds dist/ from the npm packages pinned by package-lock.json: the UMD builds of
# GraphiQL, React, ReactDOM and graphql-ws, gzipped (the server sends them as they are,
# `Content-Encoding: gzip`). To update: change the versions in package.json, run
# `npm install --prefix crates/server/assets/graphiql`, then this script, and commit
# package.json, package-lock.json and dist/.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
mkdir -p dist
rm -f dist/*.gz
copy() { gzip -9 --no-name --stdout "node_modules/$1" > "dist/$2.gz"; }
copy graphiql/graphiql.min.js graphiql.min.js
copy graphiql/graphiql.min.css graphiql.min.css
copy react/umd/react.production.min.js react.production.min.js
copy react-dom/umd/react-dom.production.min.js react-dom.production.min.js
copy graphql-ws/umd/graphql-ws.min.js graphql-ws.min.js
# The licences travel with the files.
{
  echo "# Licences of the vendored GraphiQL assets (dist/)"
  for package in graphiql react react-dom graphql-ws; do
    version=$(node -p "require('./node_modules/$package/package.json').version")
    printf '\n## %s %s\n\n~~~\n' "$package" "$version"
    cat node_modules/"$package"/LICENSE*
    printf '~~~\n'
  done
} > LICENSES.md
ls -l dist
