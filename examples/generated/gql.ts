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
    "mutation AppendContacts($importId: ID!, $contacts: [ContactInput!]!, $idempotencyKey: String) {\n  appendContacts(\n    importId: $importId\n    contacts: $contacts\n    idempotencyKey: $idempotencyKey\n  ) {\n    id\n    state\n    total\n    deduplicated\n  }\n}": typeof types.AppendContactsDocument,
    "mutation AssertCompanies($listId: Int!, $companies: [CompanyInput!]!) {\n  assertCompanies(listId: $listId, companies: $companies) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    chunks\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}": typeof types.AssertCompaniesDocument,
    "mutation AssertCompany($listId: Int!, $company: CompanyInput!) {\n  assertCompany(listId: $listId, company: $company) {\n    action\n    count\n  }\n}": typeof types.AssertCompanyDocument,
    "mutation AssertContact($listId: Int!, $contact: ContactInput!) {\n  assertContact(listId: $listId, contact: $contact) {\n    action\n    count\n  }\n}": typeof types.AssertContactDocument,
    "mutation AssertContacts($listId: Int!, $contacts: [ContactInput!]!) {\n  assertContacts(listId: $listId, contacts: $contacts) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    chunks\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}": typeof types.AssertContactsDocument,
    "mutation AssertDealWithLinks($deal: DealInput!, $contactIds: [ID!]) {\n  assertDeal(deal: $deal, contactIds: $contactIds) {\n    action\n    dealId\n    links {\n      action\n      contactId\n      dealId\n    }\n  }\n}": typeof types.AssertDealWithLinksDocument,
    "mutation AssertDeal($deal: DealInput!) {\n  assertDeal(deal: $deal) {\n    action\n    dealId\n  }\n}": typeof types.AssertDealDocument,
    "mutation AssertDeals($deals: [DealInput!]!) {\n  assertDeals(deals: $deals) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    results {\n      action\n      dealId\n    }\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}": typeof types.AssertDealsDocument,
    "query CheckContacts($listId: Int!, $contacts: [ContactInput!]!) {\n  checkContacts(listId: $listId, contacts: $contacts) {\n    valid\n    total\n    deduplicated\n    chunks\n    issues {\n      path\n      message\n    }\n  }\n}": typeof types.CheckContactsDocument,
    "mutation CreateImport($kind: ImportKind!, $listId: Int!, $idempotencyKey: String) {\n  createImport(kind: $kind, listId: $listId, idempotencyKey: $idempotencyKey) {\n    id\n    state\n  }\n}": typeof types.CreateImportDocument,
    "query Gateway {\n  gateway {\n    version\n    upstream\n    chunkSize\n    maxItemsPerMutation\n  }\n}": typeof types.GatewayDocument,
    "mutation ImportContacts($listId: Int!, $contacts: [ContactInput!]!, $idempotencyKey: String) {\n  importContacts(\n    listId: $listId\n    contacts: $contacts\n    idempotencyKey: $idempotencyKey\n  ) {\n    id\n    state\n    total\n    deduplicated\n    chunks\n  }\n}": typeof types.ImportContactsDocument,
    "subscription ImportProgress($importId: ID!) {\n  importProgress(importId: $importId) {\n    id\n    state\n    total\n    processed\n    failed\n    estimatedSecondsLeft\n    finishedAt\n  }\n}": typeof types.ImportProgressDocument,
    "query Import($id: ID!) {\n  import(id: $id) {\n    id\n    state\n    total\n    processed\n    created\n    updated\n    failed\n    skipped\n    estimatedSecondsLeft\n    errorReportUrl\n    finishedAt\n    errors(first: 100) {\n      items {\n        index\n        code\n        message\n      }\n      nextCursor\n    }\n  }\n}": typeof types.ImportDocument,
    "mutation LinkContactToDeal($contactId: ID!, $dealId: ID!) {\n  linkContactToDeal(contactId: $contactId, dealId: $dealId) {\n    action\n    contactId\n    dealId\n  }\n}": typeof types.LinkContactToDealDocument,
    "mutation LinkContactsToDeal($dealId: ID!, $contactIds: [ID!]!) {\n  linkContactsToDeal(dealId: $dealId, contactIds: $contactIds) {\n    total\n    created\n    exists\n    failed\n    deduplicated\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}": typeof types.LinkContactsToDealDocument,
    "mutation StartImport($importId: ID!) {\n  startImport(importId: $importId) {\n    id\n    state\n    total\n    chunks\n  }\n}": typeof types.StartImportDocument,
};
const documents: Documents = {
    "mutation AppendContacts($importId: ID!, $contacts: [ContactInput!]!, $idempotencyKey: String) {\n  appendContacts(\n    importId: $importId\n    contacts: $contacts\n    idempotencyKey: $idempotencyKey\n  ) {\n    id\n    state\n    total\n    deduplicated\n  }\n}": types.AppendContactsDocument,
    "mutation AssertCompanies($listId: Int!, $companies: [CompanyInput!]!) {\n  assertCompanies(listId: $listId, companies: $companies) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    chunks\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}": types.AssertCompaniesDocument,
    "mutation AssertCompany($listId: Int!, $company: CompanyInput!) {\n  assertCompany(listId: $listId, company: $company) {\n    action\n    count\n  }\n}": types.AssertCompanyDocument,
    "mutation AssertContact($listId: Int!, $contact: ContactInput!) {\n  assertContact(listId: $listId, contact: $contact) {\n    action\n    count\n  }\n}": types.AssertContactDocument,
    "mutation AssertContacts($listId: Int!, $contacts: [ContactInput!]!) {\n  assertContacts(listId: $listId, contacts: $contacts) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    chunks\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}": types.AssertContactsDocument,
    "mutation AssertDealWithLinks($deal: DealInput!, $contactIds: [ID!]) {\n  assertDeal(deal: $deal, contactIds: $contactIds) {\n    action\n    dealId\n    links {\n      action\n      contactId\n      dealId\n    }\n  }\n}": types.AssertDealWithLinksDocument,
    "mutation AssertDeal($deal: DealInput!) {\n  assertDeal(deal: $deal) {\n    action\n    dealId\n  }\n}": types.AssertDealDocument,
    "mutation AssertDeals($deals: [DealInput!]!) {\n  assertDeals(deals: $deals) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    results {\n      action\n      dealId\n    }\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}": types.AssertDealsDocument,
    "query CheckContacts($listId: Int!, $contacts: [ContactInput!]!) {\n  checkContacts(listId: $listId, contacts: $contacts) {\n    valid\n    total\n    deduplicated\n    chunks\n    issues {\n      path\n      message\n    }\n  }\n}": types.CheckContactsDocument,
    "mutation CreateImport($kind: ImportKind!, $listId: Int!, $idempotencyKey: String) {\n  createImport(kind: $kind, listId: $listId, idempotencyKey: $idempotencyKey) {\n    id\n    state\n  }\n}": types.CreateImportDocument,
    "query Gateway {\n  gateway {\n    version\n    upstream\n    chunkSize\n    maxItemsPerMutation\n  }\n}": types.GatewayDocument,
    "mutation ImportContacts($listId: Int!, $contacts: [ContactInput!]!, $idempotencyKey: String) {\n  importContacts(\n    listId: $listId\n    contacts: $contacts\n    idempotencyKey: $idempotencyKey\n  ) {\n    id\n    state\n    total\n    deduplicated\n    chunks\n  }\n}": types.ImportContactsDocument,
    "subscription ImportProgress($importId: ID!) {\n  importProgress(importId: $importId) {\n    id\n    state\n    total\n    processed\n    failed\n    estimatedSecondsLeft\n    finishedAt\n  }\n}": types.ImportProgressDocument,
    "query Import($id: ID!) {\n  import(id: $id) {\n    id\n    state\n    total\n    processed\n    created\n    updated\n    failed\n    skipped\n    estimatedSecondsLeft\n    errorReportUrl\n    finishedAt\n    errors(first: 100) {\n      items {\n        index\n        code\n        message\n      }\n      nextCursor\n    }\n  }\n}": types.ImportDocument,
    "mutation LinkContactToDeal($contactId: ID!, $dealId: ID!) {\n  linkContactToDeal(contactId: $contactId, dealId: $dealId) {\n    action\n    contactId\n    dealId\n  }\n}": types.LinkContactToDealDocument,
    "mutation LinkContactsToDeal($dealId: ID!, $contactIds: [ID!]!) {\n  linkContactsToDeal(dealId: $dealId, contactIds: $contactIds) {\n    total\n    created\n    exists\n    failed\n    deduplicated\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}": types.LinkContactsToDealDocument,
    "mutation StartImport($importId: ID!) {\n  startImport(importId: $importId) {\n    id\n    state\n    total\n    chunks\n  }\n}": types.StartImportDocument,
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
export function graphql(source: "mutation AppendContacts($importId: ID!, $contacts: [ContactInput!]!, $idempotencyKey: String) {\n  appendContacts(\n    importId: $importId\n    contacts: $contacts\n    idempotencyKey: $idempotencyKey\n  ) {\n    id\n    state\n    total\n    deduplicated\n  }\n}"): (typeof documents)["mutation AppendContacts($importId: ID!, $contacts: [ContactInput!]!, $idempotencyKey: String) {\n  appendContacts(\n    importId: $importId\n    contacts: $contacts\n    idempotencyKey: $idempotencyKey\n  ) {\n    id\n    state\n    total\n    deduplicated\n  }\n}"];
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
export function graphql(source: "mutation AssertDealWithLinks($deal: DealInput!, $contactIds: [ID!]) {\n  assertDeal(deal: $deal, contactIds: $contactIds) {\n    action\n    dealId\n    links {\n      action\n      contactId\n      dealId\n    }\n  }\n}"): (typeof documents)["mutation AssertDealWithLinks($deal: DealInput!, $contactIds: [ID!]) {\n  assertDeal(deal: $deal, contactIds: $contactIds) {\n    action\n    dealId\n    links {\n      action\n      contactId\n      dealId\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AssertDeal($deal: DealInput!) {\n  assertDeal(deal: $deal) {\n    action\n    dealId\n  }\n}"): (typeof documents)["mutation AssertDeal($deal: DealInput!) {\n  assertDeal(deal: $deal) {\n    action\n    dealId\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AssertDeals($deals: [DealInput!]!) {\n  assertDeals(deals: $deals) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    results {\n      action\n      dealId\n    }\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}"): (typeof documents)["mutation AssertDeals($deals: [DealInput!]!) {\n  assertDeals(deals: $deals) {\n    total\n    created\n    updated\n    failed\n    deduplicated\n    results {\n      action\n      dealId\n    }\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CheckContacts($listId: Int!, $contacts: [ContactInput!]!) {\n  checkContacts(listId: $listId, contacts: $contacts) {\n    valid\n    total\n    deduplicated\n    chunks\n    issues {\n      path\n      message\n    }\n  }\n}"): (typeof documents)["query CheckContacts($listId: Int!, $contacts: [ContactInput!]!) {\n  checkContacts(listId: $listId, contacts: $contacts) {\n    valid\n    total\n    deduplicated\n    chunks\n    issues {\n      path\n      message\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateImport($kind: ImportKind!, $listId: Int!, $idempotencyKey: String) {\n  createImport(kind: $kind, listId: $listId, idempotencyKey: $idempotencyKey) {\n    id\n    state\n  }\n}"): (typeof documents)["mutation CreateImport($kind: ImportKind!, $listId: Int!, $idempotencyKey: String) {\n  createImport(kind: $kind, listId: $listId, idempotencyKey: $idempotencyKey) {\n    id\n    state\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Gateway {\n  gateway {\n    version\n    upstream\n    chunkSize\n    maxItemsPerMutation\n  }\n}"): (typeof documents)["query Gateway {\n  gateway {\n    version\n    upstream\n    chunkSize\n    maxItemsPerMutation\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ImportContacts($listId: Int!, $contacts: [ContactInput!]!, $idempotencyKey: String) {\n  importContacts(\n    listId: $listId\n    contacts: $contacts\n    idempotencyKey: $idempotencyKey\n  ) {\n    id\n    state\n    total\n    deduplicated\n    chunks\n  }\n}"): (typeof documents)["mutation ImportContacts($listId: Int!, $contacts: [ContactInput!]!, $idempotencyKey: String) {\n  importContacts(\n    listId: $listId\n    contacts: $contacts\n    idempotencyKey: $idempotencyKey\n  ) {\n    id\n    state\n    total\n    deduplicated\n    chunks\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription ImportProgress($importId: ID!) {\n  importProgress(importId: $importId) {\n    id\n    state\n    total\n    processed\n    failed\n    estimatedSecondsLeft\n    finishedAt\n  }\n}"): (typeof documents)["subscription ImportProgress($importId: ID!) {\n  importProgress(importId: $importId) {\n    id\n    state\n    total\n    processed\n    failed\n    estimatedSecondsLeft\n    finishedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Import($id: ID!) {\n  import(id: $id) {\n    id\n    state\n    total\n    processed\n    created\n    updated\n    failed\n    skipped\n    estimatedSecondsLeft\n    errorReportUrl\n    finishedAt\n    errors(first: 100) {\n      items {\n        index\n        code\n        message\n      }\n      nextCursor\n    }\n  }\n}"): (typeof documents)["query Import($id: ID!) {\n  import(id: $id) {\n    id\n    state\n    total\n    processed\n    created\n    updated\n    failed\n    skipped\n    estimatedSecondsLeft\n    errorReportUrl\n    finishedAt\n    errors(first: 100) {\n      items {\n        index\n        code\n        message\n      }\n      nextCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation LinkContactToDeal($contactId: ID!, $dealId: ID!) {\n  linkContactToDeal(contactId: $contactId, dealId: $dealId) {\n    action\n    contactId\n    dealId\n  }\n}"): (typeof documents)["mutation LinkContactToDeal($contactId: ID!, $dealId: ID!) {\n  linkContactToDeal(contactId: $contactId, dealId: $dealId) {\n    action\n    contactId\n    dealId\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation LinkContactsToDeal($dealId: ID!, $contactIds: [ID!]!) {\n  linkContactsToDeal(dealId: $dealId, contactIds: $contactIds) {\n    total\n    created\n    exists\n    failed\n    deduplicated\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}"): (typeof documents)["mutation LinkContactsToDeal($dealId: ID!, $contactIds: [ID!]!) {\n  linkContactsToDeal(dealId: $dealId, contactIds: $contactIds) {\n    total\n    created\n    exists\n    failed\n    deduplicated\n    errors {\n      index\n      code\n      message\n      detail\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation StartImport($importId: ID!) {\n  startImport(importId: $importId) {\n    id\n    state\n    total\n    chunks\n  }\n}"): (typeof documents)["mutation StartImport($importId: ID!) {\n  startImport(importId: $importId) {\n    id\n    state\n    total\n    chunks\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;