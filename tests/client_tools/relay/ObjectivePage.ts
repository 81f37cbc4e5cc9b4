// The objective page of a Relay app: the objective's text, refetchable by its global id
// (`node(id:)`), and its resources as a paginated connection.
import { graphql } from "./relay-runtime";

export const objectivePageQuery = graphql`
  query ObjectivePageQuery($number: Int!) {
    objective(number: $number) {
      ...ObjectivePage_objective
      ...ObjectivePageResources_objective @arguments(count: 5)
    }
  }
`;

export const objectiveFragment = graphql`
  fragment ObjectivePage_objective on Objective
  @refetchable(queryName: "ObjectivePageRefetchQuery") {
    id
    number
    shortName
    title
    commitment
    actions {
      id
      code
      text
    }
    guidanceCoverage {
      mechanism
      status
    }
  }
`;

export const resourcesFragment = graphql`
  fragment ObjectivePageResources_objective on Objective
  @refetchable(queryName: "ObjectivePageResourcesPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 10 }
    cursor: { type: "String" }
    filter: { type: "ItemFilter" }
  ) {
    resources(first: $count, after: $cursor, filter: $filter)
    @connection(key: "ObjectivePage_resources") {
      totalCount
      edges {
        node {
          id
          slug
          title
          organisation
          section
          publishedOn
          countries {
            ...CountryCard_country
          }
        }
      }
    }
  }
`;
