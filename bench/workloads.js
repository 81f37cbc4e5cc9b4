// The benchmark's workloads, each written as equivalent queries for this service and for
// PostGraphile v4 (inferred schema + connection-filter). `vars` is filled from the
// database by `reference` (the country most documents are about), the same for both servers.

const walkItems = (kind) => `${kind}s: itemGuidanceSourcesByGuidanceSourceId(
  filter: { itemByItemId: { kind: { equalTo: "${kind}" }, status: { equalTo: "published" } } }) {
  nodes { itemByItemId { slug itemCountriesByItemId { nodes { countryByCountryId { iso3 } } } } } }`;

// Walk = tests/read_api.rs WALK: objectives -> actions -> guidance -> items by kind -> countries.
const walkOurs = `{ objectives { number actions { code guidanceSources { slug
  resources { slug countries { iso3 } } events { slug countries { iso3 } } projects { slug countries { iso3 } } } } } }`;
const walkTheirs = `{ allObjectives(orderBy: NUMBER_ASC) { nodes { number
  actionsByObjectiveNumber(orderBy: LETTER_ASC) { nodes { objectiveNumber letter
    guidanceSourceActionsByActionId { nodes { guidanceSourceByGuidanceSourceId { slug
      ${walkItems("resource")} ${walkItems("event")} ${walkItems("project")} } } } } } } } }`;

const objectiveOurs = `query($objective: Int!) { objective(number: $objective) { number title
  actions { code text guidanceSources { slug body symbol paragraph guidance } } } }`;
const objectiveTheirs = `query($objective: Int!) { objectiveByNumber(number: $objective) { number title
  actionsByObjectiveNumber(orderBy: LETTER_ASC) { nodes { objectiveNumber letter text
    guidanceSourceActionsByActionId { nodes { guidanceSourceByGuidanceSourceId { slug body symbol paragraph guidance } } } } } } }`;

const pageOurs = `query($country: String!) { resources(filter: { countries: [$country], sections: [DOCUMENTS] }, first: 20) {
  totalCount edges { cursor node { slug title publishedOn countries { iso3 } } } } }`;
const pageTheirs = `query($country: String!) { allItems(first: 20, orderBy: [SCOPE_RANK_ASC, AGE_RANK_ASC, ID_ASC],
  filter: { kind: { equalTo: "resource" }, status: { equalTo: "published" }, section: { equalTo: "documents" },
            itemCountriesByItemId: { some: { countryByCountryId: { iso3: { equalTo: $country } } } } }) {
  totalCount edges { cursor node { slug title publishedOn itemCountriesByItemId { nodes { countryByCountryId { iso3 } } } } } } }`;

// Both in GLOBAL_FIRST order (ours defaults to relevance, which ranks every match).
// Ours counts as a search page shows it ("10,000+ results": exact up to 10,000, then a
// lower bound); PostGraphile's totalCount reads every match.
const searchOurs = `query($text: String!) { search(text: $text, sort: GLOBAL_FIRST, first: 20) {
  count { count precision } edges { cursor node { slug title } } } }`;
// PostGraphile has no full-text search without an extra plugin or a SQL function in the
// database; the connection filter's case-insensitive substring match is what it offers.
const searchTheirs = `query($text: String!) { allItems(first: 20, orderBy: [SCOPE_RANK_ASC, AGE_RANK_ASC, ID_ASC],
  filter: { status: { equalTo: "published" }, or: [{ title: { includesInsensitive: $text } },
    { organisation: { includesInsensitive: $text } }, { summary: { includesInsensitive: $text } }] }) {
  totalCount edges { cursor node { slug title } } } }`;

const facetsOurs = `query($objective: Int!) { facets(filter: { objectives: [$objective] }) { total
  kinds { kind count } objectives { objective { number } count }
  principles { principle { slug } count } regions { region { slug } count } } }`;

// PostGraphile cannot group: one aliased totalCount per facet value (kinds, objectives,
// principles, regions; the ~200 countries are left out).
function facetsTheirs(reference) {
  const base = `status: { equalTo: "published" }, itemObjectivesByItemId: { some: { objectiveNumber: { equalTo: $objective } } }`;
  const count = (alias, extra) => `${alias}: allItems(filter: { ${base}${extra ? ", " + extra : ""} }) { totalCount }`;
  const fields = [count("total", "")];
  for (const kind of ["resource", "event", "project"]) fields.push(count(`kind_${kind}`, `kind: { equalTo: "${kind}" }`));
  for (let n = 1; n <= 23; n++) {
    fields.push(count(`objective_${n}`, `and: [{ itemObjectivesByItemId: { some: { objectiveNumber: { equalTo: ${n} } } } }]`));
  }
  for (const slug of reference.principles) {
    fields.push(count(`principle_${slug.replace(/-/g, "_")}`,
      `itemPrinciplesByItemId: { some: { guidingPrincipleByPrincipleId: { slug: { equalTo: "${slug}" } } } }`));
  }
  for (const slug of reference.regions) {
    fields.push(count(`region_${slug.replace(/-/g, "_")}`,
      `itemRegionsByItemId: { some: { regionByRegionId: { slug: { equalTo: "${slug}" } } } }`));
  }
  return `query($objective: Int!) {\n${fields.join("\n")}\n}`;
}

/** What the workloads' variables and the report read from a loaded database (a `pg` client). */
async function reference(client) {
  const one = async (sql) => (await client.query(sql)).rows;
  const [country] = await one(`SELECT c.iso3 FROM item_countries ic JOIN countries c ON c.id = ic.country_id
     JOIN items i ON i.id = ic.item_id WHERE i.kind = 'resource' AND i.section = 'documents' AND i.status = 'published'
     GROUP BY c.iso3 ORDER BY count(*) DESC, c.iso3 LIMIT 1`);
  return {
    topCountry: country ? country.iso3 : "PER",
    principles: (await one("SELECT slug FROM guiding_principles ORDER BY position")).map((r) => r.slug),
    regions: (await one("SELECT slug FROM regions ORDER BY position")).map((r) => r.slug),
    counts: (await one(`SELECT (SELECT count(*) FROM items)::int AS items,
        ((SELECT count(*) FROM item_objectives) + (SELECT count(*) FROM item_countries) + (SELECT count(*) FROM item_regions)
         + (SELECT count(*) FROM item_principles) + (SELECT count(*) FROM item_guidance_sources)
         + (SELECT count(*) FROM item_actions))::int AS links,
        (SELECT count(*) FROM guidance_sources)::int AS guidance,
        pg_size_pretty(pg_database_size(current_database())) AS size`))[0],
  };
}

/** The workloads, in report order. */
function workloads(reference) {
  const vars = {
    objective: 22,
    country: reference.topCountry,
    text: "remittances",
  };
  const pick = (...names) => Object.fromEntries(names.map((n) => [n, vars[n]]));
  return [
    { id: "1", name: "full traversal, all objectives", ours: walkOurs, theirs: walkTheirs, vars: {} },
    { id: "2", name: "one objective, actions and guidance", ours: objectiveOurs, theirs: objectiveTheirs, vars: pick("objective") },
    { id: "3", name: `filtered page of resources (country ${vars.country}, documents, 20)`, ours: pageOurs, theirs: pageTheirs, vars: pick("country") },
    { id: "4", name: `text search "${vars.text}" (20)`, ours: searchOurs, theirs: searchTheirs, vars: pick("text") },
    { id: "5", name: `facets of objective ${vars.objective}'s items`, ours: facetsOurs, theirs: facetsTheirs(reference), vars: pick("objective") },
  ];
}

module.exports = { reference, workloads };
