'use strict';
// A conformance test of the Live API emulator with an independent client: Huawei Cloud's Node.js SDK.
// nodesdk_test.go starts the emulator and runs this script with the environment below; every case
// prints "ok - <name>" or "not ok - <name>: <why>", and the script exits 1 if any failed.
//
// There is no Live SDK on npm: Live's calls go through the core's generic client (HcClient, as built
// by ClientBuilder) with hand-built request definitions, as the generated service SDKs build theirs,
// and are signed by the core's own signer. IAM's calls are the IAM SDK's methods, or the core's own
// internal IAM calls (project and domain discovery, OIDC federation).
//
// Environment (all required unless noted):
//   CONFORMANCE_ENDPOINT                     the emulator's URL (loopback only)
//   CONFORMANCE_ACCESS_KEY, _SECRET_KEY      the test account's key
//   CONFORMANCE_PROJECT_ID, _REGION          its project, named after the region in IAM
//   CONFORMANCE_DOMAIN_ID, _DOMAIN_NAME      its account (domain)
//   CONFORMANCE_NEGATIVE_ACCESS_KEY, _SECRET_KEY  a second key of the account, for the failed
//                                            signatures (so that they never lock the first)
//   CONFORMANCE_LOCKOUT_ACCESS_KEY, _SECRET_KEY   a third key, locked on purpose
//   CONFORMANCE_OTHER_PROJECT_ID             a project of another account
//   CONFORMANCE_IDP_ID                       the OpenID Connect identity provider
//   CONFORMANCE_ID_TOKEN, _ID_TOKEN_FILE     a fresh ID token of it, and a file holding one
//   CONFORMANCE_EXPIRED_ID_TOKEN             an expired ID token of it
//   CONFORMANCE_AGENCY_NAME, _AGENCY_DOMAIN_NAME, _AGENCY_DOMAIN_ID, _AGENCY_PROJECT_ID
//                                            an agency trusting the test account's key only
//   CONFORMANCE_FEDERATED_AGENCY_NAME        an agency of the same domain trusting the identity provider
//   CONFORMANCE_USER_AGENT                   what the SDK adds to its User-Agent
//   CONFORMANCE_SDK_LOG (optional)           "1" keeps the SDK's own logging (noisy: every error)

const fs = require('fs');
const path = require('path');

const { BasicCredentials, GlobalCredentials, Region } = require('@huaweicloud/huaweicloud-sdk-core');
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');
const { DefaultHttpClient } = require('@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient');
const { Logger4jInstance } = require('@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger');
// The package's main module cannot load in 3.1.172 (its v5/public-api.js requires
// "./GlobalCredentials,BasicCredentials"): its v3 API is loaded directly.
const iam = require('@huaweicloud/huaweicloud-sdk-iam/v3/public-api');

// The SDK's own moment (its signer dates requests with it): a client clock skew is rehearsed with it.
const moment = require(require.resolve('moment', { paths: [path.dirname(require.resolve('@huaweicloud/huaweicloud-sdk-core'))] }));

function env(name) {
    const value = process.env[name];
    if (!value) {
        console.log(`not ok - environment: ${name} is not set`);
        process.exit(1);
    }
    return value;
}

const ENDPOINT = env('CONFORMANCE_ENDPOINT').replace(/\/$/, '');
const AK = env('CONFORMANCE_ACCESS_KEY');
const SK = env('CONFORMANCE_SECRET_KEY');
const PROJECT_ID = env('CONFORMANCE_PROJECT_ID');
const REGION = env('CONFORMANCE_REGION');
const DOMAIN_ID = env('CONFORMANCE_DOMAIN_ID');
const DOMAIN_NAME = env('CONFORMANCE_DOMAIN_NAME');
const NEGATIVE_AK = env('CONFORMANCE_NEGATIVE_ACCESS_KEY');
const NEGATIVE_SK = env('CONFORMANCE_NEGATIVE_SECRET_KEY');
const LOCKOUT_AK = env('CONFORMANCE_LOCKOUT_ACCESS_KEY');
const LOCKOUT_SK = env('CONFORMANCE_LOCKOUT_SECRET_KEY');
const OTHER_PROJECT_ID = env('CONFORMANCE_OTHER_PROJECT_ID');
const IDP_ID = env('CONFORMANCE_IDP_ID');
const ID_TOKEN = env('CONFORMANCE_ID_TOKEN');
const ID_TOKEN_FILE = env('CONFORMANCE_ID_TOKEN_FILE');
const EXPIRED_ID_TOKEN = env('CONFORMANCE_EXPIRED_ID_TOKEN');
const AGENCY_NAME = env('CONFORMANCE_AGENCY_NAME');
const AGENCY_DOMAIN_NAME = env('CONFORMANCE_AGENCY_DOMAIN_NAME');
const AGENCY_DOMAIN_ID = env('CONFORMANCE_AGENCY_DOMAIN_ID');
const AGENCY_PROJECT_ID = env('CONFORMANCE_AGENCY_PROJECT_ID');
const FEDERATED_AGENCY_NAME = env('CONFORMANCE_FEDERATED_AGENCY_NAME');
const USER_AGENT = env('CONFORMANCE_USER_AGENT');

// The gateway's messages, word for word.
const SIGNATURE_FAILED = 'Incorrect IAM authentication information: verify aksk signature fail';
const TOKEN_FAILED = 'Incorrect IAM authentication information: decrypt token fail';
const LOCKED = 'Incorrect IAM authentication information: AK access failed to reach the limit,forbidden';
const unknownKey = (ak) => `Incorrect IAM authentication information: Get secretKey failed,ak:${ak},err:ak not exist`;

if (process.env.CONFORMANCE_SDK_LOG !== '1') {
    Logger4jInstance.level = 'off'; // the SDK logs every error answer, signed headers included
}

// ---------------------------------------------------------------------------------------------
// The wire tap: every axios instance the SDK makes (its service clients and the internal IAM
// clients alike) records each exchange, as sent and as answered, and refuses any host but
// loopback, so that no default endpoint of the real cloud is ever asked.

const exchanges = [];
const addInterceptors = DefaultHttpClient.prototype.addInterceptorsToAxiosInstance;
DefaultHttpClient.prototype.addInterceptorsToAxiosInstance = function (axiosInstance) {
    addInterceptors.call(this, axiosInstance);
    axiosInstance.interceptors.request.use((config) => {
        const url = new URL(config.url, config.baseURL);
        if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
            throw new Error(`conformance.js: refusing a request to ${url.origin}, which is not the emulator`);
        }
        return config;
    });
    const record = (config, response) => {
        const url = new URL(config.url, config.baseURL);
        for (const [name, value] of Object.entries(config.params || {})) {
            url.searchParams.set(name, value);
        }
        const headers = {};
        for (const [name, value] of Object.entries((config.headers && config.headers.toJSON) ? config.headers.toJSON() : (config.headers || {}))) {
            headers[name.toLowerCase()] = value;
        }
        exchanges.push({
            method: (config.method || '').toUpperCase(), path: url.pathname, query: url.search, requestHeaders: headers,
            requestBody: config.data, status: response && response.status, headers: (response && response.headers) || {},
            body: response && response.data,
        });
    };
    axiosInstance.interceptors.response.use((response) => {
        record(response.config, response);
        return response;
    }, (error) => {
        if (error && error.config) {
            record(error.config, error.response);
        }
        return Promise.reject(error);
    });
};

const last = () => exchanges[exchanges.length - 1];

// ---------------------------------------------------------------------------------------------
// Clients.

// A Live client: the core's generic client, with the project ID given or discovered from IAM.
function liveClient(credentials, { region } = {}) {
    const builder = new ClientBuilder((hcClient) => hcClient).withCredential(credentials).withOptions({ customUserAgent: USER_AGENT });
    if (region) {
        builder.withRegion(new Region(region, ENDPOINT));
    } else {
        builder.withEndpoint(ENDPOINT);
    }
    return builder.build();
}

function basic(ak, sk, { projectId = PROJECT_ID, securityToken } = {}) {
    const credentials = new BasicCredentials().withAk(ak).withSk(sk).withIamEndpoint(ENDPOINT);
    if (projectId) {
        credentials.withProjectId(projectId);
    }
    if (securityToken) {
        credentials.withSecurityToken(securityToken);
    }
    return credentials;
}

// An IAM client of the IAM SDK, signing with the credentials given.
function iamClient(credentials, { region } = {}) {
    const builder = iam.IamClient.newBuilder().withCredential(credentials).withOptions({ customUserAgent: USER_AGENT });
    if (region) {
        builder.withRegion(new Region(region, ENDPOINT));
    } else {
        builder.withEndpoint(ENDPOINT);
    }
    return builder.build();
}

function global(ak, sk, { domainId, securityToken } = {}) {
    const credentials = new GlobalCredentials().withAk(ak).withSk(sk).withIamEndpoint(ENDPOINT);
    if (domainId) {
        credentials.withDomainId(domainId);
    }
    if (securityToken) {
        credentials.withSecurityToken(securityToken);
    }
    return credentials;
}

// An IAM client that signs nothing, for the calls that a token or an ID token authenticates: the
// builder wants credentials, which the client then drops, as the core's own IamService does for
// federation (an AK/SK signature would overwrite Authorization: Bearer).
function anonymousIamClient() {
    const client = iamClient(global('unused', 'unused'));
    client.hcClient.withCredential(undefined);
    return client;
}

// Live's operations, as the service SDKs define their requests.
const CALLBACKS = '/v1/{project_id}/record/callbacks';
const live = {
    create: (client, body) => client.sendRequest({ method: 'POST', url: CALLBACKS, contentType: 'application/json', queryParams: {}, pathParams: {}, headers: {}, data: body }),
    show: (client, id) => client.sendRequest({ method: 'GET', url: `${CALLBACKS}/{id}`, contentType: 'application/json', queryParams: {}, pathParams: { id }, headers: {} }),
    list: (client, query = {}) => client.sendRequest({ method: 'GET', url: CALLBACKS, contentType: 'application/json', queryParams: query, pathParams: {}, headers: {} }),
    update: (client, id, body) => client.sendRequest({ method: 'PUT', url: `${CALLBACKS}/{id}`, contentType: 'application/json', queryParams: {}, pathParams: { id }, headers: {}, data: body }),
    delete: (client, id) => client.sendRequest({ method: 'DELETE', url: `${CALLBACKS}/{id}`, contentType: 'application/json', queryParams: {}, pathParams: { id }, headers: {}, data: {} }),
};

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD'; // 40 letters and digits
function spec(publishDomain, app, overrides = {}) {
    return Object.assign({
        publish_domain: publishDomain, app, notify_callback_url: 'https://cb.example.com/notify',
        notify_event_subscription: ['RECORD_FILE_COMPLETE', 'RECORD_FAILED'], sign_type: 'HMACSHA256', key: KEY,
    }, overrides);
}

// ---------------------------------------------------------------------------------------------
// Assertions.

class Failure extends Error {}
function check(condition, message) {
    if (!condition) {
        throw new Failure(message);
    }
}
const show = (v) => JSON.stringify(v);
// need names what an earlier case made for this one: when that case failed, this one says so.
function need(key, what) {
    check(state[key], `not run: it needs ${what}, which failed`);
    return state[key];
}

const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\d+-\S+$/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

// expectStatus checks the last exchange's status and its X-Request-Id.
function expectStatus(status) {
    const x = last();
    check(x && x.status === status, `answered ${x && x.status} ${show(x && x.body)}, want ${status}`);
    check(REQUEST_ID.test(x.headers['x-request-id'] || ''), `X-Request-Id ${show(x.headers['x-request-id'])} is not <uuid>-<timestamp>-<hostname>`);
    return x;
}

// expectError awaits a call that must fail with the SDK's exception for status and code (and
// message, when given), and checks the answer's shape: the gateway's and Live's
// {error_code, error_msg, request_id}, or IAM's {error: {code, message, title}, request_id}; its
// request_id is X-Request-Id, which the SDK reports as the exception's requestId.
async function expectError(call, { status, code, message, iamShape = false }) {
    let error;
    try {
        const answer = await call();
        throw new Failure(`succeeded (${answer && answer.httpStatusCode}): ${show(answer)}`);
    } catch (e) {
        if (e instanceof Failure) {
            throw e;
        }
        error = e;
    }
    check(error && error.httpStatusCode === status, `the SDK reports ${error && error.name} ${error && error.httpStatusCode} ${error && error.errorCode}: ` +
        `${error && (error.errorMsg || error.message)}; want ${status}`);
    check(error.errorCode === code, `error code ${show(error.errorCode)}, want ${code} (message ${show(error.errorMsg)})`);
    if (message !== undefined) {
        check(typeof message === 'string' ? error.errorMsg === message : message.test(error.errorMsg || ''), `error message ${show(error.errorMsg)}, want ${show(String(message))}`);
    }
    const x = expectStatus(status);
    const body = x.body || {};
    check(body.request_id === x.headers['x-request-id'], `body request_id ${show(body.request_id)} is not X-Request-Id ${show(x.headers['x-request-id'])}`);
    check(error.requestId === body.request_id, `the SDK reports request id ${show(error.requestId)}, the body says ${show(body.request_id)}`);
    if (iamShape) {
        check(body.error && body.error.code === code && typeof body.error.message === 'string' && typeof body.error.title === 'string',
            `not IAM's error shape: ${show(body)}`);
    } else {
        check(body.error_code === code && body.error_msg === error.errorMsg, `not the gateway's error shape: ${show(body)}`);
    }
    return error;
}

function expectCallback(got, want, what) {
    for (const field of ['publish_domain', 'app', 'notify_callback_url', 'sign_type']) {
        check(got[field] === want[field], `${what}: ${field} ${show(got[field])}, want ${show(want[field])}`);
    }
    check(show(got.notify_event_subscription) === show(want.notify_event_subscription),
        `${what}: notify_event_subscription ${show(got.notify_event_subscription)}, want ${show(want.notify_event_subscription)}`);
    check(typeof got.id === 'string' && got.id !== '', `${what}: no id`);
    check(TIME.test(got.create_time) && TIME.test(got.update_time), `${what}: create_time ${show(got.create_time)}, update_time ${show(got.update_time)}`);
    check(!('key' in got), `${what}: the answer carries key`);
}

// ---------------------------------------------------------------------------------------------
// The cases.

const cases = [];
const test = (name, fn) => cases.push({ name, fn });
const state = {};

const client = liveClient(basic(AK, SK));

test('live: create (POST /v1/{project_id}/record/callbacks) answers 201 without key', async () => {
    const want = spec('play.nodesdk.example.com', 'live');
    const answer = await live.create(client, want);
    check(answer.httpStatusCode === 201, `status ${answer.httpStatusCode}`);
    expectStatus(201);
    check(last().path === `/v1/${PROJECT_ID}/record/callbacks`, `path ${last().path}`);
    check(last().requestHeaders['x-project-id'] === PROJECT_ID, `X-Project-Id ${show(last().requestHeaders['x-project-id'])}`);
    expectCallback(answer, want, 'create');
    state.id = answer.id;
    state.created = answer;
});

test('live: show (GET .../{id}) answers 200 with what create answered', async () => {
    const id = need('id', 'the create case');
    const answer = await live.show(client, id);
    expectStatus(200);
    expectCallback(answer, spec('play.nodesdk.example.com', 'live'), 'show');
    check(answer.id === id && answer.create_time === state.created.create_time, `show ${show(answer)}, create ${show(state.created)}`);
});

test('live: list with publish_domain, app, offset and limit (app "*" also matches)', async () => {
    const wildcard = await live.create(client, spec('play.nodesdk.example.com', '*', { sign_type: 'MD5', notify_event_subscription: ['RECORD_OVER'] }));
    state.wildcardId = wildcard.id;
    await live.create(client, spec('other.nodesdk.example.com', 'live'));
    const answer = await live.list(client, { publish_domain: 'play.nodesdk.example.com', app: 'live', offset: 0, limit: 10 });
    expectStatus(200);
    check(last().query.includes('publish_domain=play.nodesdk.example.com') && last().query.includes('limit=10'), `query ${last().query}`);
    check(answer.total === 2 && Array.isArray(answer.callback_config) && answer.callback_config.length === 2, `list ${show(answer)}`);
    const ids = answer.callback_config.map((c) => c.id).sort();
    check(show(ids) === show([state.id, wildcard.id].sort()), `ids ${show(ids)}`);
    check(answer.callback_config.every((c) => !('key' in c)), 'an item carries key');
    const page = await live.list(client, { publish_domain: 'play.nodesdk.example.com', offset: 1, limit: 1 });
    check(page.total === 2 && page.callback_config.length === 1, `offset 1 limit 1: ${show(page)}`);
});

test('live: list by app "*" (a query value the signer escapes)', async () => {
    const wildcardId = need('wildcardId', 'the list case');
    const answer = await live.list(client, { app: '*' });
    expectStatus(200);
    check(answer.total === 1 && answer.callback_config[0].id === wildcardId, `list ${show(answer)}`);
});

test('live: update (PUT .../{id}) answers 200 with the full replacement', async () => {
    const want = spec('play.nodesdk.example.com', 'live', { notify_callback_url: 'http://cb2.example.com/n', sign_type: 'MD5', notify_event_subscription: ['RECORD_NEW_FILE_START'] });
    const answer = await live.update(client, need('id', 'the create case'), want);
    check(answer.httpStatusCode === 200, `status ${answer.httpStatusCode}`);
    expectStatus(200);
    expectCallback(answer, want, 'update');
    check(answer.id === state.id && answer.create_time === state.created.create_time, `update ${show(answer)}`);
});

test('live: a duplicate create answers 400 LIVE.103011018', async () => {
    await expectError(() => live.create(client, spec('play.nodesdk.example.com', 'live')), { status: 400, code: 'LIVE.103011018' });
});

test('live: show of an unknown id answers 404 LIVE.103011019', async () => {
    await expectError(() => live.show(client, 'no-such-callback-id'), { status: 404, code: 'LIVE.103011019' });
});

test('live: delete (DELETE .../{id}) answers 204, then show answers 404', async () => {
    const id = need('id', 'the create case');
    const answer = await live.delete(client, id);
    check(answer.httpStatusCode === 204, `status ${answer.httpStatusCode}`);
    expectStatus(204);
    check(last().requestBody === undefined || last().requestBody === '', `DELETE sent a body ${show(last().requestBody)}`);
    await expectError(() => live.show(client, id), { status: 404, code: 'LIVE.103011019' });
});

test("live: another account's project answers 401 LIVE.100011015", async () => {
    const other = liveClient(basic(AK, SK, { projectId: OTHER_PROJECT_ID }));
    await expectError(() => live.list(other), { status: 401, code: 'LIVE.100011015' });
    check(last().path === `/v1/${OTHER_PROJECT_ID}/record/callbacks`, `path ${last().path}`);
});

test('iam: project discovery by the core (GET /v3/projects?name=<region> with a {} body) for a Live client', async () => {
    const discovering = liveClient(basic(AK, SK, { projectId: null }), { region: REGION });
    const from = exchanges.length;
    const answer = await live.list(discovering);
    check(answer.httpStatusCode === 200, `list ${answer.httpStatusCode}`);
    const discovery = exchanges.slice(from).find((x) => x.path === '/v3/projects');
    check(discovery, `no GET /v3/projects among ${show(exchanges.slice(from).map((x) => x.method + ' ' + x.path))}`);
    check(discovery.method === 'GET' && discovery.query === `?name=${REGION}` && discovery.status === 200, `discovery ${discovery.method} ${discovery.query} ${discovery.status}`);
    check(discovery.requestBody === '{}', `the discovery sent the body ${show(discovery.requestBody)}, not {}`);
    check(last().path === `/v1/${PROJECT_ID}/record/callbacks`, `then asked ${last().path}`);
});

test('iam: domain discovery by the core (GET /v3/auth/domains with a {} body), then keystoneListAuthDomains', async () => {
    const discovering = iamClient(global(AK, SK), { region: REGION });
    const from = exchanges.length;
    const answer = await discovering.keystoneListAuthDomains(new iam.KeystoneListAuthDomainsRequest());
    const domains = exchanges.slice(from).filter((x) => x.path === '/v3/auth/domains');
    check(domains.length === 2, `GET /v3/auth/domains ${domains.length} times, want the discovery and the call`);
    check(domains[0].requestBody === '{}' && domains[0].status === 200, `the discovery sent ${show(domains[0].requestBody)}, answered ${domains[0].status}`);
    check(domains[1].status === 200 && domains[1].requestHeaders['x-domain-id'] === DOMAIN_ID, `the call: ${domains[1].status}, X-Domain-Id ${show(domains[1].requestHeaders['x-domain-id'])}`);
    check(answer.domains && answer.domains.length === 1 && answer.domains[0].id === DOMAIN_ID && answer.domains[0].name === DOMAIN_NAME, `domains ${show(answer.domains)}`);
});

test('iam: keystoneListProjects (GET /v3/projects?name=<region>) of the IAM SDK', async () => {
    const answer = await iamClient(global(AK, SK, { domainId: DOMAIN_ID })).keystoneListProjects(new iam.KeystoneListProjectsRequest().withName(REGION));
    expectStatus(200);
    check(answer.projects && answer.projects.length === 1 && answer.projects[0].id === PROJECT_ID && answer.projects[0].name === REGION, `projects ${show(answer.projects)}`);
});

// Failed signatures, with the account's second key: five in a row, then a good one. (More than five
// in a row would lock the key.)
const wrong = NEGATIVE_SK + 'x';

test('gateway: a wrong secret key on Live answers 401 APIGW.0301 "verify aksk signature fail"', async () => {
    await expectError(() => live.list(liveClient(basic(NEGATIVE_AK, wrong))), { status: 401, code: 'APIGW.0301', message: SIGNATURE_FAILED });
});

test('gateway: a wrong secret key on IAM GET /v3/projects answers 401 APIGW.0301', async () => {
    await expectError(() => iamClient(global(NEGATIVE_AK, wrong, { domainId: DOMAIN_ID })).keystoneListProjects(new iam.KeystoneListProjectsRequest().withName(REGION)),
        { status: 401, code: 'APIGW.0301', message: SIGNATURE_FAILED });
});

test('gateway: a wrong secret key on IAM GET /v3/auth/domains answers 401 APIGW.0301', async () => {
    await expectError(() => iamClient(global(NEGATIVE_AK, wrong, { domainId: DOMAIN_ID })).keystoneListAuthDomains(new iam.KeystoneListAuthDomainsRequest()),
        { status: 401, code: 'APIGW.0301', message: SIGNATURE_FAILED });
});

function agencyRequest(agencyName, { domainName, domainId } = {}) {
    const role = new iam.IdentityAssumerole(agencyName).withDurationSeconds(900);
    if (domainName) {
        role.withDomainName(domainName);
    }
    if (domainId) {
        role.withDomainId(domainId);
    }
    return new iam.CreateTemporaryAccessKeyByAgencyRequest().withBody(new iam.CreateTemporaryAccessKeyByAgencyRequestBody(
        new iam.AgencyAuth(new iam.AgencyAuthIdentity(['assume_role'], role))));
}

test('gateway: a wrong secret key on IAM POST /v3.0/OS-CREDENTIAL/securitytokens (assume_role) answers 401 APIGW.0301', async () => {
    await expectError(() => iamClient(global(NEGATIVE_AK, wrong)).createTemporaryAccessKeyByAgency(agencyRequest(AGENCY_NAME, { domainName: AGENCY_DOMAIN_NAME })),
        { status: 401, code: 'APIGW.0301', message: SIGNATURE_FAILED });
});

test('gateway: X-Sdk-Date 20 minutes behind answers 401 APIGW.0301 "verify aksk signature fail"', async () => {
    const now = moment.now;
    moment.now = () => Date.now() - 20 * 60 * 1000; // the client's clock, 20 minutes slow
    try {
        await expectError(() => live.list(liveClient(basic(NEGATIVE_AK, NEGATIVE_SK))), { status: 401, code: 'APIGW.0301', message: SIGNATURE_FAILED });
    } finally {
        moment.now = now;
    }
    const date = last().requestHeaders['x-sdk-date'];
    check(/^\d{8}T\d{6}Z$/.test(date || ''), `X-Sdk-Date ${show(date)}`);
});

test('gateway: five failed signatures in a row do not lock the key: a good one is accepted', async () => {
    const answer = await live.list(liveClient(basic(NEGATIVE_AK, NEGATIVE_SK)));
    check(answer.httpStatusCode === 200, `status ${answer.httpStatusCode}`);
    expectStatus(200);
});

test('gateway: more than five failed signatures lock the key: then a good signature answers "AK access failed to reach the limit,forbidden"', async () => {
    const bad = liveClient(basic(LOCKOUT_AK, LOCKOUT_SK + 'x'));
    for (let i = 1; i <= 6; i++) {
        await expectError(() => live.list(bad), { status: 401, code: 'APIGW.0301', message: SIGNATURE_FAILED });
    }
    await expectError(() => live.list(liveClient(basic(LOCKOUT_AK, LOCKOUT_SK))), { status: 401, code: 'APIGW.0301', message: LOCKED });
    await expectError(() => iamClient(global(LOCKOUT_AK, LOCKOUT_SK, { domainId: DOMAIN_ID })).keystoneListProjects(new iam.KeystoneListProjectsRequest().withName(REGION)),
        { status: 401, code: 'APIGW.0301', message: LOCKED });
});

test('gateway: an unknown access key answers 401 APIGW.0301 "Get secretKey failed" on Live and IAM', async () => {
    const ak = 'NODESDKUNKNOWNKEY';
    await expectError(() => live.list(liveClient(basic(ak, SK))), { status: 401, code: 'APIGW.0301', message: unknownKey(ak) });
    const unknown = iamClient(global(ak, SK, { domainId: DOMAIN_ID }));
    await expectError(() => unknown.keystoneListProjects(new iam.KeystoneListProjectsRequest().withName(REGION)), { status: 401, code: 'APIGW.0301', message: unknownKey(ak) });
    await expectError(() => unknown.keystoneListAuthDomains(new iam.KeystoneListAuthDomainsRequest()), { status: 401, code: 'APIGW.0301', message: unknownKey(ak) });
    await expectError(() => unknown.createTemporaryAccessKeyByAgency(agencyRequest(AGENCY_NAME, { domainName: AGENCY_DOMAIN_NAME })),
        { status: 401, code: 'APIGW.0301', message: unknownKey(ak) });
});

// OpenID Connect federation, with the IAM SDK's own methods.

const anonymous = anonymousIamClient();

function tokenByIdTokenRequest(idToken) {
    return new iam.CreateTokenWithIdTokenRequest(IDP_ID).withBody(new iam.GetIdTokenRequestBody(new iam.GetIdTokenAuthParams(new iam.GetIdTokenIdTokenBody(idToken))));
}

test('oidc: createTokenWithIdToken (POST /v3.0/OS-AUTH/id-token/tokens, X-Idp-Id) answers 201 with X-Subject-Token', async () => {
    const answer = await anonymous.createTokenWithIdToken(tokenByIdTokenRequest(ID_TOKEN));
    check(answer.httpStatusCode === 201, `status ${answer.httpStatusCode}`);
    expectStatus(201);
    check(last().requestHeaders['x-idp-id'] === IDP_ID && !last().requestHeaders.authorization, `sent X-Idp-Id ${show(last().requestHeaders['x-idp-id'])}`);
    check(typeof answer['X-Subject-Token'] === 'string' && answer['X-Subject-Token'] !== '', `no X-Subject-Token: ${show(answer)}`);
    check(answer.token && answer.token.user && answer.token.user.domain && answer.token.user.domain.id === DOMAIN_ID, `token ${show(answer.token)}`);
    state.token = answer['X-Subject-Token'];
});

test('oidc: createUnscopedTokenWithIdToken (POST /v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/oidc/auth, Bearer) answers 201 with X-Subject-Token', async () => {
    const answer = await anonymous.createUnscopedTokenWithIdToken(new iam.CreateUnscopedTokenWithIdTokenRequest(IDP_ID, 'oidc', `Bearer ${ID_TOKEN}`));
    check(answer.httpStatusCode === 201, `status ${answer.httpStatusCode}`);
    expectStatus(201);
    check(last().path === `/v3/OS-FEDERATION/identity_providers/${IDP_ID}/protocols/oidc/auth`, `path ${last().path}`);
    check(typeof answer['X-Subject-Token'] === 'string' && answer['X-Subject-Token'] !== '', `no X-Subject-Token: ${show(answer)}`);
    state.bearerToken = answer['X-Subject-Token'];
});

test("oidc: an expired ID token answers 401 IAM.1002 in IAM's error shape", async () => {
    await expectError(() => anonymous.createTokenWithIdToken(tokenByIdTokenRequest(EXPIRED_ID_TOKEN)), { status: 401, code: 'IAM.1002', message: /expired/, iamShape: true });
});

function tokenRequest(token) {
    const identityToken = new iam.IdentityToken().withDurationSeconds(900);
    if (token) {
        identityToken.withId(token);
    }
    return new iam.CreateTemporaryAccessKeyByTokenRequest().withBody(new iam.CreateTemporaryAccessKeyByTokenRequestBody(
        new iam.TokenAuth(new iam.TokenAuthIdentity(['token']).withToken(identityToken))));
}

test('oidc: createTemporaryAccessKeyByToken (methods ["token"], token.id) answers 201 with temporary AK/SK and security token', async () => {
    const answer = await anonymous.createTemporaryAccessKeyByToken(tokenRequest(need('token', 'the createTokenWithIdToken case')));
    check(answer.httpStatusCode === 201, `status ${answer.httpStatusCode}`);
    expectStatus(201);
    const c = answer.credential || {};
    check(c.access && c.secret && c.securitytoken && c.expires_at, `credential ${show(Object.keys(c))}`);
    check(!Number.isNaN(Date.parse(c.expires_at)) && Date.parse(c.expires_at) > Date.now(), `expires_at ${c.expires_at}`);
    state.federated = c;
    // The token from the Bearer route is as good.
    const other = await anonymous.createTemporaryAccessKeyByToken(tokenRequest(need('bearerToken', 'the createUnscopedTokenWithIdToken case')));
    check(other.credential && other.credential.access && other.credential.access !== c.access, `the Bearer route's token: ${show(other)}`);
});

test('oidc: the temporary credentials work on Live, signed with X-Security-Token', async () => {
    const c = need('federated', 'the createTemporaryAccessKeyByToken case');
    const federated = liveClient(basic(c.access, c.secret, { securityToken: c.securitytoken }));
    const created = await live.create(federated, spec('federated.nodesdk.example.com', 'live'));
    check(created.httpStatusCode === 201, `create ${created.httpStatusCode}`);
    check(last().requestHeaders['x-security-token'] === c.securitytoken, 'X-Security-Token was not sent');
    const listed = await live.list(federated, { publish_domain: 'federated.nodesdk.example.com' });
    check(listed.total === 1 && listed.callback_config[0].id === created.id, `list ${show(listed)}`);
});

test('gateway: a wrong security token answers 401 APIGW.0301 "decrypt token fail" on Live and IAM', async () => {
    const c = need('federated', 'the createTemporaryAccessKeyByToken case');
    await expectError(() => live.list(liveClient(basic(c.access, c.secret, { securityToken: c.securitytoken + 'x' }))),
        { status: 401, code: 'APIGW.0301', message: TOKEN_FAILED });
    await expectError(() => iamClient(global(c.access, c.secret, { domainId: DOMAIN_ID, securityToken: c.securitytoken + 'x' })).keystoneListProjects(new iam.KeystoneListProjectsRequest().withName(REGION)),
        { status: 401, code: 'APIGW.0301', message: TOKEN_FAILED });
});

test('gateway: temporary credentials without their security token answer 401 APIGW.0301 "decrypt token fail"', async () => {
    const c = need('federated', 'the createTemporaryAccessKeyByToken case');
    await expectError(() => live.list(liveClient(basic(c.access, c.secret))), { status: 401, code: 'APIGW.0301', message: TOKEN_FAILED });
});

test('gateway: an invalid token for temporary credentials answers 401 APIGW.0301 "decrypt token fail"', async () => {
    await expectError(() => anonymous.createTemporaryAccessKeyByToken(tokenRequest('not-a-token-IAM-issued')), { status: 401, code: 'APIGW.0301', message: TOKEN_FAILED });
});

test("oidc: the core's own federation (BasicCredentials with idpId and idTokenFile) works on Live", async () => {
    const credentials = new BasicCredentials().withIdpId(IDP_ID).withIdTokenFile(ID_TOKEN_FILE).withIamEndpoint(ENDPOINT).withProjectId(PROJECT_ID);
    const from = exchanges.length;
    const answer = await live.list(liveClient(credentials), { publish_domain: 'federated.nodesdk.example.com' });
    check(answer.httpStatusCode === 200 && answer.total === 1, `list ${show(answer)}`);
    const seen = exchanges.slice(from);
    const auth = seen.find((x) => x.path === `/v3/OS-FEDERATION/identity_providers/${IDP_ID}/protocols/oidc/auth`);
    const issue = seen.find((x) => x.path === '/v3.0/OS-CREDENTIAL/securitytokens');
    check(auth && auth.status === 201 && /^Bearer /.test(auth.requestHeaders.authorization || ''), `the OIDC auth: ${show(auth && [auth.status, auth.requestHeaders.authorization && auth.requestHeaders.authorization.slice(0, 7)])}`);
    check(issue && issue.status === 201 && issue.requestHeaders['x-auth-token'], `the security token request: ${show(issue && [issue.status, Object.keys(issue.requestHeaders)])}`);
    check(last().requestHeaders['x-security-token'], 'the Live request has no X-Security-Token');
});

// Agencies.

test('agency: createTemporaryAccessKeyByAgency (methods ["assume_role"], signed with AK/SK) answers 201; the credentials work in the agency\'s project', async () => {
    const answer = await iamClient(global(AK, SK, { domainId: DOMAIN_ID })).createTemporaryAccessKeyByAgency(agencyRequest(AGENCY_NAME, { domainName: AGENCY_DOMAIN_NAME }));
    check(answer.httpStatusCode === 201, `status ${answer.httpStatusCode}`);
    expectStatus(201);
    const c = answer.credential || {};
    check(c.access && c.secret && c.securitytoken, `credential ${show(Object.keys(c))}`);
    const agency = liveClient(basic(c.access, c.secret, { projectId: AGENCY_PROJECT_ID, securityToken: c.securitytoken }));
    const created = await live.create(agency, spec('agency.nodesdk.example.com', 'live'));
    check(created.httpStatusCode === 201 && last().path === `/v1/${AGENCY_PROJECT_ID}/record/callbacks`, `create ${created.httpStatusCode} at ${last().path}`);
    state.agency = c;
});

test("agency: its credentials are refused in the account's own project with 401 LIVE.100011015", async () => {
    const c = need('agency', 'the createTemporaryAccessKeyByAgency case');
    await expectError(() => live.list(liveClient(basic(c.access, c.secret, { projectId: PROJECT_ID, securityToken: c.securitytoken }))), { status: 401, code: 'LIVE.100011015' });
});

test('agency: assume_role by domain_id, with the project discovered by the core for the agency\'s credentials', async () => {
    const answer = await iamClient(global(AK, SK, { domainId: DOMAIN_ID })).createTemporaryAccessKeyByAgency(agencyRequest(AGENCY_NAME, { domainId: AGENCY_DOMAIN_ID }));
    const c = answer.credential || {};
    const discovering = liveClient(basic(c.access, c.secret, { projectId: null, securityToken: c.securitytoken }), { region: REGION });
    const listed = await live.list(discovering, { publish_domain: 'agency.nodesdk.example.com' });
    check(listed.total === 1 && last().path === `/v1/${AGENCY_PROJECT_ID}/record/callbacks`, `list ${show(listed)} at ${last().path}`);
});

test('agency: one that does not trust federated users answers 403 IAM.0002 to their temporary credentials', async () => {
    const c = need('federated', 'the createTemporaryAccessKeyByToken case');
    const federatedIam = iamClient(global(c.access, c.secret, { securityToken: c.securitytoken }));
    await expectError(() => federatedIam.createTemporaryAccessKeyByAgency(agencyRequest(AGENCY_NAME, { domainName: AGENCY_DOMAIN_NAME })),
        { status: 403, code: 'IAM.0002', message: new RegExp(`"${AGENCY_NAME}"`), iamShape: true });
});

test('agency: one trusting the identity provider lets federated temporary credentials assume it, and work on Live', async () => {
    const c = need('federated', 'the createTemporaryAccessKeyByToken case');
    const federatedIam = iamClient(global(c.access, c.secret, { securityToken: c.securitytoken }));
    const answer = await federatedIam.createTemporaryAccessKeyByAgency(agencyRequest(FEDERATED_AGENCY_NAME, { domainName: AGENCY_DOMAIN_NAME }));
    check(answer.httpStatusCode === 201, `status ${answer.httpStatusCode}`);
    check(last().requestHeaders['x-security-token'] === c.securitytoken, 'the assume_role request has no X-Security-Token');
    const a = answer.credential || {};
    const listed = await live.list(liveClient(basic(a.access, a.secret, { projectId: AGENCY_PROJECT_ID, securityToken: a.securitytoken })),
        { publish_domain: 'agency.nodesdk.example.com' });
    check(listed.total === 1, `list ${show(listed)}`);
});

// Last, over everything the SDK received.
test('every answer carried X-Request-Id (<uuid>-<timestamp>-<hostname>), and every error body request_id equal to it', async () => {
    check(exchanges.length > 0, 'no exchange recorded');
    for (const x of exchanges) {
        const where = `${x.method} ${x.path} (${x.status})`;
        check(x.status !== undefined, `${where}: no answer`);
        check(REQUEST_ID.test(x.headers['x-request-id'] || ''), `${where}: X-Request-Id ${show(x.headers['x-request-id'])}`);
        if (x.status >= 400) {
            check(x.body && x.body.request_id === x.headers['x-request-id'], `${where}: body request_id ${show(x.body && x.body.request_id)}`);
        }
    }
    const ids = new Set(exchanges.map((x) => x.headers['x-request-id']));
    check(ids.size === exchanges.length, `${exchanges.length} answers but ${ids.size} distinct request IDs`);
});

async function main() {
    let failed = 0;
    for (const { name, fn } of cases) {
        try {
            await fn();
            console.log(`ok - ${name}`);
        } catch (e) {
            failed++;
            const why = e instanceof Failure ? e.message
                : `${e && e.name}: ${e && (e.errorMsg || e.message)}${e && e.httpStatusCode ? ` (HTTP ${e.httpStatusCode} ${e.errorCode})` : ''}`;
            console.log(`not ok - ${name}: ${why}`);
        }
    }
    console.log(`# summary: ${cases.length - failed} of ${cases.length} cases passed, over ${exchanges.length} requests to ${ENDPOINT}`);
    process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((e) => {
    console.log(`not ok - conformance.js: ${e && e.stack}`);
    process.exitCode = 1;
});
