// graphql-inspector's diff of two SDL files: `node inspect.mjs OLD NEW` prints the changes
// as JSON ({ criticality, type, message, path }), breaking ones included. Federation's
// directives are not defined in the subgraph's SDL, so it is read without SDL validation.
import { readFileSync } from "node:fs";
import { buildASTSchema, parse } from "graphql";
import { diff } from "@graphql-inspector/core";

const read = (file) =>
  buildASTSchema(parse(readFileSync(file, "utf8")), { assumeValidSDL: true });

const [oldFile, newFile] = process.argv.slice(2);
const changes = await diff(read(oldFile), read(newFile));
console.log(
  JSON.stringify(
    changes.map((change) => ({
      criticality: change.criticality.level,
      type: change.type,
      message: change.message,
      path: change.path ?? null,
    })),
  ),
);
