// Creates over the MLflow front door are safe against the client's resends (src/mlflow/retry-guard.ts):
// an answer that never reached the client leaves its create's key behind for the resend; an answer
// that did releases it, so deliberate identical creates (which MLflow's clients make back to back)
// still make one version each. In-process: the transport's delivery report is played by the client.
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { type MlflowClient, mlflowClient } from '../support/mlflow.ts';

const API = '/api/2.0/mlflow';

describeEachDatabase('MLflow creates and the client resending them', (ctx) => {
  let client: MlflowClient;
  beforeAll(() => {
    client = mlflowClient(ctx.db);
  });
  const versionsOf = async (name: string) =>
    (await client.call({ path: `${API}/model-versions/search?filter=${encodeURIComponent(`name='${name}'`)}` })).json.model_versions ?? [];

  describe('model-versions/create', () => {
    const body = { name: 'resent', source: 's3://b/resent', tags: [{ key: 't', value: '1' }] };
    const create = (lost = false) => client.call({ method: 'POST', path: `${API}/model-versions/create`, body, lost });

    beforeAll(async () => {
      expect((await client.call({ method: 'POST', path: `${API}/registered-models/create`, body: { name: 'resent' } })).status).toBe(200);
    });

    it('answers the resend of a lost answer with the version it made, and makes no second one', async () => {
      const lost = await create(true);
      const resent = await create();
      expect(lost.json.model_version.version).toBe('1');
      expect(resent).toEqual(lost);
      expect((await versionsOf('resent')).map((v: { version: string }) => v.version)).toEqual(['1']);
    });

    it('makes a new version for a deliberate identical create once the answer was delivered', async () => {
      expect((await create()).json.model_version.version).toBe('2');
      expect((await create()).json.model_version.version).toBe('3');
      expect(await versionsOf('resent')).toHaveLength(3);
    });

    it('keeps callers apart: another body is another create', async () => {
      await create(true);
      const other = await client.call({ method: 'POST', path: `${API}/model-versions/create`, body: { ...body, source: 's3://b/other' } });
      expect(other.json.model_version.version).toBe('5');
      expect((await create()).json.model_version.version).toBe('4');
    });
  });

  it('answers the resend of a lost registered-models/create with the model, not RESOURCE_ALREADY_EXISTS', async () => {
    const body = { name: 'resent-model', description: 'd' };
    const lost = await client.call({ method: 'POST', path: `${API}/registered-models/create`, body, lost: true });
    const resent = await client.call({ method: 'POST', path: `${API}/registered-models/create`, body });
    expect(resent).toEqual(lost);
    const again = await client.call({ method: 'POST', path: `${API}/registered-models/create`, body });
    expect(again).toMatchObject({ status: 400, json: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
  });

  it('leaves an Idempotency-Key header to the client: it answers for IDEMPOTENCY_TTL_HOURS, delivered or not', async () => {
    await client.call({ method: 'POST', path: `${API}/registered-models/create`, body: { name: 'keyed' } });
    const keyed = { name: 'keyed', source: 's3://b/k' };
    const headers = { 'idempotency-key': 'release-1' };
    const first = await client.call({ method: 'POST', path: `${API}/model-versions/create`, body: keyed, headers });
    const second = await client.call({ method: 'POST', path: `${API}/model-versions/create`, body: keyed, headers });
    expect(second).toEqual(first);
    expect(await versionsOf('keyed')).toHaveLength(1);
  });
});
