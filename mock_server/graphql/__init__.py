"""The vendor's GraphQL read API at /graphql: every documented root as a cursor connection."""
