import { describe, expect, it } from 'vitest';
import { hostOptionsFrom, isLoopbackAddress, parseListen, type HostArgs } from '../../src-main/host/host-options';

const base: HostArgs = { dataDir: '/d', publicUrl: 'https://postroom.agency.example', listen: '0.0.0.0:8443' };

describe('postroom host options (issue 12 item 1): refuses to face a network without TLS', () => {
  it.each<[string, Partial<HostArgs>, RegExp]>([
    ['all interfaces, no TLS, no proxy', {}, /will not listen on 0\.0\.0\.0:8443 without TLS/],
    ['a LAN address, no TLS', { listen: '192.0.2.10:443' }, /will not listen on 192\.0\.2\.10:443 without TLS/],
    ['IPv6 any, no TLS', { listen: '[::]:443' }, /will not listen on \[::\]:443 without TLS/],
    ['only a port (all interfaces)', { listen: ':8443' }, /without TLS/],
    [
      'TLS and a proxy at once',
      { tlsCert: 'c', tlsKey: 'k', behindProxy: true },
      /either --tls-cert\/--tls-key or --behind-proxy/,
    ],
    ['a certificate without its key', { tlsCert: 'c' }, /--tls-key is missing/],
    ['a key without its certificate', { tlsKey: 'k' }, /--tls-cert is missing/],
    [
      'http public URL beyond loopback',
      { publicUrl: 'http://postroom.agency.example', tlsCert: 'c', tlsKey: 'k' },
      /plain http/,
    ],
    ['https public URL served as plain http on loopback', { listen: '127.0.0.1:8080' }, /would serve plain http/],
    ['a public URL with a path', { publicUrl: 'https://agency.example/postroom', behindProxy: true }, /origin only/],
    ['not a URL', { publicUrl: 'postroom.agency.example' }, /is not a URL/],
    ['a bad listen value', { listen: 'everywhere' }, /is not an address and port/],
    ['a host name to listen on', { listen: 'postroom.example:443', behindProxy: true }, /does not name an IP address/],
    [
      'both secrets sources',
      { behindProxy: true, secretsKeyFile: 'k', secretsCredential: 'c' },
      /either --secrets-key-file or --secrets-credential/,
    ],
    [
      'a trusted proxy without a proxy',
      { tlsCert: 'c', tlsKey: 'k', trustedProxy: ['10.0.0.1'] },
      /only means something with --behind-proxy/,
    ],
  ])('%s: refused, one sentence and what to do', (_name, args, message) => {
    let thrown: unknown;
    try {
      hostOptionsFrom({ ...base, ...args });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'validation_failed', message, details: { fix: expect.any(String) } });
    const sentence = (thrown as Error).message;
    expect(sentence.split(/(?<=\.)\s/).length, sentence).toBe(1);
  });

  it.each<[string, Partial<HostArgs>, string]>([
    ['its own TLS', { tlsCert: '/c.pem', tlsKey: '/k.pem' }, 'tls'],
    ['behind a proxy', { behindProxy: true }, 'behind-proxy'],
    [
      'plain http on loopback only (a trial)',
      { listen: '127.0.0.1:8080', publicUrl: 'http://127.0.0.1:8080' },
      'loopback-http',
    ],
  ])('%s: accepted', (_name, args, kind) => {
    expect(hostOptionsFrom({ ...base, ...args }).transport.kind).toBe(kind);
  });

  it('takes the keychain unless a key file or a systemd credential is named', () => {
    expect(hostOptionsFrom({ ...base, behindProxy: true }).secrets).toEqual({ kind: 'keychain' });
    expect(hostOptionsFrom({ ...base, behindProxy: true, secretsKeyFile: '/k' }).secrets).toEqual({
      kind: 'encrypted-file',
      key: { kind: 'file', path: '/k' },
    });
    expect(hostOptionsFrom({ ...base, behindProxy: true, secretsCredential: 'postroom' }).secrets).toEqual({
      kind: 'encrypted-file',
      key: { kind: 'credential', name: 'postroom' },
    });
  });

  it('trusts forwarded addresses only from loopback proxies and those named', () => {
    const options = hostOptionsFrom({ ...base, behindProxy: true, trustedProxy: ['10.1.2.3'] });
    expect(options.transport).toEqual({ kind: 'behind-proxy', trustedProxies: ['127.0.0.1', '::1', '10.1.2.3'] });
    expect(options.publicUrl.origin).toBe('https://postroom.agency.example');
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.2', false],
  ])('%s is loopback: %s', (address, loopback) => {
    expect(isLoopbackAddress(address)).toBe(loopback);
  });

  it('reads ADDR:PORT, [v6]:PORT and :PORT', () => {
    expect(parseListen('127.0.0.1:8443')).toEqual({ host: '127.0.0.1', port: 8443 });
    expect(parseListen('[::1]:443')).toEqual({ host: '::1', port: 443 });
    expect(parseListen(':80')).toEqual({ host: '0.0.0.0', port: 80 });
  });
});
