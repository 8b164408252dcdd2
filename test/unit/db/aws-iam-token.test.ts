/**
 * RDS IAM tokens: @aws-sdk/rds-signer at a fixed clock with fixed credentials, checked against a
 * SigV4 presign computed here from the published algorithm (node:crypto), and the per-pool cache.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, mock, test } from 'node:test';
import { IAM_TOKEN_REFRESH_MS, IamTokenSource, generateIamToken } from '../../../src/db/aws-iam-token.js';

const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const HOST = 'db1.abc123xyz.eu-west-1.rds.amazonaws.com';

function expectedSignature(query: string, date: string, day: string): string {
  const hmac = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();
  const canonical = [
    'GET',
    '/',
    query,
    `host:${HOST}:3306`,
    '',
    'host',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const scope = `${day}/eu-west-1/rds-db/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join(
    '\n',
  );
  let key = hmac(`AWS4${CREDS.secretAccessKey}`, day);
  for (const part of ['eu-west-1', 'rds-db', 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('IAM auth token', () => {
  test('signature version 4 presign at a fixed clock: format, 900 s expiry, signature', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-12-03T10:00:00Z') });
    let token: string;
    try {
      token = await generateIamToken({
        hostname: HOST,
        port: 3306,
        username: 'exporter',
        region: 'eu-west-1',
        credentials: CREDS,
      });
    } finally {
      mock.timers.reset();
    }
    const [hostPort, query = ''] = token.split('/?');
    assert.equal(hostPort, `${HOST}:3306`);
    const params = new URLSearchParams(query);
    assert.equal(params.get('Action'), 'connect');
    assert.equal(params.get('DBUser'), 'exporter');
    assert.equal(params.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.equal(params.get('X-Amz-Credential'), 'AKIDEXAMPLE/20261203/eu-west-1/rds-db/aws4_request');
    assert.equal(params.get('X-Amz-Date'), '20261203T100000Z');
    assert.equal(params.get('X-Amz-Expires'), '900');
    assert.equal(params.get('X-Amz-SignedHeaders'), 'host');
    const signed = query
      .split('&')
      .filter((p) => !p.startsWith('X-Amz-Signature='))
      .sort()
      .join('&');
    assert.equal(params.get('X-Amz-Signature'), expectedSignature(signed, '20261203T100000Z', '20261203'));
  });

  test('one token per pool, shared by concurrent connects, replaced once 10 minutes old', async () => {
    let now = 1_000_000;
    let made = 0;
    const source = new IamTokenSource(
      async () => `token-${++made}`,
      () => now,
    );
    assert.deepEqual(await Promise.all([source.token(), source.token()]), ['token-1', 'token-1']);
    now += IAM_TOKEN_REFRESH_MS - 1;
    assert.equal(await source.token(), 'token-1');
    now += 1;
    assert.equal(await source.token(), 'token-2', 'renewed 5 minutes before the 15-minute expiry');
    assert.ok(IAM_TOKEN_REFRESH_MS < 15 * 60 * 1000);
  });

  test('a failed generation is not cached', async () => {
    let fail = true;
    const source = new IamTokenSource(async () => {
      if (fail) throw new Error('no credentials');
      return 'ok';
    });
    await assert.rejects(source.token(), /no credentials/);
    fail = false;
    assert.equal(await source.token(), 'ok');
  });
});
