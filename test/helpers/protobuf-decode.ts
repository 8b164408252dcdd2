/**
 * An independent reader of the protobuf exposition for tests: protobufjs with test/helpers/metrics.proto
 * (written from the specification, not from our writer), reading length-delimited MetricFamily messages.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO = join(dirname(fileURLToPath(import.meta.url)), 'metrics.proto');

let root: protobuf.Root | undefined;

function familyType(): protobuf.Type {
  root ??= protobuf.loadSync(PROTO);
  return root.lookupType('io.prometheus.client.MetricFamily');
}

/** Every MetricFamily in a delimited stream, as plain objects (enums as names, 64-bit ints as numbers). */
export function decodeDelimited(bytes: Uint8Array): Record<string, unknown>[] {
  const type = familyType();
  const reader = protobuf.Reader.create(bytes);
  const out: Record<string, unknown>[] = [];
  while (reader.pos < reader.len) {
    const msg = type.decodeDelimited(reader);
    out.push(
      type.toObject(msg, { enums: String, longs: Number, defaults: false }) as Record<string, unknown>,
    );
  }
  return out;
}
