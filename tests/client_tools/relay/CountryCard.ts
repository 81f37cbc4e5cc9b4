// A country card, reused in lists and refetched on its own by its global id.
import { graphql } from "./relay-runtime";

export const countryCardFragment = graphql`
  fragment CountryCard_country on Country
  @refetchable(queryName: "CountryCardRefetchQuery") {
    id
    iso3
    name
    region {
      id
      name
    }
  }
`;

export const countryPageQuery = graphql`
  query CountryCardQuery($iso3: String!) {
    country(iso3: $iso3) {
      ...CountryCard_country
      events(first: 3) @connection(key: "CountryCard_events") {
        edges {
          node {
            id
            title
          }
        }
      }
    }
  }
`;
