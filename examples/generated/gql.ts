/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation AssertCompanies($listId: Int!, $companies: [CompanyInput!]!) {\n  assertCompanies(listId: $listId, companies: $companies) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    chunks\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}": typeof types.AssertCompaniesDocument,
    "mutation AssertCompany($listId: Int!, $company: CompanyInput!) {\n  assertCompany(listId: $listId, company: $company) {\n    action\n    count\n  }\n}": typeof types.AssertCompanyDocument,
    "mutation AssertContact($listId: Int!, $contact: ContactInput!) {\n  assertContact(listId: $listId, contact: $contact) {\n    action\n    count\n  }\n}": typeof types.AssertContactDocument,
    "mutation AssertContacts($listId: Int!, $contacts: [ContactInput!]!) {\n  assertContacts(listId: $listId, contacts: $contacts) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    chunks\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}": typeof types.AssertContactsDocument,
    "mutation AssertDeal($deal: DealInput!) {\n  assertDeal(deal: $deal) {\n    action\n    dealId\n  }\n}": typeof types.AssertDealDocument,
    "query Gateway {\n  gateway {\n    version\n    upstream\n    chunkSize\n    maxItemsPerMutation\n  }\n}": typeof types.GatewayDocument,
    "mutation LinkContactToDeal($contactId: ID!, $dealId: ID!) {\n  linkContactToDeal(contactId: $contactId, dealId: $dealId) {\n    action\n    contactId\n    dealId\n  }\n}": typeof types.LinkContactToDealDocument,
};
const documents: Documents = {
    "mutation AssertCompanies($listId: Int!, $companies: [CompanyInput!]!) {\n  assertCompanies(listId: $listId, companies: $companies) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    chunks\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}": types.AssertCompaniesDocument,
    "mutation AssertCompany($listId: Int!, $company: CompanyInput!) {\n  assertCompany(listId: $listId, company: $company) {\n    action\n    count\n  }\n}": types.AssertCompanyDocument,
    "mutation AssertContact($listId: Int!, $contact: ContactInput!) {\n  assertContact(listId: $listId, contact: $contact) {\n    action\n    count\n  }\n}": types.AssertContactDocument,
    "mutation AssertContacts($listId: Int!, $contacts: [ContactInput!]!) {\n  assertContacts(listId: $listId, contacts: $contacts) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    chunks\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}": types.AssertContactsDocument,
    "mutation AssertDeal($deal: DealInput!) {\n  assertDeal(deal: $deal) {\n    action\n    dealId\n  }\n}": types.AssertDealDocument,
    "query Gateway {\n  gateway {\n    version\n    upstream\n    chunkSize\n    maxItemsPerMutation\n  }\n}": types.GatewayDocument,
    "mutation LinkContactToDeal($contactId: ID!, $dealId: ID!) {\n  linkContactToDeal(contactId: $contactId, dealId: $dealId) {\n    action\n    contactId\n    dealId\n  }\n}": types.LinkContactToDealDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AssertCompanies($listId: Int!, $companies: [CompanyInput!]!) {\n  assertCompanies(listId: $listId, companies: $companies) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    chunks\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}"): (typeof documents)["mutation AssertCompanies($listId: Int!, $companies: [CompanyInput!]!) {\n  assertCompanies(listId: $listId, companies: $companies) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    chunks\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AssertCompany($listId: Int!, $company: CompanyInput!) {\n  assertCompany(listId: $listId, company: $company) {\n    action\n    count\n  }\n}"): (typeof documents)["mutation AssertCompany($listId: Int!, $company: CompanyInput!) {\n  assertCompany(listId: $listId, company: $company) {\n    action\n    count\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AssertContact($listId: Int!, $contact: ContactInput!) {\n  assertContact(listId: $listId, contact: $contact) {\n    action\n    count\n  }\n}"): (typeof documents)["mutation AssertContact($listId: Int!, $contact: ContactInput!) {\n  assertContact(listId: $listId, contact: $contact) {\n    action\n    count\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AssertContacts($listId: Int!, $contacts: [ContactInput!]!) {\n  assertContacts(listId: $listId, contacts: $contacts) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    chunks\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}"): (typeof documents)["mutation AssertContacts($listId: Int!, $contacts: [ContactInput!]!) {\n  assertContacts(listId: $listId, contacts: $contacts) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    chunks\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AssertDeal($deal: DealInput!) {\n  assertDeal(deal: $deal) {\n    action\n    dealId\n  }\n}"): (typeof documents)["mutation AssertDeal($deal: DealInput!) {\n  assertDeal(deal: $deal) {\n    action\n    dealId\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Gateway {\n  gateway {\n    version\n    upstream\n    chunkSize\n    maxItemsPerMutation\n  }\n}"): (typeof documents)["query Gateway {\n  gateway {\n    version\n    upstream\n    chunkSize\n    maxItemsPerMutation\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation LinkContactToDeal($contactId: ID!, $dealId: ID!) {\n  linkContactToDeal(contactId: $contactId, dealId: $dealId) {\n    action\n    contactId\n    dealId\n  }\n}"): (typeof documents)["mutation LinkContactToDeal($contactId: ID!, $dealId: ID!) {\n  linkContactToDeal(contactId: $contactId, dealId: $dealId) {\n    action\n    contactId\n    dealId\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;