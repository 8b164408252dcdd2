/**
 * `DATA_SOURCE_NAME`: the Go MySQL driver's DSN that mysqld_exporter up to 0.14 (and the
 * prometheus-community Helm chart's 1.x releases) read from the environment:
 *   [user[:password]@][protocol[(address)]]/[dbname][?param=value&...]
 * e.g. `exporter:pw@(db:3306)/`, `exporter:pw@tcp(db:3306)/`, `exporter:pw@unix(/run/mysqld/mysqld.sock)/`.
 * It supplies what the flags and the option file did not: address, user, password. The database name and
 * the parameters are not used (the exporter reads the server's metadata, not a schema). The password
 * may contain `:` and `@` (the last `@` ends the credentials, the first `:` ends the user).
 */
import { type Address, parseAddress } from '../db/address.js';

export const DSN_ENV = 'DATA_SOURCE_NAME';

export interface Dsn {
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly address: Address | undefined;
}

/** The DSN's parts, or a message saying what is wrong (never the value itself). */
export function parseDsn(dsn: string): Dsn | string {
  const slash = dsn.lastIndexOf('/');
  if (slash < 0) return 'expected [user[:password]@][tcp(host:port)|unix(/path)]/[dbname]';
  const head = dsn.slice(0, slash);
  const at = head.lastIndexOf('@');
  const cred = at >= 0 ? head.slice(0, at) : undefined;
  const net = at >= 0 ? head.slice(at + 1) : head;
  let user: string | undefined;
  let password: string | undefined;
  if (cred !== undefined) {
    const colon = cred.indexOf(':');
    user = colon >= 0 ? cred.slice(0, colon) : cred;
    password = colon >= 0 ? cred.slice(colon + 1) : undefined;
  }
  let address: Address | undefined;
  if (net !== '') {
    const m = /^(tcp|tcp6|unix)?(?:\((.*)\))?$/.exec(net);
    if (!m) return 'the address part must be tcp(host:port), (host:port) or unix(/path)';
    const [, protocol, addr] = m;
    if (addr !== undefined && addr !== '') {
      address = protocol === 'unix' ? parseAddress(`unix://${addr}`) : parseAddress(addr);
      if (!address || (protocol === 'unix') !== (address.kind === 'socket'))
        return `the address in ${protocol ?? 'tcp'}(...) is not valid`;
    }
  }
  return { user: user || undefined, password, address };
}
