// The MLflow front door beyond the recorded traffic: MLflow's request decoding and its refusals,
// idempotent creates by header, and authentication (Bearer, Basic, scoped tokens), in-process.
import { beforeAll, describe, expect, it } from 'vitest';
import { type TokenSpec, createApiToken } from '../../src/auth/tokens.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { type MlflowClient, mlflowClient } from '../support/mlflow.ts';

const API = '/api/2.0/mlflow';
const MISSING_NAME = "Missing value for required parameter 'name'. See the API docs for more information about request parameters.";

describeEachDatabase('MLflow front door', (ctx) => {
  let client: MlflowClient;
  beforeAll(async () => {
    client = mlflowClient(ctx.db);
    expect((await client.call({ method: 'POST', path: `${API}/registered-models/create`, body: { name: 'm' } })).status).toBe(200);
    const created = await client.call({ method: 'POST', path: `${API}/model-versions/create`, body: { name: 'm', source: 's3://b/1' } });
    expect(created.json.model_version.version).toBe('1');
  });

  describe('decoding, as MLflow decodes', () => {
    it('refuses a POST that is not application/json, and accepts a charset parameter', async () => {
      const refused = await client.call({ method: 'POST', path: `${API}/registered-models/create`, body: '{"name":"x"}' });
      expect(refused).toMatchObject({
        status: 400,
        json: { error_code: 'INVALID_PARAMETER_VALUE', message: "Bad Request. Content-Type must be one of ['application/json']." },
      });
      const accepted = await client.call({
        method: 'POST',
        path: `${API}/registered-models/set-tag`,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: '{"name":"m","key":"k","value":"v"}',
      });
      expect(accepted).toMatchObject({ status: 200, json: {} });
    });

    it('reads a GET without a query string from its JSON body, and the ajax-api mirror the same way', async () => {
      const got = await client.call({ method: 'GET', path: `${API}/registered-models/get`, body: '{"name":"m"}' });
      expect(got.json.registered_model.name).toBe('m');
      const ajax = await client.call({ path: '/ajax-api/2.0/mlflow/model-versions/get?name=m&version=1' });
      expect(ajax.json.model_version).toMatchObject({ name: 'm', version: '1', status: 'READY', current_stage: 'None', run_id: '' });
    });

    it('parses DELETE bodies and ignores their query string', async () => {
      const byQuery = await client.call({ method: 'DELETE', path: `${API}/registered-models/delete?name=m` });
      expect(byQuery).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE', message: MISSING_NAME } });
      await client.call({ method: 'POST', path: `${API}/registered-models/create`, body: { name: 'gone' } });
      const byBody = await client.call({ method: 'DELETE', path: `${API}/registered-models/delete`, body: { name: 'gone' } });
      expect(byBody).toMatchObject({ status: 200, json: {} });
    });

    it('wants version as a JSON string holding an integer', async () => {
      const number = await client.call({
        method: 'POST',
        path: `${API}/registered-models/alias`,
        body: { name: 'm', alias: 'a', version: 1 },
      });
      expect(number).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
      expect(number.json.message).toMatch(/^Invalid value 1 for parameter 'version' supplied: Hint: Value was of type 'int'\./);
      const text = await client.call({ path: `${API}/model-versions/get?name=m&version=something%20not%20correct` });
      expect(text).toMatchObject({
        status: 400,
        json: { error_code: 'INVALID_PARAMETER_VALUE', message: "Parameter 'version' must be an integer, got 'something not correct'." },
      });
    });

    it('answers a caller mistake with 4xx, never 5xx', async () => {
      const cases = [
        { method: 'POST', path: `${API}/registered-models/create`, body: '{not json', headers: { 'content-type': 'application/json' } },
        { method: 'POST', path: `${API}/registered-models/create`, body: '[1]', headers: { 'content-type': 'application/json' } },
        { method: 'POST', path: `${API}/registered-models/create`, body: { name: 'x', tags: { k: 'v' } } },
        { method: 'POST', path: `${API}/registered-models/create`, body: { name: 7 } },
        { method: 'POST', path: `${API}/registered-models/create`, body: { name: '' } },
        { method: 'POST', path: `${API}/model-versions/create`, body: { name: 'm' } },
        { method: 'POST', path: `${API}/registered-models/alias`, body: { name: 'm', alias: 'a', version: '99' } },
        { method: 'DELETE', path: `${API}/registered-models/alias`, body: { name: 'm', alias: 'nope' } },
        { method: 'DELETE', path: `${API}/registered-models/delete-tag`, body: { name: 'm', key: 'nope' } },
        { method: 'PATCH', path: `${API}/model-versions/update`, body: { name: 'm', version: '42', description: 'x' } },
      ];
      for (const call of cases) {
        const response = await client.call(call);
        expect(response.status, JSON.stringify(call)).toBeGreaterThanOrEqual(400);
        expect(response.status, JSON.stringify(call)).toBeLessThan(500);
        expect(Object.keys(response.json).sort()).toEqual(['error_code', 'message']);
      }
      expect(client.logged).toEqual([]);
    });

    it("words the registry's refusals as MLflow does", async () => {
      expect(
        (await client.call({ method: 'POST', path: `${API}/registered-models/alias`, body: { name: 'm', alias: 'a', version: '9' } })).json,
      ).toEqual({
        error_code: 'RESOURCE_DOES_NOT_EXIST',
        message: 'Model Version (name=m, version=9) not found',
      });
      expect(
        (await client.call({ method: 'DELETE', path: `${API}/registered-models/alias`, body: { name: 'm', alias: 'nope' } })).json,
      ).toEqual({
        error_code: 'INVALID_PARAMETER_VALUE',
        message: 'Registered model alias nope not found.',
      });
      await client.call({ method: 'POST', path: `${API}/registered-models/create`, body: { name: 'other' } });
      const rename = await client.call({ method: 'POST', path: `${API}/registered-models/rename`, body: { name: 'other', new_name: 'm' } });
      expect(rename).toMatchObject({
        status: 400,
        json: { error_code: 'RESOURCE_ALREADY_EXISTS', message: 'Registered Model (name=m) already exists.' },
      });
    });

    it('answers unknown routes with JSON ENDPOINT_NOT_FOUND', async () => {
      for (const [method, path] of [
        ['GET', `${API}/registered-models/nonexistent`],
        ['POST', `${API}/registered-models/search`],
      ]) {
        const response = await client.call({ method, path, body: {} });
        expect(response).toMatchObject({ status: 404, json: { error_code: 'ENDPOINT_NOT_FOUND' } });
      }
    });

    it('stores a models:/m-… source as sent and accepts model_id (MLflow would ask its tracking store)', async () => {
      const created = await client.call({
        method: 'POST',
        path: `${API}/model-versions/create`,
        body: { name: 'm', source: 'models:/m-0123456789abcdef', model_id: 'm-0123456789abcdef' },
      });
      expect(created).toMatchObject({ status: 200, json: { model_version: { source: 'models:/m-0123456789abcdef', status: 'READY' } } });
      expect(created.json.model_version).not.toHaveProperty('model_id');
    });

    it('stores a local-path source without run_id as sent (MLflow would check it against a run in its tracking store)', async () => {
      const created = await client.call({
        method: 'POST',
        path: `${API}/model-versions/create`,
        body: { name: 'm', source: '/srv/mlruns/0/f8cabf5cc44047b48082e9947f0c4d32/artifacts' },
      });
      expect(created).toMatchObject({
        status: 200,
        json: { model_version: { source: '/srv/mlruns/0/f8cabf5cc44047b48082e9947f0c4d32/artifacts', status: 'READY' } },
      });
    });
  });

  describe('search, stages and download URIs', () => {
    const call = (method: string, path: string, body?: unknown) => client.call({ method, path: `${API}${path}`, body });
    beforeAll(async () => {
      await call('POST', '/registered-models/create', { name: 'st' });
      for (const source of ['s3://st/1', 's3://st/2', 's3://st/3']) await call('POST', '/model-versions/create', { name: 'st', source });
      await call('POST', '/registered-models/alias', { name: 'st', alias: 'best', version: '2' });
    });

    it('refuses a bad filter, order_by or page token as 400 INVALID_PARAMETER_VALUE, and answers an empty search with {}', async () => {
      for (const query of ["filter=name='st' OR name='m'", 'order_by=creation_timestamp', 'page_token=%%%', 'max_results=1001']) {
        const response = await call('GET', `/registered-models/search?${query.replace(/ /g, '+').replace(/'/g, '%27')}`);
        expect(response, query).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
      }
      expect(await call('GET', '/registered-models/search?filter=name+%3D+%27nope%27')).toMatchObject({ status: 200, json: {} });
      expect(await call('GET', '/model-versions/search?filter=name+%3D+%27nope%27')).toMatchObject({ status: 200, json: {} });
    });

    it('pages model-versions/search, whose versions carry no aliases, and reads repeated order_by', async () => {
      const first = await call('GET', '/model-versions/search?filter=name%3D%27st%27&max_results=2&order_by=version_number+DESC');
      expect(first.json.model_versions.map((v: any) => v.version)).toEqual(['3', '2']);
      expect(first.json.model_versions[1]).not.toHaveProperty('aliases');
      const token = encodeURIComponent(first.json.next_page_token);
      const second = await call(
        'GET',
        `/model-versions/search?filter=name%3D%27st%27&max_results=2&order_by=version_number+DESC&page_token=${token}`,
      );
      expect(second.json.model_versions.map((v: any) => v.version)).toEqual(['1']);
      expect(second.json).not.toHaveProperty('next_page_token');
      const models = await call('GET', '/registered-models/search?order_by=name+DESC&order_by=last_updated_timestamp');
      const names: string[] = models.json.registered_models.map((m: any) => m.name);
      expect(names[0]).toBe('st');
      expect(names).toEqual([...names].sort().reverse());
    });

    it('moves versions between stages, shows them in current_stage and latest_versions, and answers get-latest-versions', async () => {
      const moved = await call('POST', '/model-versions/transition-stage', { name: 'st', version: '2', stage: 'production' });
      expect(moved).toMatchObject({
        status: 200,
        json: { model_version: { version: '2', current_stage: 'Production', aliases: ['best'] } },
      });
      await call('POST', '/model-versions/transition-stage', { name: 'st', version: '1', stage: 'Staging' });
      const archiving = await call('POST', '/model-versions/transition-stage', {
        name: 'st',
        version: '3',
        stage: 'Production',
        archive_existing_versions: true,
      });
      expect(archiving.json.model_version.current_stage).toBe('Production');
      expect((await call('GET', '/model-versions/get?name=st&version=2')).json.model_version.current_stage).toBe('Archived');
      const model = await call('GET', '/registered-models/get?name=st');
      expect(model.json.registered_model.latest_versions.map((v: any) => [v.version, v.current_stage])).toEqual([
        ['1', 'Staging'],
        ['2', 'Archived'],
        ['3', 'Production'],
      ]);
      const production = await call('POST', '/registered-models/get-latest-versions', { name: 'st', stages: ['Production'] });
      expect(production.json.model_versions.map((v: any) => v.version)).toEqual(['3']);
      const viaGet = await call('GET', '/registered-models/get-latest-versions?name=st&stages=staging&stages=Archived');
      expect(viaGet.json.model_versions.map((v: any) => [v.version, v.current_stage]).sort()).toEqual([
        ['1', 'Staging'],
        ['2', 'Archived'],
      ]);
      expect(viaGet.json.model_versions.find((v: any) => v.version === '2').aliases).toEqual(['best']);
      const every = await call('GET', '/registered-models/get-latest-versions?name=st');
      expect(every.json.model_versions).toHaveLength(3);
      expect(await call('POST', '/registered-models/get-latest-versions', { name: 'st', stages: ['None'] })).toMatchObject({
        status: 200,
        json: {},
      });
    });

    it('refuses a bad stage, archiving into an inactive stage and a non-boolean archive flag, and unknown models', async () => {
      const bad = await call('POST', '/model-versions/transition-stage', { name: 'st', version: '1', stage: 'Prod' });
      expect(bad).toMatchObject({
        status: 400,
        json: {
          error_code: 'INVALID_PARAMETER_VALUE',
          message: 'Invalid Model Version stage: Prod. Value must be one of None, Staging, Production, Archived.',
        },
      });
      const inactive = await call('POST', '/model-versions/transition-stage', {
        name: 'st',
        version: '1',
        stage: 'Archived',
        archive_existing_versions: true,
      });
      expect(inactive).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
      const notBool = await call('POST', '/model-versions/transition-stage', {
        name: 'st',
        version: '1',
        stage: 'Staging',
        archive_existing_versions: 'true',
      });
      expect(notBool).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
      const badStages = await call('POST', '/registered-models/get-latest-versions', { name: 'st', stages: ['Prod'] });
      expect(badStages).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
      const unknown = await call('POST', '/registered-models/get-latest-versions', { name: 'nope' });
      expect(unknown).toMatchObject({ status: 404, json: { message: 'Registered Model with name=nope not found' } });
    });

    it('answers get-download-uri with the source (no storage location here), and 404 for a missing version', async () => {
      expect(await call('GET', '/model-versions/get-download-uri?name=st&version=1')).toMatchObject({
        status: 200,
        json: { artifact_uri: 's3://st/1' },
      });
      expect(await call('GET', '/model-versions/get-download-uri?name=st&version=9')).toMatchObject({
        status: 404,
        json: { message: 'Model Version (name=st, version=9) not found' },
      });
    });
  });

  describe('retries of model-versions/create', () => {
    const create = (headers: Record<string, string> = {}, source = 's3://b/retry') =>
      client.call({ method: 'POST', path: `${API}/model-versions/create`, headers, body: { name: 'm', source } });

    it('answers a retry with the same Idempotency-Key with the first version', async () => {
      const first = await create({ 'idempotency-key': 'k-1' });
      const retry = await create({ 'idempotency-key': 'k-1' });
      expect(retry.json).toEqual(first.json);
      const reused = await create({ 'idempotency-key': 'k-1' }, 's3://b/other');
      expect(reused.status).toBe(400);
    });

    it('creates every time without a key: two identical creates may be meant', async () => {
      const a = await create();
      const b = await create();
      expect(Number(b.json.model_version.version)).toBe(Number(a.json.model_version.version) + 1);
    });
  });
});

describeEachDatabase('MLflow front door authentication', (ctx) => {
  const secrets: Record<string, string> = {};
  const as = (token?: string) => mlflowClient(ctx.db, { token, security: { auth: 'required' } });
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  beforeAll(async () => {
    const token = async (spec: TokenSpec) => {
      secrets[spec.name] = (await createApiToken(ctx.db.prisma, spec, null)).secret;
    };
    await token({ name: 'admin', role: 'ADMIN' });
    await token({ name: 'reader', role: 'READER' });
    await token({ name: 'fraud-bot', role: 'WRITER', models: ['fraud-*'] });
    await as(secrets.admin).call({ method: 'POST', path: `${API}/registered-models/create`, body: { name: 'churn' } });
  });

  it('refuses a request without a token, or with a bad one, as 401 UNAUTHENTICATED', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer nope' },
      { authorization: basic('me', '') },
      { authorization: 'Token x' },
    ]) {
      const response = await as().call({ path: `${API}/registered-models/get?name=churn`, headers });
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(response.json.error_code).toBe('UNAUTHENTICATED');
      expect(response.headers['www-authenticate']).toContain('Basic');
    }
  });

  it('takes the token as the Basic password (MLFLOW_TRACKING_PASSWORD), whatever the user name', async () => {
    const response = await as().call({
      path: `${API}/registered-models/get?name=churn`,
      headers: { authorization: basic('anyone', secrets.reader) },
    });
    expect(response).toMatchObject({ status: 200, json: { registered_model: { name: 'churn' } } });
  });

  it('refuses writes beyond the role or the scope as 403 PERMISSION_DENIED, and hides models outside the scope', async () => {
    const reader = await as(secrets.reader).call({
      method: 'POST',
      path: `${API}/registered-models/set-tag`,
      body: { name: 'churn', key: 'k' },
    });
    expect(reader).toMatchObject({ status: 403, json: { error_code: 'PERMISSION_DENIED' } });
    const bot = as(secrets['fraud-bot']);
    const outside = await bot.call({ method: 'POST', path: `${API}/registered-models/create`, body: { name: 'churn-2' } });
    expect(outside).toMatchObject({ status: 403, json: { error_code: 'PERMISSION_DENIED' } });
    const hidden = await bot.call({ path: `${API}/registered-models/get?name=churn` });
    expect(hidden).toMatchObject({ status: 404, json: { message: 'Registered Model with name=churn not found' } });
    const inside = await bot.call({ method: 'POST', path: `${API}/registered-models/create`, body: { name: 'fraud-1' } });
    expect(inside.status).toBe(200);
  });

  it("searches only within the caller's scope", async () => {
    const bot = as(secrets['fraud-bot']);
    await bot.call({ method: 'POST', path: `${API}/registered-models/create`, body: { name: 'fraud-9' } });
    const models = await bot.call({ path: `${API}/registered-models/search` });
    expect(models.json.registered_models.map((m: any) => m.name).sort()).toEqual(['fraud-1', 'fraud-9']);
    await as(secrets.admin).call({ method: 'POST', path: `${API}/model-versions/create`, body: { name: 'churn', source: 's3://c/1' } });
    expect(await bot.call({ path: `${API}/model-versions/search?filter=name%3D%27churn%27` })).toMatchObject({ status: 200, json: {} });
    const admin = await as(secrets.admin).call({ path: `${API}/model-versions/search?filter=name%3D%27churn%27` });
    expect(admin.json.model_versions).toHaveLength(1);
    const hidden = await bot.call({ path: `${API}/model-versions/get-download-uri?name=churn&version=1` });
    expect(hidden.status).toBe(404);
  });
});
